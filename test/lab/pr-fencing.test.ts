// Issue 3 acceptance, against the lab's real tgtd: our initiator and
// reservation manager run inside tdm-a and tdm-b (tools/pr/agent.ts).
//
// Stated plainly: under SPC-4 type 5 (WRITE EXCLUSIVE - REGISTRANTS ONLY) a
// REGISTERED non-holder may write. tgt does the same (measured below), and
// LIO does by the standard. So "B's WRITE gets RESERVATION CONFLICT" holds
// for B before it registers, not after; Tandem keeps the standby registered
// so it can write its witness slot, and fences by PREEMPTing the peer's key
// (docs/reservations.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentClient } from '../../tools/pr/agent-client.ts';
import { labOk } from './lab-helpers.ts';
import { ADDR, ISCSI_PORT, NETNS, TARGET_IQN, TARGET_LUN } from '../../tools/lab/topology.ts';

const BOX = 'lab-box';
/** Past the witness area (LBA 2048 + 10240) and the iscsi-initiator test's scratch at 120000. */
const LBA = 100_000;

interface Snapshot {
  ourKey: string;
  keys: string[];
  reservation: { key: string; type: number } | null;
  weAreFenced: boolean;
  preemptAndAbortSupported: boolean | null;
}

const a = new AgentClient(NETNS.A);
const b = new AgentClient(NETNS.B);

function connect(c: AgentClient, host: string, name: string): Promise<unknown> {
  return c.ok('connect', {
    host,
    port: ISCSI_PORT,
    target: TARGET_IQN,
    lun: TARGET_LUN,
    initiator: `iqn.2026-11.invalid.tandem:pr-${name}`,
  });
}

describe('SCSI-3 PR fencing on the lab tgtd (issue 3 acceptance)', () => {
  beforeAll(async () => {
    await connect(a, ADDR.enclSasA, 'a');
    await connect(b, ADDR.enclSasB, 'b');
    // Start from a clean LUN whatever an earlier run left.
    await b.ok('registerIgnore', { key: '0x7e57' });
    await b.ok('clear', { key: '0x7e57' });
  });

  afterAll(async () => {
    // CLEAR so the next test file starts from an empty registration list.
    await labOk(['heal', 'sas-a']);
    const r = await b.call('registerIgnore', { key: '0x7e57' });
    if (r.ok) await b.call('clear', { key: '0x7e57' });
    await a.close();
    await b.close();
  });

  it("acceptance 1: B's WRITE gets RESERVATION CONFLICT while B is unregistered under A's type-5 reservation", async () => {
    const ra = await a.ok<{ kind: string; key: string }>('manager', { box: BOX, controller: 'A' });
    expect(ra.kind).toBe('registered');
    expect(await a.ok('reserve')).toEqual({ kind: 'reserved', key: ra.key });
    const w = await b.call('write', { lba: LBA, seed: 'unregistered-b' });
    expect(w.ok).toBe(false);
    expect(w.error?.kind).toBe('reservation-conflict');
  });

  it('acceptance 1 (measured discrepancy): once B registers, tgt lets B WRITE under type 5, as SPC-4 says', async () => {
    const rb = await b.ok<{ kind: string; key: string }>('manager', { box: BOX, controller: 'B' });
    expect(rb.kind).toBe('registered');
    const snap = await b.ok<Snapshot>('poll');
    expect(snap.keys).toHaveLength(2);
    expect(snap.reservation).toMatchObject({ type: 5 });
    // Not RESERVATION CONFLICT: registrants may write under WRITE EXCLUSIVE - REGISTRANTS ONLY.
    expect((await b.call('write', { lba: LBA, seed: 'registered-b' })).ok).toBe(true);
  });

  it("acceptance 2: B preempts A (PREEMPT AND ABORT refused by tgt, falls back to PREEMPT); A's WRITE conflicts, A is told it is fenced, A can still read", async () => {
    const aKey = (await a.ok<Snapshot>('snapshot')).ourKey;
    const bKey = (await b.ok<Snapshot>('snapshot')).ourKey;
    const out = await b.ok('fencePeer');
    expect(out).toEqual({ kind: 'peer-fenced', preempted: [aKey], method: 'preempt' });
    expect(await b.ok<Snapshot>('snapshot')).toMatchObject({
      preemptAndAbortSupported: false,
      keys: [bKey],
      reservation: { key: bKey, type: 5 },
    });
    const w = await a.call('write', { lba: LBA, seed: 'fenced-a' });
    expect(w.error?.kind).toBe('reservation-conflict');
    const fenced = await a.waitForEvent((e) => e.event === 'we-are-fenced', 3000);
    expect(fenced).toMatchObject({ key: aKey, detectedBy: 'poll' });
    expect((await a.ok<Snapshot>('snapshot')).weAreFenced).toBe(true);
    expect(await a.ok('fencePeer')).toEqual({ kind: 'we-are-fenced' });
    expect(await a.ok('read', { lba: LBA, blocks: 8 })).toMatchObject({ length: 4096 });
  });

  it('acceptance 3: a connection dropped under an outstanding command fails it with a typed transport error; A reconnects, re-registers, and its orphaned key is gone', async () => {
    // A rejoins as a registered standby (the failover core would do this after a restart).
    expect(await a.ok('manager', { box: BOX, controller: 'A' })).toMatchObject({ kind: 'registered' });
    const before = await a.ok<Snapshot>('snapshot');
    a.events.length = 0;
    await labOk(['cut', 'sas-a']);
    const started = Date.now();
    const r = await a.call('write', { lba: LBA, seed: 'in-flight', timeoutMs: 1500 });
    const took = Date.now() - started;
    await labOk(['heal', 'sas-a']);
    expect(r.ok).toBe(false);
    expect(r.error?.code).toBe('timeout');
    expect(took).toBeLessThan(1500 + 1000);
    await a.waitForEvent((e) => e.event === 'reconnected', 15_000);
    const reg = await a.waitForEvent((e) => e.event === 'registered', 10_000);
    expect(reg['key']).not.toBe(before.ourKey);
    expect(reg['removedOrphans']).toEqual([before.ourKey]);
    const keys = (await b.ok<{ keys: string[] }>('readKeys')).keys;
    const bKey = (await b.ok<Snapshot>('snapshot')).ourKey;
    expect(keys.sort()).toEqual([reg['key'], bKey].sort());
    expect(await a.ok('verify')).toEqual({ kind: 'registered', key: reg['key'] });
  });

  it('acceptance 4 (witness I/O): 4 KiB written with FUA by the reservation holder B reads back identical from A', async () => {
    const seed = `witness-${Date.now()}`;
    const w = await b.ok<{ sha256: string }>('write', { lba: LBA + 64, seed, fua: true });
    const r = await a.ok<{ sha256: string; length: number }>('read', { lba: LBA + 64, blocks: 8 });
    expect(r).toEqual({ sha256: w.sha256, length: 4096 });
  });

  it('acceptance 4 (witness I/O): 4 KiB written with FUA by A (registered standby) reads back identical from B', async () => {
    const seed = `witness-a-${Date.now()}`;
    const w = await a.ok<{ sha256: string }>('write', { lba: LBA + 128, seed, fua: true });
    const r = await b.ok<{ sha256: string; length: number }>('read', { lba: LBA + 128, blocks: 8 });
    expect(r).toEqual({ sha256: w.sha256, length: 4096 });
  });
});
