// SG_IO on a real kernel: our koffi SG_IO driver and reservation manager
// against LIO through two nexuses of one LUN (tools/kernel/guest/lio-pair.sh).
// Type 5, PREEMPT AND ABORT accepted (no fallback to PREEMPT), the fenced
// side's WRITE(16) refused as a typed reservation-conflict while it can still
// read, and sg_persist agreeing with what our code reads.
import { describe, expect, it } from 'vitest';
import { nodeCommand } from '../../tools/kernel/guest.ts';
import { outFile, runJob, sgPersistKeys } from './guest-run.ts';

const job = async (): Promise<string> => `set -e
eval "$(sh tools/kernel/guest/lio-pair.sh)"
echo "uptime before node: $(cut -d' ' -f1 /proc/uptime)"
${await nodeCommand('test/kernel/guest/sg-reservations.ts', [])} "$SG_A" "$SG_B" >/run/out/report.json
echo "uptime after node: $(cut -d' ' -f1 /proc/uptime)"
sg_persist -n -i -k "$SG_A" >/run/out/keys-a.txt
sg_persist -n -i -r "$SG_B" >/run/out/reservation-b.txt
${await nodeCommand('tools/pr/cli.ts', ['--transport', 'sg', '--json'])} --device "$SG_A" keys >/run/out/pr-keys-a.json
${await nodeCommand('tools/pr/cli.ts', ['--transport', 'sg', '--json'])} --device "$SG_B" reservation >/run/out/pr-reservation-b.json`;

interface Report {
  vendor: string;
  serialA: string;
  serialB: string;
  capacity: { blocks: number; blockLength: number };
  startA: string;
  startB: string;
  keyA: string;
  keyB: string;
  keysBefore: string[];
  reservationBefore: { key: string; type: number } | null;
  bWriteBeforeFence: string;
  fence: { kind: string; method?: string; preempted?: string[] };
  bWriteAfterFence: string;
  bReadAfterFence: string;
  aWriteAfterFence: string;
  bSeesAWrite: boolean;
  bVerify: string;
  bPoll: string;
  keysAfter: string[];
  reservationAfter: { key: string; type: number } | null;
  unitAttentionsAfterFence: { A: string[]; B: string[] };
  bRejoin: string;
  bKeyAfterRejoin: string | null;
  bWriteAfterRejoin: string;
}

describe('SG_IO against LIO (kernel tier)', () => {
  it('registers from both nexuses, reserves type 5, fences B with PREEMPT AND ABORT; B reads but cannot write', async () => {
    const run = await runJob({ name: 'sg-reservations', job: await job(), timeoutMs: 180_000 });
    const r = JSON.parse(outFile(run, 'report.json')) as Report;
    console.log(`kernel tier: sg-reservations report ${JSON.stringify(r)}\n${run.jobLog}`);
    expect(r.vendor).toBe('LIO-ORG');
    expect(r.serialA).toBe(r.serialB);
    expect(r.capacity).toEqual({ blocks: (64 * 1024 * 1024) / 512, blockLength: 512 });
    expect([r.startA, r.startB]).toEqual(['registered', 'registered']);
    expect(r.keysBefore.sort()).toEqual([r.keyA, r.keyB].sort());
    expect(r.reservationBefore).toEqual({ key: r.keyA, type: 5 });
    expect(r.bWriteBeforeFence).toBe('ok');
    expect(r.fence).toEqual({ kind: 'peer-fenced', method: 'preempt-and-abort', preempted: [r.keyB] });
    expect(r.bWriteAfterFence).toBe('reservation-conflict');
    expect(r.bReadAfterFence).toBe('ok: B-data');
    expect(r.aWriteAfterFence).toBe('ok');
    expect(r.bSeesAWrite).toBe(true);
    expect([r.bVerify, r.bPoll]).toEqual(['we-are-fenced', 'we-are-fenced']);
    expect(r.keysAfter).toEqual([r.keyA]);
    expect(r.reservationAfter).toEqual({ key: r.keyA, type: 5 });
    // SPC-4 5.12.11.2.6: the preempted nexus gets REGISTRATIONS PREEMPTED (2A/05).
    expect(r.unitAttentionsAfterFence.B).toContain('2a/05');
    // Rejoining registers the next generation of B's key; B may write again.
    expect(r.bRejoin).toBe('registered');
    expect(BigInt(r.bKeyAfterRejoin ?? 0) - BigInt(r.keyB)).toBe(1n);
    expect(r.bWriteAfterRejoin).toBe('ok');
    // After the rejoin, sg_persist (sg3-utils) sees what our code does, and so does tools/pr, generation included.
    const sgKeys = outFile(run, 'keys-a.txt');
    const sgResv = outFile(run, 'reservation-b.txt');
    const finalKeys = [r.keyA, r.bKeyAfterRejoin ?? ''].sort();
    expect(sgPersistKeys(sgKeys).sort()).toEqual(finalKeys);
    expect(sgPersistKeys(sgResv)).toEqual([r.keyA]);
    const prKeys = JSON.parse(outFile(run, 'pr-keys-a.json')) as {
      ok: boolean;
      generation: number;
      keys: string[];
    };
    const prResv = JSON.parse(outFile(run, 'pr-reservation-b.json')) as {
      ok: boolean;
      generation: number;
      reservation: { key: string; type: number } | null;
    };
    expect(prKeys.ok && prResv.ok).toBe(true);
    expect(prKeys.keys.map((k) => `0x${BigInt(k).toString(16).padStart(16, '0')}`).sort()).toEqual(finalKeys);
    expect(BigInt(prResv.reservation?.key ?? -1)).toBe(BigInt(r.keyA));
    expect(prResv.reservation?.type).toBe(5);
    expect(sgKeys).toContain(`PR generation=0x${prKeys.generation.toString(16)},`);
    expect(sgResv).toContain(`PR generation=0x${prResv.generation.toString(16)},`);
  });
});
