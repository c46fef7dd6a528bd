// Versions on the wire through the real chain (docs/heartbeat.md, Versions):
// a peer of another protocol major is alive but not understood, another
// minor interoperates, and what we last heard is readable.
import { describe, expect, it } from 'vitest';
import { encodeHeartbeat } from '../../../firmware/cluster/message.ts';
import { PROTOCOL, type SoftwareVersions } from '../../../firmware/cluster/protocol.ts';
import { HeartbeatAcceptor } from '../../../firmware/cluster/replay.ts';
import { BOX, KEY, OTHER_KEY, VERSIONS, heartbeat } from './fixtures.ts';
import { setup } from './harness.ts';

const MAJOR_2: SoftwareVersions = {
  protocol: { major: 2, minor: 0 },
  firmwareVersion: '0.2.0',
  configSchema: 2,
};
const NEXT_MINOR: SoftwareVersions = {
  ...VERSIONS,
  protocol: { major: PROTOCOL.major, minor: PROTOCOL.minor + 1 },
};

describe('the acceptor and another major', () => {
  it('accepts an authenticated heartbeat of another major as not compatible, by its envelope', () => {
    const a = new HeartbeatAcceptor({ boxId: BOX, self: 'A', key: KEY });
    const bytes = encodeHeartbeat(heartbeat({ versions: MAJOR_2, seq: 5 }), KEY);
    const r = a.receive('net', bytes);
    expect(r).toMatchObject({
      ok: true,
      value: { compatible: false, newIncarnation: true, msg: { seq: 5 } },
    });
    expect(r.ok && r.value.msg.versions).toEqual(MAJOR_2);
    // Still judged like any heartbeat: a replay, another box, our own id are refused.
    expect(a.receive('net', bytes)).toMatchObject({ ok: false, error: { reason: 'duplicate' } });
    const other = encodeHeartbeat(heartbeat({ versions: MAJOR_2, seq: 6, boxId: 1 }), KEY);
    expect(a.receive('net', other)).toMatchObject({ ok: false, error: { reason: 'wrong-box' } });
    const own = encodeHeartbeat(heartbeat({ versions: MAJOR_2, seq: 7, controller: 'A' }), KEY);
    expect(a.receive('net', own)).toMatchObject({ ok: false, error: { reason: 'reflection' } });
    expect(a.counters().accepted).toBe(1);
  });

  it('refuses a heartbeat of another major with a bad tag as bad-mac (it proves nothing)', () => {
    const a = new HeartbeatAcceptor({ boxId: BOX, self: 'A', key: KEY });
    const r = a.receive('net', encodeHeartbeat(heartbeat({ versions: MAJOR_2 }), OTHER_KEY));
    expect(r).toMatchObject({ ok: false, error: { reason: 'bad-mac' } });
  });
});

describe('membership and the peer versions', () => {
  it('another major keeps the peer alive on every path, says incompatible, never dead', async () => {
    const s = setup();
    s.runPeer();
    await s.clock.advance(3_000);
    expect(s.membership.peerVersions()).toEqual(VERSIONS);
    expect(s.ofType('peer-versions')).toEqual([]); // the same protocol: nothing to tell
    s.peer.over = { versions: MAJOR_2 };
    await s.clock.advance(30_000);
    expect(s.membership.peerState()).toBe('alive');
    expect(s.ofType('peer-dead')).toEqual([]);
    expect(s.ofType('path-down')).toEqual([]);
    expect(s.membership.pathState('disk')).toBe('up');
    expect(s.membership.peerCompatible()).toBe(false);
    expect(s.membership.peerVersions()).toEqual(MAJOR_2);
    const [told] = s.ofType('peer-versions');
    expect(told).toMatchObject({ compatible: false, versions: MAJOR_2, previous: VERSIONS });
    expect(told?.reason).toMatch(/protocol 2\.0 .*incompatible/);
    // The body of a major-2 message is not read: the last compatible one stays.
    expect(s.membership.latestMessage()?.versions).toEqual(VERSIONS);

    // The peer is back on our major: compatible again, told once.
    s.peer.over = {};
    await s.clock.advance(1_000);
    expect(s.membership.peerCompatible()).toBe(true);
    expect(s.ofType('peer-versions').map((e) => e.compatible)).toEqual([false, true]);
  });

  it('a peer of another major that falls silent is dead like any other (the failover guard decides)', async () => {
    const s = setup();
    s.peer.over = { versions: MAJOR_2 };
    const stop = s.runPeer();
    await s.clock.advance(3_000);
    stop();
    await s.clock.advance(s.timing.deadtimeMs + 1_000);
    expect(s.membership.peerState()).toBe('dead');
    expect(s.membership.peerCompatible()).toBe(false); // what we last heard
  });

  it('another minor interoperates: compatible, its body read, one info event', async () => {
    const s = setup();
    s.peer.over = { versions: NEXT_MINOR, groups: ['db'] };
    s.runPeer();
    await s.clock.advance(5_000);
    expect(s.membership.peerState()).toBe('alive');
    expect(s.membership.peerCompatible()).toBe(true);
    expect(s.membership.latestMessage()?.groups).toEqual(['db']);
    expect(s.ofType('peer-versions')).toMatchObject([{ compatible: true, versions: NEXT_MINOR }]);
  });

  it('never heard: no versions, counted compatible (nothing to refuse yet)', () => {
    const s = setup();
    expect(s.membership.peerVersions()).toBeUndefined();
    expect(s.membership.peerCompatible()).toBe(true);
  });
});
