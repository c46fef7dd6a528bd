import { describe, expect, it } from 'vitest';
import type { JsonValue, LoggedEvent } from '../../../firmware/events/types.ts';
import { takeoverHistory } from '../../../firmware/status/takeover-phases.ts';

let id = 0;
const ev = (ts: number, code: string, message: string, data: JsonValue = null): LoggedEvent => ({
  id: ++id,
  ts,
  monoMs: ts,
  severity: 'info',
  source: 'test',
  code,
  message,
  data,
});
const transition = (ts: number, from: string, to: string, event: string, groups: string[] | null = null) =>
  ev(ts, 'FAILOVER_TRANSITION', `${from} --${event}--> ${to}`, {
    from,
    to,
    event,
    outcome: 'go',
    actions: [],
    groups,
  });
const started = (ts: number, type: string, name: string) =>
  ev(ts, 'RESOURCE_STARTED', `${type} ${name} start: ok`, { group: 'db', resource: name, action: 'start' });

// Controller B's log: A goes silent, B fences it and starts the group, later an operator switches it back.
const LOG: LoggedEvent[] = [
  ev(1_000, 'PEER_SUSPECT', 'peer suspect: no path up'),
  ev(6_000, 'PEER_DEAD', 'peer dead: every path silent'),
  transition(6_000, 'standby', 'peer-suspect', 'peer-dead'),
  transition(11_000, 'peer-suspect', 'fencing', 'lease-expired'),
  ev(12_000, 'TAKEOVER', 'ALARM: took over', {
    action: 'raise',
    subject: 'B',
    params: { reason: 'A was silent' },
  }),
  transition(12_000, 'fencing', 'starting', 'fence-ok'),
  started(12_500, 'reservation', 'pr'),
  started(13_000, 'filesystem', 'data'),
  started(13_200, 'vip', 'ip'),
  started(15_000, 'postgresql', 'pg'),
  transition(15_100, 'starting', 'active', 'groups-started'),
  // Much later: the operator moves the group to A.
  transition(900_000, 'active', 'releasing', 'operator-switchover', ['db']),
  started(900_500, 'dummy', 'x'),
  transition(903_000, 'releasing', 'standby', 'groups-stopped'),
];

describe('takeover history', () => {
  it('gives each takeover its phases, in time order, and the whole', () => {
    const [, takeover] = takeoverHistory([...LOG].reverse(), 'B');
    expect(takeover).toEqual({
      at: 12_000,
      kind: 'takeover',
      by: 'B',
      from: 'A',
      reason: 'A was silent',
      totalMs: 14_100,
      phases: [
        { name: 'detected', ms: 5_000 },
        { name: 'fenced', ms: 6_000 },
        { name: 'disk', ms: 500 },
        { name: 'mounted', ms: 500 },
        { name: 'VIP announced', ms: 200 },
        { name: 'database up', ms: 1_800 },
      ],
    });
  });

  it('lists switchovers this controller made, newest first, and keeps to the limit', () => {
    const all = takeoverHistory(LOG, 'B');
    expect(all.map((r) => r.kind)).toEqual(['switchover', 'takeover']);
    expect(all[0]).toEqual({
      at: 900_000,
      kind: 'switchover',
      by: 'A',
      from: 'B',
      reason: 'operator-switchover (db)',
      totalMs: 3_000,
      phases: [],
    });
    expect(takeoverHistory(LOG, 'B', 1).map((r) => r.kind)).toEqual(['switchover']);
  });

  it('leaves out phases whose edges rotated out of the log', () => {
    const late = LOG.filter((e) => e.ts >= 12_000 && e.ts < 900_000);
    const [r] = takeoverHistory(late, 'B');
    expect(r?.phases.map((p) => p.name)).toEqual(['disk', 'mounted', 'VIP announced', 'database up']);
    expect(r?.totalMs).toBe(3_100);
  });

  it('ignores a cleared TAKEOVER and a refused switchover', () => {
    const noise = [
      ev(5, 'TAKEOVER', 'ALARM cleared', { action: 'clear', subject: 'B' }),
      ev(7, 'FAILOVER_TRANSITION', 'refused', {
        from: 'active',
        to: 'active',
        event: 'operator-switchover',
        outcome: 'refused',
      }),
    ];
    expect(takeoverHistory(noise, 'B')).toEqual([]);
  });
});
