// Our in-process iSCSI initiator against the lab's real tgtd, run inside each
// controller's network namespace (the portal is only reachable from there).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { clearLun } from './pr-clean-lun.ts';
import { NETNS, PORTAL, TARGET_IQN, TARGET_LUN, type Controller } from '../../tools/lab/topology.ts';

const PROBE = fileURLToPath(new URL('../../hal/scsi/iscsi/probe.ts', import.meta.url));
/** Away from the witness area at the start of the LUN. */
const SCRATCH_LBA = 120_000;

interface ProbeOutput {
  ok: boolean;
  steps: Record<string, unknown>[];
  error?: { name: string; code?: string; message: string };
}

function probe(c: Controller, steps: string[]): Promise<ProbeOutput> {
  const [host, port] = PORTAL[c].split(':');
  const config = {
    portal: { host, port: Number(port) },
    targetIqn: TARGET_IQN,
    initiatorName: `iqn.2026-11.invalid.tandem:probe-${c.toLowerCase()}`,
    lun: TARGET_LUN,
  };
  return new Promise((resolve, reject) => {
    execFile(
      'ip',
      ['netns', 'exec', NETNS[c], process.execPath, PROBE, JSON.stringify(config), ...steps],
      { timeout: 60_000 },
      (err, stdout, stderr) => {
        const line = stdout.trim().split('\n').pop() ?? '';
        try {
          resolve(JSON.parse(line) as ProbeOutput);
        } catch {
          reject(
            new Error(
              `probe in ${NETNS[c]} gave no JSON (${err?.message ?? 'exit 0'}):\n${stdout}\n${stderr}`,
            ),
          );
        }
      },
    );
  });
}

const stepNamed = (out: ProbeOutput, name: string) => out.steps.find((s) => s['step'] === name);

describe('iSCSI initiator against the lab tgtd', () => {
  // The probe's sessions are not registered: a reservation left on the shared
  // LUN by an earlier daemon test would (rightly) refuse their writes.
  beforeAll(clearLun);

  it('logs in from A, runs INQUIRY and READ CAPACITY(16), logs out', async () => {
    const out = await probe('A', ['tur', 'inquiry', 'capacity']);
    expect(out.error).toBeUndefined();
    expect(out.ok).toBe(true);
    expect(stepNamed(out, 'login')?.['negotiated']).toMatchObject({ targetMaxRecvDataSegmentLength: 8192 });
    expect(stepNamed(out, 'inquiry')).toMatchObject({ status: 0, peripheralType: 0 });
    const cap = stepNamed(out, 'capacity');
    expect(cap).toMatchObject({ status: 0, blockLength: 512 });
    expect(Number(cap?.['lastLba'])).toBeGreaterThan(SCRATCH_LBA + 8);
    expect(stepNamed(out, 'logout')).toMatchObject({ state: 'closed' });
  });

  it('a 4 KiB WRITE(16) FUA from A reads back identical with READ(16) from B', async () => {
    const seed = `lab-${Date.now()}`;
    const a = await probe('A', ['tur', `write:${SCRATCH_LBA}:${seed}`]);
    expect(a.error).toBeUndefined();
    const written = stepNamed(a, `write:${SCRATCH_LBA}:${seed}`);
    expect(written).toMatchObject({ status: 0 });

    const b = await probe('B', ['tur', `read:${SCRATCH_LBA}:8`]);
    expect(b.error).toBeUndefined();
    const read = stepNamed(b, `read:${SCRATCH_LBA}:8`);
    expect(read).toMatchObject({ status: 0, length: 4096, residual: 0 });
    expect(read?.['sha256']).toBe(written?.['sha256']);
    expect(stepNamed(b, 'logout')).toMatchObject({ state: 'closed' });
  });
});
