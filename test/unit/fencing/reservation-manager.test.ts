// The reservation manager on SimClock against the sim target, in both quirk
// modes: 'spc4' (LIO-like) and 'tgt' (what the lab's tgtd measurably does).
import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import * as scsi from '../../../hal/scsi/commands.ts';
import { isScsiError } from '../../../hal/scsi/errors.ts';
import type { SimQuirks } from '../../../hal/scsi/sim.ts';
import { SimScsiTarget } from '../../../hal/scsi/sim.ts';
import type { FencerEvents } from '../../../firmware/fencing/fencer.ts';
import { boxPrefix, decodeKey, makeKey } from '../../../firmware/fencing/keys.ts';
import { ReservationManager } from '../../../firmware/fencing/reservation-manager.ts';
import { SimSession } from './sim-session.ts';

const BOX = 'box-7';
const P = boxPrefix(BOX);
const SECTOR = new Uint8Array(512).fill(0x5a);

function setup(quirks: SimQuirks) {
  const clock = new SimClock();
  const target = new SimScsiTarget({ quirks, clock });
  const devA = new SimSession(target, 'iqn.2026-11.invalid.tandem:a');
  const devB = new SimSession(target, 'iqn.2026-11.invalid.tandem:b');
  const mk = (device: SimSession, controller: 'A' | 'B') =>
    new ReservationManager({ device, boxId: BOX, controller, clock, pollIntervalMs: 500 });
  const a = mk(devA, 'A');
  const b = mk(devB, 'B');
  const fencedA: FencerEvents['we-are-fenced'][0][] = [];
  a.on('we-are-fenced', (e) => fencedA.push(e));
  return { clock, target, devA, devB, a, b, fencedA };
}

async function writeStatus(dev: SimSession): Promise<string> {
  try {
    await scsi.write16(dev, 100n, SECTOR, { fua: true });
    return 'good';
  } catch (err) {
    return isScsiError(err) ? err.kind : String(err);
  }
}

