import { describe, expect, it } from 'vitest';
import { encodeHeartbeat } from '../../../firmware/cluster/message.ts';
import { HeartbeatAcceptor } from '../../../firmware/cluster/replay.ts';
import { BOX, KEY, OTHER_KEY, heartbeat } from './fixtures.ts';

function acceptor(retiredLimit?: number) {
  return new HeartbeatAcceptor({ boxId: BOX, self: 'A', key: KEY, retiredLimit });
}
const wire = (over: Parameters<typeof heartbeat>[0] = {}) => encodeHeartbeat(heartbeat(over), KEY);

describe('HeartbeatAcceptor', () => {
  it('accepts increasing seqs and flags the first message of an incarnation', () => {
    const a = acceptor();
    expect(a.receive('net', wire({ seq: 1 }))).toMatchObject({ ok: true, value: { newIncarnation: true } });
    expect(a.receive('net', wire({ seq: 2 }))).toMatchObject({ ok: true, value: { newIncarnation: false } });
    expect(a.receive('net', wire({ seq: 10 })).ok).toBe(true); // gaps are lost packets, fine
    expect(a.counters().accepted).toBe(3);
  });

  it('tracks seq per path: the same message via another path is accepted', () => {
    const a = acceptor();
    expect(a.receive('net', wire({ seq: 5 })).ok).toBe(true);
    expect(a.receive('serial', wire({ seq: 5 })).ok).toBe(true);
    expect(a.receive('disk', wire({ seq: 4 })).ok).toBe(true); // disk lags a little
  });

  it('refuses duplicates and replays on a path, counting each', () => {
    const a = acceptor();
    a.receive('net', wire({ seq: 5 }));
    expect(a.receive('net', wire({ seq: 5 }))).toMatchObject({ ok: false, error: { reason: 'duplicate' } });
    expect(a.receive('net', wire({ seq: 3 }))).toMatchObject({ ok: false, error: { reason: 'replay' } });
    expect(a.counters()).toMatchObject({ accepted: 1, duplicate: 1, replay: 1 });
  });

  it('refuses wrong box, reflection and forged messages', () => {
    const a = acceptor();
    expect(a.receive('net', wire({ boxId: BOX + 1 }))).toMatchObject({ error: { reason: 'wrong-box' } });
    expect(a.receive('net', wire({ controller: 'A' }))).toMatchObject({ error: { reason: 'reflection' } });
    const forged = encodeHeartbeat(heartbeat(), OTHER_KEY);
    expect(a.receive('net', forged)).toMatchObject({ error: { reason: 'bad-mac' } });
    expect(a.receive('net', new Uint8Array(3))).toMatchObject({ error: { reason: 'short' } });
    expect(a.counters()).toMatchObject({
      accepted: 0,
      'wrong-box': 1,
      reflection: 1,
      'bad-mac': 1,
      short: 1,
    });
    expect(a.currentIncarnation()).toBeUndefined();
  });

  it('takes a new incarnation as a restart and never goes back to a retired one', () => {
    const a = acceptor();
    a.receive('net', wire({ incarnation: 1n, seq: 900 }));
    expect(a.receive('net', wire({ incarnation: 2n, seq: 1 }))).toMatchObject({
      ok: true,
      value: { newIncarnation: true },
    });
    // In-flight or recorded traffic of the old incarnation, on any path.
    expect(a.receive('serial', wire({ incarnation: 1n, seq: 901 }))).toMatchObject({
      error: { reason: 'stale-incarnation' },
    });
    expect(a.receive('net', wire({ incarnation: 2n, seq: 2 })).ok).toBe(true);
    expect(a.counters()['stale-incarnation']).toBe(1);
  });

  it('resets per-path seqs on a new incarnation (seq restarts low)', () => {
    const a = acceptor();
    a.receive('serial', wire({ incarnation: 1n, seq: 500 }));
    a.receive('net', wire({ incarnation: 2n, seq: 1 }));
    expect(a.receive('serial', wire({ incarnation: 2n, seq: 1 })).ok).toBe(true);
  });

  it('bounds the retired set', () => {
    const a = acceptor(2);
    for (const inc of [1n, 2n, 3n, 4n]) a.receive('net', wire({ incarnation: inc }));
    expect(a.receive('net', wire({ incarnation: 2n }))).toMatchObject({
      error: { reason: 'stale-incarnation' },
    });
    // 1 fell out of the FIFO (documented limit), so it counts as a new restart.
    expect(a.receive('net', wire({ incarnation: 1n })).ok).toBe(true);
  });
});
