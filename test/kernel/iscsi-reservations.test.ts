// Our own iSCSI initiator (hal/scsi/iscsi) against LIO on a real kernel: it
// logs in (RFC 7143 negotiation with a target that proposes keys; LIO's real
// Login Responses are captured and compared with the replay fixture), and
// the reservation manager's acceptance runs over it through two nexuses (A,
// B) plus a third registrant C (A's initiator name, its own ISID). Unit
// attentions are recorded per nexus and step. docs/reservations.md's LIO
// column comes from this test.
import { describe, expect, it } from 'vitest';
import { nodeCommand } from '../../tools/kernel/guest.ts';
import { LIO_6_1 } from '../unit/iscsi/login-exchanges.ts';
import { outFile, runJob } from './guest-run.ts';

const job = async (): Promise<string> => `set -e
LIO_PAIR_TARGET_ONLY=1 sh tools/kernel/guest/lio-pair.sh
echo "uptime before node: $(cut -d' ' -f1 /proc/uptime)"
${await nodeCommand('test/kernel/guest/iscsi-reservations.ts', [])} >/run/out/report.json
echo "uptime after node: $(cut -d' ' -f1 /proc/uptime)"`;

type Fence = { kind: string; method?: string; preempted?: string[]; error?: string };
type Resv = { key: string; type: number } | null;
interface Report {
  loginResponses: { bhs: string; text: string }[];
  loginError: string | null;
  vendor: string;
  capabilities: Record<string, unknown>;
  startA: string;
  startB: string;
  registerC: string;
  keyA: string;
  keyB: string;
  keysBefore: string[];
  reservationBefore: Resv;
  bWriteBeforeFence: string;
  fence: Fence;
  bWriteAfterFence: string;
  bReadAfterFence: string;
  aWriteAfterFence: string;
  cWriteAfterFence: string;
  bVerify: string;
  bPoll: string;
  keysAfterFence: string[];
  reservationAfterFence: Resv;
  bRejoin: string;
  bKeyAfterRejoin: string | null;
  bWriteAfterRejoin: string;
  bReconnectAttempts: number;
  bVerifyAfterReconnect: string;
  bSessionChanges: string[];
  bKeyBeforeDrop: string | null;
  bKeyAfterReconnect: string;
  keysAfterReconnect: string[];
  bWriteAfterReconnect: string;
  keysAfterRestart: string[];
  b2Register: string;
  b2Key: string | null;
  keysAfterB2Register: string[];
  b2Write: string;
  fenceA: Fence;
  aWriteAfterFenceA: string;
  reservationAfterFenceA: Resv;
  cWriteAfterFenceA: string;
  b2WriteAfterFenceA: string;
  aVerify: string;
  release: string;
  reserveAgain: string;
  clear: string;
  keysAfterClear: string[];
  reservationAfterClear: Resv;
  aReRegister: string;
  aReReserve: string;
  b2ReRegister: string;
  keysWithOrphan: string[];
  b3WriteBeforeRegister: string;
  b3Register: string;
  keysAfterB3Register: string[];
  b3WriteAfterRegister: string;
  b3Verify: string;
  b3Fence: string;
  attentions: { nexus: string; step: string; ua: string }[];
}

const gen = (key: string | null): bigint => BigInt(key ?? 0) & 0xffffffn;
/** A Login Response BHS with the ISID (bytes 8-13) and StatSN (24-27, random on LIO) masked. */
const masked = (hex: string): string => {
  const b = Buffer.from(hex.replace(/\s+/g, ''), 'hex');
  b.fill(0, 8, 14);
  b.fill(0, 24, 28);
  return b.toString('hex');
};

