// The enclosure's LUN is a real iSCSI target, reachable from each controller
// over its own SAS path.
import { describe, expect, it } from 'vitest';
import { PORTAL, TARGET_IQN } from '../../tools/lab/topology.ts';
import { lab, labStatus } from './lab-helpers.ts';

describe('enclosure iSCSI target', () => {
  for (const c of ['A', 'B'] as const) {
    it(`answers INQUIRY from ${c} at ${PORTAL[c]}`, async () => {
      const r = await lab(['exec', c, 'iscsi-inq', `iscsi://${PORTAL[c]}/${TARGET_IQN}/1`], 20_000);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Peripheral Device Type:DIRECT_ACCESS/);
    });
  }

  it('is not reachable from the LAN client', async () => {
    const r = await lab(['exec', 'client', 'ping', '-c', '1', '-W', '1', PORTAL.A.split(':')[0] ?? '']);
    expect(r.code).not.toBe(0);
    expect((await labStatus()).tgtdPid).not.toBeNull();
  });
});
