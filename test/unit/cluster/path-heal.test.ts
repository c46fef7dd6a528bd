// Coming back up (membership.ts HEAL_BEATS): a down path returns after two
// consecutive good beats while the peer lives on another path, so a heal
// that stutters does not flap; with no other path up, the first beat is
// proof of life at once (docs/heartbeat.md "Coming back up").
import { describe, expect, it } from 'vitest';
import { HEAL_BEATS } from '../../../firmware/cluster/membership.ts';
import { setup } from './harness.ts';

describe('a down path coming back', () => {
  async function netDown() {
    const s = setup();
    const stop = s.runPeer();
    await s.clock.advance(3000);
    s.peer.live.delete('net');
    await s.clock.advance(3000);
    expect(s.membership.pathState('net')).toBe('down');
    return { s, stop };
  }

  it('needs two consecutive good beats: up one interval after the first', async () => {
    const { s } = await netDown();
    expect(HEAL_BEATS).toBe(2);
    const from = s.events.length;
    s.peer.live.add('net');
    await s.clock.advance(s.timing.intervalMs); // the first good beat
    expect(s.membership.pathState('net')).toBe('down');
    const firstAt = s.clock.monotonicMs();
    await s.clock.advance(s.timing.intervalMs); // the second
    expect(s.membership.pathState('net')).toBe('up');
    const up = s.events.slice(from).filter((e) => e.type === 'path-up');
    expect(up).toHaveLength(1);
    expect(up[0]!.atMs - firstAt).toBeLessThanOrEqual(2 * s.timing.intervalMs);
  });

  it('a lone beat between silences does not flap the path', async () => {
    const { s } = await netDown();
    const from = s.events.length;
    for (let i = 0; i < 5; i++) {
      s.peer.live.add('net');
      await s.clock.advance(s.timing.intervalMs);
      s.peer.live.delete('net');
      await s.clock.advance(5 * s.timing.intervalMs);
    }
    expect(s.events.slice(from).filter((e) => 'path' in e && e.path === 'net')).toEqual([]);
    expect(s.membership.pathState('net')).toBe('down');
  });

  it('with no other path up, the first beat brings its path up at once (liveness never waits)', async () => {
    const s = setup();
    const stop = s.runPeer();
    await s.clock.advance(3000);
    stop();
    await s.clock.advance(3000);
    expect(s.membership.peerState()).toBe('dead');
    s.peer.live.clear();
    s.peer.live.add('serial');
    s.runPeer();
    await s.clock.advance(s.timing.intervalMs);
    expect(s.membership.pathState('serial')).toBe('up');
    expect(s.membership.peerState()).toBe('alive');
  });

  it('a path held by its streak comes up when the last path up leaves, not a dead peer', async () => {
    const { s } = await netDown();
    // net heals; serial and disk fall silent at the same moment.
    s.peer.live.add('net');
    await s.clock.advance(s.timing.intervalMs);
    expect(s.membership.pathState('net')).toBe('down');
    s.peer.live.delete('serial');
    s.peer.live.delete('disk');
    await s.clock.advance(3000);
    expect(s.membership.pathState('net')).toBe('up');
    expect(s.ofType('peer-dead')).toEqual([]);
    expect(s.ofType('peer-suspect')).toEqual([]);
  });
});