describe.each(['spc4', 'tgt'] as const)('ReservationManager on a %s target', (quirks) => {
  it('registers a key of box prefix | controller | generation 1 at start', async () => {
    const { a, b } = setup(quirks);
    expect(await a.start()).toEqual({ kind: 'registered', key: makeKey(P, 'A', 1), removedOrphans: [] });
    await b.start();
    expect(a.snapshot()).toMatchObject({ ourKey: makeKey(P, 'A', 1), weAreFenced: false, foreignKeys: [] });
    expect(await a.verifyOwnRegistration()).toEqual({ kind: 'registered', key: makeKey(P, 'A', 1) });
    expect(b.snapshot().keys).toEqual([makeKey(P, 'A', 1), makeKey(P, 'B', 1)]);
  });

  it('type 5: the registered standby may write; a non-registrant gets RESERVATION CONFLICT', async () => {
    const { target, devB, a, b } = setup(quirks);
    await a.start();
    await b.start();
    expect(await a.reserve()).toEqual({ kind: 'reserved', key: makeKey(P, 'A', 1) });
    expect(await a.reserve()).toEqual({ kind: 'reserved', key: makeKey(P, 'A', 1) }); // idempotent
    expect(await b.reserve()).toEqual({ kind: 'held-by-other', holder: makeKey(P, 'A', 1), owner: 'peer' });
    expect(await writeStatus(devB)).toBe('good');
    const stranger = new SimSession(target, 'iqn.2026-11.invalid.tandem:x');
    expect(await writeStatus(stranger)).toBe('reservation-conflict');
  });

  it('fencePeer preempts the peer, takes the reservation, and the peer learns it is fenced', async () => {
    const { clock, devA, a, b, fencedA } = setup(quirks);
    await a.start();
    await b.start();
    await a.reserve();
    const out = await b.fencePeer();
    expect(out).toEqual({
      kind: 'peer-fenced',
      preempted: [makeKey(P, 'A', 1)],
      method: quirks === 'tgt' ? 'preempt' : 'preempt-and-abort',
    });
    expect(b.snapshot()).toMatchObject({
      preemptAndAbortSupported: quirks !== 'tgt',
      reservation: { key: makeKey(P, 'B', 1), type: 5 },
      keys: [makeKey(P, 'B', 1)],
    });
    expect(await writeStatus(devA)).toBe('reservation-conflict');
    expect(await scsi.read16(devA, 100n, 1, 512)).toHaveLength(512);
    await clock.advance(500);
    expect(fencedA).toEqual([{ key: makeKey(P, 'A', 1), detectedBy: 'poll' }]);
    expect(a.snapshot().weAreFenced).toBe(true);
    // A fenced controller's own fence attempt reports that it is the fenced one.
    expect(await a.fencePeer()).toEqual({ kind: 'we-are-fenced' });
    // The remembered answer: a second fence does not try PREEMPT AND ABORT again on tgt.
    expect((await b.fencePeer()).kind).toBe('peer-fenced');
    a.stop();
    b.stop();
  });

  it('fencePeer with no peer key still ends holding the reservation', async () => {
    const { b } = setup(quirks);
    await b.start();
    expect(await b.fencePeer()).toEqual({ kind: 'peer-fenced', preempted: [], method: null });
    expect(b.snapshot().reservation?.key).toBe(makeKey(P, 'B', 1));
  });

  it('after a reconnect: re-registers a new generation and removes the orphan, keeping the reservation', async () => {
    const { clock, devA, a, b } = setup(quirks);
    await a.start();
    await b.start();
    await a.reserve();
    const sessions: string[] = [];
    a.on('session-changed', (e) => sessions.push(e.reason));
    devA.reconnect();
    await clock.advance(0);
    expect(sessions).toEqual(['reconnected']);
    const snap = a.snapshot();
    expect(snap.ourKey).toBe(makeKey(P, 'A', 2));
    expect(snap.keys.filter((k) => decodeKey(k).controller === 'A')).toEqual([makeKey(P, 'A', 2)]);
    expect(snap.reservation?.key).toBe(makeKey(P, 'A', 2));
    expect(await writeStatus(devA)).toBe('good');
    expect(snap.weAreFenced).toBe(false);
  });

  it('a silent re-login is caught by UA 29/00 on tgt, or by verifyOwnRegistration', async () => {
    const { clock, devA, a } = setup(quirks);
    await a.start();
    devA.relogin();
    const v = await a.verifyOwnRegistration();
    await clock.advance(0);
    // spc4: the nexus is the initiator name, so nothing was lost.
    if (quirks === 'spc4') expect(v).toEqual({ kind: 'registered', key: makeKey(P, 'A', 1) });
    else expect(a.snapshot().ourKey).toBe(makeKey(P, 'A', 2));
    expect(await writeStatus(devA)).toBe('good');
  });

  it('a peer that fenced us while we were away keeps us fenced: no automatic comeback', async () => {
    const { clock, devA, a, b, fencedA } = setup(quirks);
    await a.start();
    await b.start();
    await a.reserve();
    expect((await b.fencePeer()).kind).toBe('peer-fenced');
    devA.reconnect();
    await clock.advance(0);
    expect(fencedA.map((e) => e.detectedBy)).toEqual(['repair']);
    expect(b.snapshot().keys).toEqual([makeKey(P, 'B', 1)]);
    expect(await writeStatus(devA)).toBe('reservation-conflict');
  });

  it('foreign keys are reported and never preempted; a foreign holder blocks fencing', async () => {
    const { target, a } = setup(quirks);
    const other = new SimSession(target, 'iqn.2026-11.invalid.other:z');
    const foreign = makeKey(boxPrefix('another-box'), 'B', 1);
    await scsi.registerIgnore(other, foreign);
    // Another box holds the LUN's reservation (start() only reserves a LUN nobody holds).
    await scsi.reserve(other, foreign, 5);
    const seen: bigint[] = [];
    a.on('foreign-key', (e) => seen.push(e.key));
    await a.start();
    expect(seen).toEqual([foreign]);
    expect(a.snapshot().foreignKeys).toEqual([foreign]);
    expect(await a.fencePeer()).toEqual({ kind: 'blocked-by-foreign', holder: foreign });
    expect(a.snapshot().keys).toContain(foreign);
  });

  it('transport failures come back as typed outcomes and poll-failed events, never throws', async () => {
    const { clock, target, a } = setup(quirks);
    await a.start();
    const failures: string[] = [];
    a.on('poll-failed', (e) => failures.push(e.error.code));
    target.setOffline(true);
    await clock.advance(500);
    expect(failures).toEqual(['disconnected']);
    const out = await a.fencePeer();
    expect(out.kind === 'failed' && out.error.code).toBe('disconnected');
    target.setOffline(false);
    target.stall();
    const pending = a.reserve();
    await clock.advance(3000);
    const r = await pending;
    expect(r.kind === 'failed' && r.error.code).toBe('timeout');
    target.releaseStall();
    a.stop();
  });

  it('release gives the reservation up and keeps the registration', async () => {
    const { a } = setup(quirks);
    await a.start();
    await a.reserve();
    expect(await a.release()).toEqual({ kind: 'released' });
    expect(a.snapshot()).toMatchObject({ reservation: null, keys: [makeKey(P, 'A', 1)] });
  });
});
