// The drill's preflight (firmware/drill/preflight.ts): the checks a takeover
// would need, on both controllers; each refusal names what it found.
import { describe, expect, it } from 'vitest';
import type { ControllerId } from '../../../firmware/cluster/codes.ts';
import type { ReservationView } from '../../../firmware/commands/context.ts';
import { preflight } from '../../../firmware/drill/preflight.ts';
import { boxPrefix, makeKey } from '../../../firmware/fencing/keys.ts';
import type { CheckedReport } from '../../../firmware/status/report-check.ts';
import type { StatusReport } from '../../../firmware/status/snapshot.ts';

const BOX = 'box-1';
const key = (c: ControllerId, gen = 1): bigint => makeKey(boxPrefix(BOX), c, gen);

function report(c: ControllerId, change: Partial<StatusReport> = {}): StatusReport {
  const peer: ControllerId = c === 'A' ? 'B' : 'A';
  return {
    boxId: BOX,
    controller: c,
    state: c === 'A' ? 'active' : 'standby',
    stateText: '',
    since: 0,
    peer: {
      id: peer,
      state: 'alive',
      peerState: c === 'A' ? 'standby' : 'active',
      paths: [
        { path: 'serial', state: 'up', lastHeardAgoMs: 50, oneWay: false },
        { path: 'net', state: 'up', lastHeardAgoMs: 50, oneWay: false },
      ],
    },
    groups: [
      {
        name: 'db',
        preferred: 'A',
        owner: 'A',
        state: 'running',
        failedOn: [],
        resources: [{ name: 'pr', type: 'reservation', health: c === 'A' ? 'ok' : 'unknown', failCount: 0 }],
      },
    ],
    diskAccess: true,
    activeAlarms: 0,
    configVersion: 1,
    updatedAt: 0,
    firmwareVersion: '1.0.0',
    maintenance: false,
    alarms: [],
    lastTakeover: null,
    takeover: [
      { by: c, from: peer, possible: true, why: [] },
      { by: peer, from: c, possible: true, why: [] },
    ],
    muted: false,
    locate: false,
    upgrade: null,
    ...change,
  };
}

const GOOD_KEYS: ReservationView = {
  ourKey: key('A'),
  keys: [key('A'), key('B')],
  reservation: { key: key('A'), type: 5 },
  weAreFenced: false,
};

const run = (here: StatusReport, peer: StatusReport | string, reservations = GOOD_KEYS) =>
  preflight({
    here,
    peer: typeof peer === 'string' ? { ok: false, error: peer } : { ok: true, value: peer as CheckedReport },
    reservations,
    peerDrill: typeof peer === 'string' ? peer : null,
    home: () => 'A',
  });
const failed = (checks: ReturnType<typeof run>) =>
  Object.fromEntries(checks.filter((c) => !c.ok).map((c) => [c.check, c.detail]));

describe('drill preflight', () => {
  it('passes a healthy pair, saying what it saw', () => {
    const checks = run(report('A'), report('B'));
    expect(failed(checks)).toEqual({});
    expect(checks.map((c) => c.check)).toEqual([
      'peer reachable',
      'both healthy',
      'heartbeat paths',
      'reservations',
      'groups',
      'no upgrade',
    ]);
    expect(checks.find((c) => c.check === 'reservations')?.detail).toMatch(/^2 keys .*, reserved by 0x/);
  });

  it('names a peer that does not answer and what the takeover outlook says', () => {
    const here = report('A', {
      takeover: [
        { by: 'A', from: 'B', possible: true, why: [] },
        { by: 'B', from: 'A', possible: false, why: ['B is suspect: its heartbeats are failing'] },
      ],
    });
    expect(failed(run(here, 'peer B: no answer to status within 5000 ms'))).toEqual({
      'peer reachable':
        'B did not answer its status: peer B: no answer to status within 5000 ms; ' +
        "B does not take the drill's requests: peer B: no answer to status within 5000 ms",
      'both healthy': 'B is suspect: its heartbeats are failing',
    });
  });

  it('names stale, missing and foreign keys, and a preempted one', () => {
    const stale: ReservationView = {
      ourKey: key('A', 2),
      keys: [key('A', 1), key('A', 2), key('B', 1), key('B', 2), 0x1234n << 32n],
      reservation: { key: key('A', 2), type: 5 },
      weAreFenced: false,
    };
    const detail = failed(run(report('A'), report('B'), stale))['reservations'];
    expect(detail).toMatch(/stale keys of B: 0x[0-9a-f]{16}, 0x[0-9a-f]{16}/);
    expect(detail).toMatch(/stale keys of A: 0x[0-9a-f]{16}/);
    expect(detail).toMatch(/keys of another box: 0x0000123400000000/);
    const fenced: ReservationView = {
      ourKey: key('A'),
      keys: [key('B')],
      reservation: null,
      weAreFenced: true,
    };
    expect(failed(run(report('A'), report('B'), fenced))['reservations']).toBe(
      `A's key was preempted: A is fenced; A's key 0x${key('A').toString(16).padStart(16, '0')} is not on the shared LUN; ` +
        'no reservation on the shared LUN, though a group holds one',
    );
  });

  it('names a failed group, a resource with failures, a path down and an upgrade under way', () => {
    const here = report('A', {
      groups: [
        {
          name: 'db',
          preferred: 'A',
          owner: 'A',
          state: 'running',
          failedOn: ['B'],
          resources: [{ name: 'pr', type: 'reservation', health: 'ok', failCount: 2 }],
        },
      ],
    });
    const peer = report('B', {
      peer: {
        ...report('B').peer,
        paths: [{ path: 'net', state: 'down', lastHeardAgoMs: 9000, oneWay: false }],
      },
      upgrade: {
        from: '1.0.0',
        version: '1.1.0',
        first: 'B',
        second: 'A',
        step: 'install-first',
        detail: [],
        percent: 10,
        startedAt: 0,
        updatedAt: 0,
      },
    });
    expect(failed(run(here, peer))).toEqual({
      'heartbeat paths': 'B hears its peer on net: down',
      groups: 'group db failed on B (cleanup first); db/pr failed 2 times lately on A (cleanup first)',
      'no upgrade': 'a rolling upgrade is at install-first',
    });
  });
});