describe('our iSCSI initiator against LIO (kernel tier)', () => {
  it('logs in to LIO; the reservation manager fences over it with PREEMPT AND ABORT', async () => {
    const run = await runJob({ name: 'iscsi-reservations', job: await job(), timeoutMs: 180_000 });
    const r = JSON.parse(outFile(run, 'report.json')) as Report;
    console.log(`kernel tier: iscsi-reservations report ${JSON.stringify(r)}\n${run.jobLog}`);
    // Login: three responses, as test/unit/iscsi/login-exchanges.ts replays them.
    expect(r.loginError).toBe(null);
    expect(r.loginResponses.map((x) => ({ bhs: masked(x.bhs), text: x.text }))).toEqual(
      LIO_6_1.steps.map((s) => ({ bhs: masked(s.responseBhs), text: s.responseText })),
    );
    expect(r.vendor).toBe('LIO-ORG');
    // REPORT CAPABILITIES: APTPL, SPEC_I_PT and ALL_TG_PT capable (tgt: none of them).
    expect(r.capabilities).toMatchObject({ ptplC: true, sipC: true, atpC: true, tmv: true, ptplA: false });
    expect(r.capabilities['types']).toEqual([1, 3, 5, 6, 7, 8]);
    // No unit attention at all on a new session's first command (tgt gives 29/00).
    expect(r.attentions.filter((u) => u.step === 'first-command')).toEqual([]);

    // Register, reserve type 5, fence B with PREEMPT AND ABORT (no fallback).
    expect([r.startA, r.startB, r.registerC]).toEqual(['registered', 'registered', 'ok']);
    expect(r.keysBefore).toEqual([r.keyA, r.keyB, '0x00c0ffee00000001']);
    expect(r.reservationBefore).toEqual({ key: r.keyA, type: 5 });
    expect(r.bWriteBeforeFence).toBe('ok');
    expect(r.fence).toEqual({ kind: 'peer-fenced', method: 'preempt-and-abort', preempted: [r.keyB] });
    expect(r.bWriteAfterFence).toBe('reservation-conflict');
    expect(r.bReadAfterFence).toBe('ok: B-data');
    expect(r.aWriteAfterFence).toBe('ok');
    // C is registered but shares the holder's initiator name with another
    // ISID: LIO treats it as not registered for writes (isid mismatch).
    expect(r.cWriteAfterFence).toBe('reservation-conflict');
    expect([r.bVerify, r.bPoll]).toEqual(['we-are-fenced', 'we-are-fenced']);
    expect(r.keysAfterFence).toEqual([r.keyA, '0x00c0ffee00000001']);
    expect(r.reservationAfterFence).toEqual({ key: r.keyA, type: 5 });
    // SPC-4: the preempted nexus gets REGISTRATIONS PREEMPTED, once.
    expect(r.attentions.filter((u) => u.step === 'after-fence-b')).toEqual([
      { nexus: 'B', step: 'after-fence-b', ua: '2a/05' },
    ]);
    expect(r.bRejoin).toBe('registered');
    expect(gen(r.bKeyAfterRejoin) - gen(r.keyB)).toBe(1n);
    expect(r.bWriteAfterRejoin).toBe('ok');

    // TCP cut, automatic re-login with the same ISID: LIO kept the
    // registration (same I_T nexus), no unit attention; the manager, told
    // 'reconnected', registered the next generation in place.
    expect(r.bReconnectAttempts).toBeGreaterThanOrEqual(1);
    expect(r.bSessionChanges).toEqual(['reconnected']);
    expect(r.bVerifyAfterReconnect).toBe('registered');
    expect(gen(r.bKeyAfterReconnect) - gen(r.bKeyBeforeDrop)).toBe(1n);
    expect(r.keysAfterReconnect).toEqual([r.keyA, '0x00c0ffee00000001', r.bKeyAfterReconnect]);
    expect(r.bWriteAfterReconnect).toBe('ok');
    expect(r.attentions.filter((u) => u.step === 'reconnect-b')).toEqual([]);

    // B restarts (new initiator, same ISID): its registration is still there,
    // a new generation replaces it; B fences A, the holder, and takes the reservation.
    expect(r.keysAfterRestart).toEqual(r.keysAfterReconnect);
    expect(r.b2Register).toBe('registered');
    expect(r.keysAfterB2Register).toEqual([r.keyA, '0x00c0ffee00000001', r.b2Key]);
    expect(r.b2Write).toBe('ok');
    expect(r.fenceA).toEqual({ kind: 'peer-fenced', method: 'preempt-and-abort', preempted: [r.keyA] });
    expect(r.reservationAfterFenceA).toEqual({ key: r.b2Key, type: 5 });
    expect([r.aWriteAfterFenceA, r.b2WriteAfterFenceA, r.aVerify]).toEqual([
      'reservation-conflict',
      'ok',
      'we-are-fenced',
    ]);
    expect(r.attentions.filter((u) => u.step === 'after-fence-a')).toEqual([
      { nexus: 'A', step: 'after-fence-a', ua: '2a/05' },
    ]);
    // RELEASE of a type-5 reservation: other registrants get 2A/04; CLEAR: 2A/03.
    expect([r.release, r.reserveAgain, r.clear]).toEqual(['ok', 'ok', 'ok']);
    expect(r.attentions.filter((u) => u.step === 'release' || u.step === 'clear')).toEqual([
      { nexus: 'C', step: 'release', ua: '2a/04' },
      { nexus: 'C', step: 'clear', ua: '2a/03' },
    ]);
    expect([r.keysAfterClear, r.reservationAfterClear]).toEqual([[], null]);

    // A new ISID under B's name: LIO keeps write permission per initiator
    // name (its ACL entry), not per I_T nexus, so the unregistered B3 may
    // write; the manager preempts its "orphan" (B2's key, same name) and
    // that clears the name's registered flag: B3 holds a key, yet its writes
    // and PR OUT commands get RESERVATION CONFLICT and it cannot fence.
    // The manager's verify still says 'registered' (READ KEYS shows the key).
    expect([r.aReRegister, r.aReReserve, r.b2ReRegister]).toEqual(['registered', 'reserved', 'registered']);
    expect(r.keysWithOrphan).toHaveLength(2);
    expect(r.b3WriteBeforeRegister).toBe('ok');
    expect(r.b3Register).toBe('registered');
    expect(r.keysAfterB3Register).toHaveLength(2);
    expect(r.b3WriteAfterRegister).toBe('reservation-conflict');
    expect(r.b3Verify).toBe('registered');
    expect(r.b3Fence).toBe('failed');
    expect(r.attentions.filter((u) => u.step === 'new-isid-b')).toEqual([
      { nexus: 'B', step: 'new-isid-b', ua: '2a/05' },
    ]);
  });
});
