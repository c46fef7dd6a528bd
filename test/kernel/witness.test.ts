// Witness I/O over SG_IO on a real kernel: each controller's DiskPath writes
// its heartbeat slot with WRITE(16) FUA through its own /dev/sg node of the
// LIO LUN, and the peer reads it back through its own nexus.
import { describe, expect, it } from 'vitest';
import { nodeCommand } from '../../tools/kernel/guest.ts';
import { outFile, runJob } from './guest-run.ts';

const job = async (): Promise<string> => `set -e
eval "$(sh tools/kernel/guest/lio-pair.sh)"
${await nodeCommand('test/kernel/guest/witness.ts')} "$SG_A" "$SG_B" /run/lio/witness.img >/run/out/report.json`;

interface Report {
  registered: string[];
  seenByA: (number | string)[];
  seenByB: (number | string)[];
  backstoreHoldsWhatBRead: boolean;
  seqOnDisk: { A: number | string; B: number | string };
  counters: { A: Record<string, number>; B: Record<string, number> };
  events: { A: string[]; B: string[] };
}

describe('witness slots over SG_IO (kernel tier)', () => {
  it("each controller's slot, written with FUA through its nexus, is read by the peer through its own", async () => {
    const run = await runJob({ name: 'witness', job: await job(), timeoutMs: 180_000 });
    const r = JSON.parse(outFile(run, 'report.json')) as Report;
    console.log(`kernel tier: witness report ${JSON.stringify(r)}`);
    expect(r.registered).toEqual(['registered', 'registered']);
    // A's first read finds B's slot as blank as at boot (not passed on).
    expect(r.seenByA).toEqual(['nothing read', 1, 2]);
    expect(r.seenByB).toEqual([1, 2, 3]);
    expect(r.backstoreHoldsWhatBRead).toBe(true);
    expect(r.seqOnDisk).toEqual({ A: 3, B: 3 });
    expect([r.counters.A['ioErrors'], r.counters.B['ioErrors']]).toEqual([0, 0]);
    // The area was blank: it was formatted (by both at once, which is allowed: either header is fine).
    expect([...r.events.A, ...r.events.B]).toContain('WITNESS_INITIALISED');
  });
});
