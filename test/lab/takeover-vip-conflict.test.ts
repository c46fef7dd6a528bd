// Issue 6 acceptance, a stranger on the LAN: the client already answers for
// 198.18.2.10 when the pair starts. The vip agent on A refuses to take the
// address, with a reason naming the stranger's MAC and the VIP_IN_USE alarm;
// neither controller ends up with the VIP and the stranger keeps it.
import { afterAll, describe, expect, it } from 'vitest';
import { lanMac } from '../../tools/lab/client/lan-view.ts';
import { resetPair, startPgDaemon, tandemctl } from '../../tools/lab/client/pg-pair.ts';
import { readLog, waitForLine } from '../../tools/lab/configs/daemons.ts';
import { tryRun } from '../../tools/lab/run.ts';
import { ADDR, NETNS } from '../../tools/lab/topology.ts';

const VIP = ADDR.lanVip;
const hasVip = async (ns: string) =>
  (await tryRun('ip', ['-n', ns, '-4', '-o', 'address', 'show', 'dev', 'lan0'])).stdout.includes(`${VIP}/`);

describe('a stranger already holds the VIP', () => {
  afterAll(async () => {
    await tryRun('ip', ['-n', NETNS.client, 'address', 'del', `${VIP}/24`, 'dev', 'lan0']);
    await resetPair();
  }, 120_000);

  it('the vip agent refuses with a clear reason and the VIP_IN_USE alarm', async () => {
    await resetPair();
    const stranger = await lanMac('client');
    await tryRun('ip', ['-n', NETNS.client, 'address', 'add', `${VIP}/24`, 'dev', 'lan0']);
    const t0 = Date.now();
    await startPgDaemon('A');
    await startPgDaemon('B');

    const refused = await waitForLine(
      'A',
      'the vip start refused',
      t0,
      (l) => l.code === 'RESOURCE_START_FAILED' && l.data?.['resource'] === 'vip',
      60_000,
    );
    expect(refused.data?.['reason']).toBe(`${VIP} is already answered by ${stranger}; not taking it`);
    const alarms = await tandemctl('A', '--json', 'alarms');
    expect(alarms).toContain('VIP_IN_USE');
    expect(alarms).toContain(stranger);

    await new Promise((r) => setTimeout(r, 5000)); // whatever B then tries, it must not take it either
    expect(await hasVip(NETNS.A)).toBe(false);
    expect(await hasVip(NETNS.B)).toBe(false);
    expect(await hasVip(NETNS.client)).toBe(true);
    const bTook = readLog('B').some(
      (l) => l.code === 'RESOURCE_STARTED' && l.data?.['resource'] === 'vip' && l.ts >= t0,
    );
    expect(bTook).toBe(false);
  }, 180_000);
});
