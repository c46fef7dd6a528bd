// Stalls of our own (membership.ts, stall-watch.ts): the receiver's own
// stalled time is not the peer's silence, and a really dead peer is still
// declared dead at most one deadtime later than without the guard. The
// receiver runs as a SimProcess: while stalled, what arrives waits (a socket
// buffer) and its timers wait (its own witness reads among them).
import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import { HeartbeatIntake } from '../../../firmware/cluster/intake.ts';
import { Membership, type MembershipEvent } from '../../../firmware/cluster/membership.ts';
import { encodeHeartbeat } from '../../../firmware/cluster/message.ts';
import type { HeartbeatPath } from '../../../firmware/cluster/heartbeat-paths.ts';
import { HeartbeatAcceptor } from '../../../firmware/cluster/replay.ts';
import { LAB_TIMING } from '../../../firmware/cluster/timing.ts';
import { encodeWitnessSlot } from '../../../firmware/cluster/witness-layout.ts';
import { SimProcess } from '../../../firmware/sim/process.ts';
import { KEY, heartbeat } from './fixtures.ts';

const T = LAB_TIMING; // interval 100, warntime 600, deadtime 1000

function setup(paths: HeartbeatPath[]) {
  const clock = new SimClock();
  const receiver = new SimProcess(clock);
  const membership = new Membership({ clock: receiver, timing: T, paths });
  const intake = new HeartbeatIntake(
    'A',
    new HeartbeatAcceptor({ boxId: 0x00c0ffee, self: 'A', key: KEY }),
    membership,
  );
  const events: MembershipEvent[] = [];
  membership.on((e) => events.push(e));
  const peer = { sending: true, seq: 0, lastSentMs: 0 };
  let slot: Uint8Array | undefined;
  // The peer B beats every interval on each path; the net datagram waits in
  // A's socket while A is stalled, the witness slot is just there to be read.
  clock.every(T.intervalMs, () => {
    if (!peer.sending) return;
    const bytes = encodeHeartbeat(heartbeat({ seq: ++peer.seq, senderMonoMs: clock.monotonicMs() }), KEY);
    peer.lastSentMs = clock.monotonicMs();
    if (paths.includes('net')) receiver.run(() => intake.receive('net', bytes));
    if (paths.includes('disk')) slot = encodeWitnessSlot({ controller: 'B', message: bytes });
  });
  // A reads the peer's slot on its own beat, a READ that completes 10 ms
  // later: nothing is read while A is stalled, and not at once after.
  receiver.every(T.intervalMs, () => {
    const sector = slot;
    if (sector !== undefined) clock.after(10, () => receiver.run(() => intake.receiveWitnessSlot(sector)));
  });
  membership.start();
  const ofType = (type: MembershipEvent['type']) => events.filter((e) => e.type === type);
  return { clock, receiver, membership, peer, events, ofType };
}

async function stallFor(s: ReturnType<typeof setup>, ms: number): Promise<void> {
  s.receiver.stall();
  await s.clock.advance(ms);
  s.receiver.resume();
}

describe('stalls of our own', () => {
  it('a receiver stalled past deadtime while the peer keeps beating does not declare it dead (disk path only)', async () => {
    const s = setup(['disk']);
    // Just after a witness read completed: the next one waits for the stall to end.
    await s.clock.advance(3015);
    expect(s.membership.peerState()).toBe('alive');
    await stallFor(s, 1500);
    await s.clock.advance(3000);
    expect(s.ofType('path-down')).toEqual([]);
    expect(s.ofType('peer-dead')).toEqual([]);
    expect(s.membership.peerState()).toBe('alive');
    expect(s.ofType('self-stall')).toHaveLength(1);
    const [stall] = s.ofType('self-stall');
    expect(stall).toMatchObject({ type: 'self-stall' });
    expect((stall as { stalledMs: number }).stalledMs).toBeGreaterThanOrEqual(1500 - 2 * T.intervalMs);
  });

  it('both controllers stalled together (a loaded machine): the shared silence is not a dead peer', async () => {
    const s = setup(['net', 'disk']);
    await s.clock.advance(3000);
    s.peer.sending = false;
    await s.clock.advance(20);
    await stallFor(s, 1480);
    s.peer.sending = true;
    await s.clock.advance(3000);
    expect(s.ofType('path-down')).toEqual([]);
    expect(s.ofType('peer-suspect')).toEqual([]);
    expect(s.ofType('peer-dead')).toEqual([]);
  });

  it('a really dead peer is declared dead at most one deadtime late, however the receiver stalls', async () => {
    for (const stall of [
      { at: 500, ms: 900 }, // across the deadline
      { at: 950, ms: 100 + 2 * T.intervalMs }, // just before it
      { at: 1500, ms: 3000 }, // long after it: the verdict was given before
    ]) {
      const s = setup(['net', 'disk']);
      await s.clock.advance(3000);
      s.peer.sending = false;
      const lastBeat = s.peer.lastSentMs;
      await s.clock.advance(stall.at);
      await stallFor(s, stall.ms);
      await s.clock.advance(5000);
      const [dead] = s.ofType('peer-dead');
      expect(dead, JSON.stringify(stall)).toBeDefined();
      const after = dead!.atMs - lastBeat;
      expect(after, JSON.stringify(stall)).toBeGreaterThanOrEqual(T.deadtimeMs);
      // One interval for the last reading of the slot, one deadtime for the guard.
      expect(after, JSON.stringify(stall)).toBeLessThanOrEqual(
        Math.max(2 * T.deadtimeMs + T.intervalMs, stall.at + stall.ms + T.intervalMs),
      );
    }
  });

  it('stalls that keep coming cannot postpone the verdict by more than one deadtime', async () => {
    const s = setup(['net', 'disk']);
    await s.clock.advance(3000);
    s.peer.sending = false;
    // 250 ms stalls every 400 ms for 5 s: each one is a stall (more than an interval late).
    for (let t = 0; t < 5000; t += 400) {
      await stallFor(s, 250);
      await s.clock.advance(150);
    }
    const [dead] = s.ofType('peer-dead');
    expect(dead).toBeDefined();
    // From the last beat taken in (a read that completed during a stall is
    // taken in when the stall ends).
    expect(dead!.atMs - (dead as { lastHeardMs: number }).lastHeardMs).toBeLessThanOrEqual(2 * T.deadtimeMs);
    expect(s.ofType('self-stall').length).toBeGreaterThan(1);
  });

  it('without a stall of its own the verdict keeps its timing (deadtime + at most one interval)', async () => {
    const s = setup(['net', 'disk']);
    await s.clock.advance(3000);
    s.peer.sending = false;
    const lastBeat = s.peer.lastSentMs;
    await s.clock.advance(3000);
    const [dead] = s.ofType('peer-dead');
    expect(dead!.atMs - lastBeat).toBeGreaterThanOrEqual(T.deadtimeMs);
    expect(dead!.atMs - lastBeat).toBeLessThanOrEqual(T.deadtimeMs + T.intervalMs);
    expect(s.ofType('self-stall')).toEqual([]);
  });
});
