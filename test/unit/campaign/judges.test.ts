// Each judge decides from recorded observations alone (epoch ms), so each is
// tested on hand-written records: the violation, the near miss, the episode.
import { describe, expect, it } from 'vitest';
import { judgeDualMount } from '../../../tools/campaign/judges/dual-mount.ts';
import { judgeDualVip } from '../../../tools/campaign/judges/dual-vip.ts';
import { judgeFalseFailover, runnerAt } from '../../../tools/campaign/judges/false-failover.ts';
import { judgeRowsLost } from '../../../tools/campaign/judges/rows-lost.ts';
import { judgeUnrecovered } from '../../../tools/campaign/judges/unrecovered.ts';
import type { Controller } from '../../../tools/campaign/menu.ts';
import { LAB_TIMING } from '../../../firmware/cluster/timing.ts';
import type { GroupSample, InsertAttempt } from '../../../tools/campaign/observations.ts';
import { clientOutageMs } from '../../../tools/campaign/outage.ts';

const T0 = 1_764_720_000_000;
const MAC_A = '02:00:00:00:00:0a';
const MAC_B = '02:00:00:00:00:0b';

describe('dual VIP', () => {
  it('flags two MACs within 100 ms, once per episode', () => {
    const v = judgeDualVip([
      { t: T0, mac: MAC_A },
      { t: T0 + 100, mac: MAC_B },
      { t: T0 + 150, mac: MAC_A },
      { t: T0 + 5000, mac: MAC_B },
    ]);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ kind: 'dual_vip', t: T0 });
  });

  it('accepts a clean move (101 ms apart), one MAC repeating, and unsorted input', () => {
    expect(
      judgeDualVip([
        { t: T0 + 101, mac: MAC_B },
        { t: T0, mac: MAC_A },
      ]),
    ).toEqual([]);
    expect(
      judgeDualVip([
        { t: T0, mac: MAC_A },
        { t: T0 + 1, mac: MAC_A.toUpperCase() },
      ]),
    ).toEqual([]);
    expect(judgeDualVip([])).toEqual([]);
  });

  it('counts two separate episodes twice', () => {
    const v = judgeDualVip([
      { t: T0, mac: MAC_A },
      { t: T0 + 10, mac: MAC_B },
      { t: T0 + 2000, mac: MAC_B },
      { t: T0 + 2050, mac: MAC_A },
    ]);
    expect(v.map((x) => x.t)).toEqual([T0, T0 + 2000]);
  });
});

describe('dual mount', () => {
  const s = (t: number, A: boolean, B: boolean): { t: number; mounted: Record<Controller, boolean> } => ({
    t,
    mounted: { A, B },
  });

  it('flags a sampling round with the volume in both tables, once per run of rounds', () => {
    const v = judgeDualMount([
      s(T0, true, false),
      s(T0 + 50, true, true),
      s(T0 + 100, true, true),
      s(T0 + 150, false, true),
    ]);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ kind: 'dual_mount', t: T0 + 50 });
    expect(v[0]?.detail).toContain('2 sample(s)');
  });

  it('accepts a handover through nobody, and an episode open at the end still counts', () => {
    expect(judgeDualMount([s(T0, true, false), s(T0 + 50, false, false), s(T0 + 100, false, true)])).toEqual(
      [],
    );
    expect(judgeDualMount([s(T0, true, true)])).toHaveLength(1);
  });
});

describe('rows lost', () => {
  it('finds every acknowledged row missing from the final table, and only those', () => {
    const inserts: InsertAttempt[] = [
      { t: T0 + 3, id: 3, ok: true },
      { t: T0 + 1, id: 1, ok: true },
      { t: T0 + 2, id: 2, ok: false, error: 'connection reset' },
      { t: T0 + 4, id: 4, ok: true },
    ];
    // Row 2 was never acknowledged: its presence or absence is no loss.
    const v = judgeRowsLost(inserts, { t: T0 + 10, ids: [1, 2] });
    expect(v.map((x) => x.detail)).toEqual([
      `row 3 acknowledged at ${T0 + 3} is not in the final table`,
      `row 4 acknowledged at ${T0 + 4} is not in the final table`,
    ]);
    expect(judgeRowsLost(inserts, { t: T0 + 10, ids: [4, 3, 1] })).toEqual([]);
  });
});

