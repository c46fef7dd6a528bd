import { describe, expect, it } from 'vitest';
import { encodeHeartbeat } from '../../../firmware/cluster/message.ts';
import { encodeFrame } from '../../../firmware/cluster/serial-framing.ts';
import { PATH_BIT } from '../../../firmware/cluster/heartbeat-paths.ts';
import { KEY, OTHER_KEY, heartbeat } from './fixtures.ts';
import { setup } from './harness.ts';

describe('membership', () => {
  it('brings every path up and keeps the peer alive under steady heartbeats', async () => {
    const s = setup();
    s.runPeer();
    await s.clock.advance(30_000);
    expect(s.membership.peerState()).toBe('alive');
    expect(s.ofType('path-up').map((e) => e.path)).toEqual(['serial', 'net', 'disk']);
    expect(s.ofType('peer-alive')).toHaveLength(1);
    expect(s.events.filter((e) => e.type !== 'path-up' && e.type !== 'peer-alive')).toEqual([]);
    expect(s.membership.seenMask()).toBe(PATH_BIT.serial | PATH_BIT.net | PATH_BIT.disk);
  });

  it('one cut path goes late then down within deadtime; the peer stays alive', async () => {
    const s = setup();
    s.runPeer();
    await s.clock.advance(5_000);
    const cutAt = s.clock.monotonicMs();
    s.peer.live.delete('net');
    await s.clock.advance(5_000);
    const late = s.ofType('path-late');
    const down = s.ofType('path-down');
    expect(late).toMatchObject([{ path: 'net' }]);
    expect(down).toMatchObject([{ path: 'net' }]);
    expect(down[0]!.atMs - cutAt).toBeLessThanOrEqual(s.timing.deadtimeMs);
    expect(down[0]!.atMs - cutAt).toBeGreaterThan(s.timing.deadtimeMs - s.timing.intervalMs);
    expect(s.membership.peerState()).toBe('alive');
    expect(s.ofType('peer-suspect')).toEqual([]);
    expect(s.ofType('peer-dead')).toEqual([]);
  });

  it('all paths cut: suspect, then dead within deadtime + one interval; heal: alive again', async () => {
    const s = setup();
    const stop = s.runPeer();
    await s.clock.advance(5_000);
    const cutAt = s.clock.monotonicMs();
    stop();
    await s.clock.advance(3_000);
    const [suspect] = s.ofType('peer-suspect');
    const [dead] = s.ofType('peer-dead');
    expect(suspect!.atMs).toBeLessThan(dead!.atMs);
    expect(dead!.atMs - cutAt).toBeLessThanOrEqual(s.timing.deadtimeMs + s.timing.intervalMs);
    expect(dead!.atMs - dead!.lastHeardMs!).toBeGreaterThanOrEqual(s.timing.deadtimeMs);
    expect(s.membership.peerState()).toBe('dead');

    s.runPeer();
    await s.clock.advance(s.timing.intervalMs * 2);
    expect(s.membership.peerState()).toBe('alive');
    expect(s.ofType('peer-alive')).toHaveLength(2);
  });

  it('is not dead while a single path (the disk) still carries heartbeats', async () => {
    const s = setup();
    s.runPeer();
    await s.clock.advance(2_000);
    s.peer.live.delete('serial');
    s.peer.live.delete('net');
    await s.clock.advance(10_000);
    expect(s.membership.pathState('disk')).toBe('up');
    expect(s.membership.peerState()).toBe('alive');
    expect(s.ofType('peer-dead')).toEqual([]);
  });

  it('applies initdead before the first heartbeat', async () => {
    const s = setup();
    await s.clock.advance(s.timing.initdeadMs - 1);
    expect(s.membership.peerState()).toBe('unknown');
    expect(s.events).toEqual([]);
    await s.clock.advance(1);
    expect(s.membership.peerState()).toBe('dead');
    expect(s.ofType('path-down')).toHaveLength(3);
    expect(s.ofType('peer-dead')[0]).toMatchObject({ atMs: s.timing.initdeadMs, lastHeardMs: undefined });
  });

  it('forged, replayed, stale, reflected and corrupted messages never count as heartbeats', async () => {
    const s = setup();
    const stop = s.runPeer();
    await s.clock.advance(2_000);
    stop();
    const recorded = [...s.peer.sent];
    const attack = s.clock.every(50, () => {
      const i = Math.floor(s.clock.monotonicMs() / 50);
      for (const path of ['net', 'serial'] as const) {
        s.intake.receive(path, encodeHeartbeat(heartbeat({ seq: 10_000 + i }), OTHER_KEY)); // forged
        s.intake.receive(path, recorded[i % recorded.length]!); // replayed
        s.intake.receive(path, encodeHeartbeat(heartbeat({ seq: 10_000 + i, controller: 'A' }), KEY)); // reflection
        s.intake.receive(path, encodeHeartbeat(heartbeat({ seq: 10_000 + i, boxId: 7 }), KEY)); // wrong box
      }
      const frame = encodeFrame(encodeHeartbeat(heartbeat({ seq: 10_000 + i }), KEY));
      frame[20]! ^= 0x10; // line noise
      for (const f of s.serial.push(frame)) s.intake.receive('serial', f);
      s.intake.receiveWitnessSlot(s.peer.slot!); // unchanged slot
    });
    await s.clock.advance(3_000);
    attack.cancel();
    expect(s.membership.peerState()).toBe('dead');
    const c = s.acceptor.counters();
    expect(c['bad-mac']).toBeGreaterThan(0);
    expect(c.replay + c.duplicate).toBeGreaterThan(0);
    expect(c.reflection).toBeGreaterThan(0);
    expect(c['wrong-box']).toBeGreaterThan(0);
    expect(s.serial.counters().crcErrors).toBeGreaterThan(0);
  });

  it('a retired incarnation cannot revive a dead peer', async () => {
    const s = setup(['net']);
    const stop = s.runPeer();
    await s.clock.advance(1_000);
    stop();
    const old = [...s.peer.sent];
    s.send({ incarnation: 99n, seq: 1 }); // the peer restarts
    await s.clock.advance(2_000);
    expect(s.membership.peerState()).toBe('dead');
    for (const bytes of old) s.intake.receive('net', bytes);
    expect(s.membership.peerState()).toBe('dead');
    expect(s.acceptor.counters()['stale-incarnation']).toBe(old.length);
  });

  it('reports a one-way path when the peer says it does not hear us there, and clears it', async () => {
    const s = setup();
    s.runPeer();
    await s.clock.advance(2_000);
    s.peer.seesPeer = PATH_BIT.serial | PATH_BIT.disk; // B no longer hears A on net
    await s.clock.advance(2_000);
    expect(s.ofType('one-way')).toMatchObject([
      { path: 'net', oneWay: true, direction: 'peer-cannot-hear-us' },
    ]);
    expect(s.membership.isOneWay('net')).toBe(true);
    expect(s.membership.peerState()).toBe('alive');
    s.peer.seesPeer = 0x0f;
    await s.clock.advance(500);
    expect(s.ofType('one-way')[1]).toMatchObject({ path: 'net', oneWay: false });
    expect(s.membership.isOneWay('net')).toBe(false);
  });

  it('reports the other direction: the peer hears us on disk but we do not hear it', async () => {
    const s = setup();
    s.runPeer();
    await s.clock.advance(2_000);
    s.peer.live.delete('disk');
    await s.clock.advance(3_000);
    expect(s.ofType('one-way')).toMatchObject([{ path: 'disk', direction: 'we-cannot-hear-peer' }]);
  });

  it('does not flag a brief asymmetry shorter than warntime (report lag)', async () => {
    const s = setup();
    s.runPeer();
    await s.clock.advance(1_000);
    s.peer.seesPeer = PATH_BIT.serial | PATH_BIT.disk;
    await s.clock.advance(s.timing.intervalMs * 3);
    s.peer.seesPeer = 0x0f;
    await s.clock.advance(2_000);
    expect(s.ofType('one-way')).toEqual([]);
  });

  it('zero false suspicions: 200 ms stall every 10 s plus up to 100 ms jitter, for 10 minutes', async () => {
    const s = setup();
    let rng = 12345;
    const random = () => (rng = (rng * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    s.runPeer(() => {
      const now = s.clock.monotonicMs();
      const stall = Math.floor((now + 100) / 10_000) > Math.floor(now / 10_000) ? 200 : 0;
      return s.timing.intervalMs + stall + Math.floor(random() * 100);
    });
    await s.clock.advance(600_000);
    expect(s.ofType('path-late')).toEqual([]);
    expect(s.ofType('peer-suspect')).toEqual([]);
    expect(s.ofType('peer-dead')).toEqual([]);
  });

  it('ignores heartbeats on an unconfigured path loudly (wiring bug)', () => {
    const s = setup(['net']);
    expect(() => s.membership.heartbeat('serial', heartbeat())).toThrow(RangeError);
  });
});

describe('membership stall guard', () => {
  it('a heartbeat queued at the instant the late timer fires is read before judging', async () => {
    const s = setup(['net']);
    s.send();
    await s.clock.advance(0);
    // Queued after membership armed its warntime timer, due at the same instant,
    // as a datagram sitting unread while the event loop was stalled would be.
    s.clock.after(s.timing.warntimeMs, () => s.send());
    await s.clock.advance(s.timing.warntimeMs + 10);
    expect(s.ofType('path-late')).toEqual([]);
    expect(s.membership.pathState('net')).toBe('up');
  });
});

describe('membership: the peer report', () => {
  it('tells a change of the peer state or groups at once, and nothing while they stay the same', async () => {
    const s = setup();
    let told = 0;
    s.membership.onReport(() => told++);
    s.membership.start();
    s.send({ state: 'active', groups: ['db'] });
    expect(told).toBe(1); // first hearing
    s.send({ state: 'active', groups: ['db'] });
    s.send({ state: 'active', groups: ['db'] });
    expect(told).toBe(1);
    s.send({ state: 'releasing', groups: ['db'] });
    expect(told).toBe(2);
    s.send({ state: 'standby', groups: [] });
    expect(told).toBe(3); // the release, heard in the same turn as its heartbeat
    await s.clock.advance(0);
    expect(s.membership.latestMessage()?.groups).toEqual([]);
  });
});

describe("membership and the peer's report", () => {
  it('an older beat arriving late on a slower path proves the path alive but never rolls the report back', async () => {
    const s = setup();
    let reports = 0;
    s.membership.onReport(() => reports++);
    // B's beat 1 (no group) is in its witness slot; beat 2 claims db and
    // reaches us on net first; the disk path reads the slot (beat 1) after it.
    s.peer.live = new Set(['disk']);
    s.send({ groups: [], state: 'standby' });
    s.peer.live = new Set(['net']);
    s.send({ groups: ['db'], state: 'taking-over' });
    expect(s.membership.latestMessage()?.groups).toEqual(['db']);
    const before = reports;
    s.intake.receiveWitnessSlot(s.peer.slot!);
    expect(s.membership.latestMessage()).toMatchObject({ seq: 2, groups: ['db'], state: 'taking-over' });
    expect(reports).toBe(before);
    await s.clock.advance(1);
    // The disk path counts as heard all the same.
    expect(s.membership.pathState('disk')).not.toBe('init');
    // A newer beat on any path is the report again.
    s.peer.live = new Set(['disk']);
    s.send({ groups: [], state: 'standby' });
    s.intake.receiveWitnessSlot(s.peer.slot!);
    expect(s.membership.latestMessage()).toMatchObject({ seq: 3, groups: [] });
    expect(reports).toBe(before + 1);
  });
});