describe('unrecovered', () => {
  const heal = T0 + 10_000;
  const bound = 20_000;
  const g = (t: number, ...on: Controller[]): GroupSample => ({ t, group: 'db', on });
  const ok = (t: number, id: number): InsertAttempt => ({ t, id, ok: true });
  const bad = (t: number, id: number): InsertAttempt => ({ t, id, ok: false, error: 'timeout' });

  it('accepts one runner and a successful last insert within the bound, and dates the convergence', () => {
    const r = judgeUnrecovered(
      heal,
      bound,
      ['db'],
      [g(heal + 100), g(heal + 3000, 'B')],
      [bad(heal + 500, 1), ok(heal + 3200, 2), ok(heal + 3300, 3)],
    );
    expect(r).toEqual({ convergedAt: heal + 3200, violation: null });
  });

  it('flags a group on nobody or on both at the bound', () => {
    const none = judgeUnrecovered(
      heal,
      bound,
      ['db'],
      [g(heal + 100, 'A'), g(heal + 19_000)],
      [ok(heal + 19_500, 1)],
    );
    expect(none.violation?.detail).toContain('group db on no controller');
    const both = judgeUnrecovered(heal, bound, ['db'], [g(heal + 100, 'A', 'B')], [ok(heal + 200, 1)]);
    expect(both.violation?.detail).toContain('group db on A and B');
    expect(both.convergedAt).toBeNull();
  });

  it('flags failing or missing inserts, an unsampled group, and ignores what came after the bound', () => {
    const failing = judgeUnrecovered(
      heal,
      bound,
      ['db'],
      [g(heal + 100, 'A')],
      [ok(heal + 50, 1), bad(heal + 19_999, 2)],
    );
    expect(failing.violation?.detail).toContain("the client's last insert failed: timeout");
    const late = judgeUnrecovered(
      heal,
      bound,
      ['db', 'nfs'],
      [g(heal + bound + 1, 'A')],
      [ok(heal + bound + 1, 1)],
    );
    expect(late.violation?.detail).toContain('group db not sampled');
    expect(late.violation?.detail).toContain('group nfs not sampled');
    expect(late.violation?.detail).toContain('no client insert');
    expect(late.violation?.t).toBe(heal + bound);
  });
});

describe('false failover', () => {
  const g = (t: number, ...on: Controller[]): GroupSample => ({ t, group: 'db', on });
  const inject = T0 + 1000;
  const moved = [g(T0, 'A'), g(inject, 'A'), g(inject + 1500), g(inject + 3000, 'B')];

  it('flags a move when the fault called for none (a single-path cut under load)', () => {
    const v = judgeFalseFailover([{ kind: 'cut', links: ['serial'] }], inject, ['db'], moved, LAB_TIMING);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ kind: 'false_failover', t: inject + 3000 });
    expect(v[0]?.detail).toContain('moved from A to B');
  });

  it('accepts a move the fault called for or allowed, and a second fault that did', () => {
    expect(
      judgeFalseFailover([{ kind: 'kill', controller: 'A' }], inject, ['db'], moved, LAB_TIMING),
    ).toEqual([]);
    expect(
      judgeFalseFailover([{ kind: 'stall', controller: 'A', ms: 1000 }], inject, ['db'], moved, LAB_TIMING),
    ).toEqual([]);
    expect(
      judgeFalseFailover(
        [{ kind: 'cut', links: ['serial'] }, { kind: 'switchover' }],
        inject,
        ['db'],
        moved,
        LAB_TIMING,
      ),
    ).toEqual([]);
  });

  it('flags a move of the runner away from a killed standby, and ignores a first start', () => {
    expect(
      judgeFalseFailover([{ kind: 'kill', controller: 'B' }], inject, ['db'], moved, LAB_TIMING),
    ).toHaveLength(1);
    const started = [g(T0), g(inject + 100, 'B')];
    expect(
      judgeFalseFailover([{ kind: 'cut', links: ['serial'] }], inject, ['db'], started, LAB_TIMING),
    ).toEqual([]);
    expect(runnerAt(moved, 'db', inject)).toBe('A');
    expect(runnerAt(moved, 'db', inject + 2000)).toBe('A');
  });
});

describe('client-seen outage', () => {
  const ok = (t: number): InsertAttempt => ({ t, id: t, ok: true });

  it('is the longest gap between acknowledgements across the window, from the last one before it', () => {
    const inserts = [
      ok(T0 - 30),
      ok(T0 + 20),
      ok(T0 + 40),
      { t: T0 + 60, id: 0, ok: false },
      ok(T0 + 2040),
      ok(T0 + 2060),
    ];
    expect(clientOutageMs(inserts, T0, T0 + 2070)).toBe(2000);
    // An outage still open at the window's end counts to its end; no acknowledgement at all, the whole window.
    expect(clientOutageMs([ok(T0 + 10)], T0, T0 + 5000)).toBe(4990);
    expect(clientOutageMs([], T0, T0 + 5000)).toBe(5000);
  });
});
