// The Takeovers page's geometry: phase bars that follow each other on one
// scale for every row, totals past the longest bar, a seconds axis with
// round ticks, the last 50 durations in time order; and records from the
// daemon checked before they are drawn.
import { describe, expect, it } from 'vitest';
import {
  checkedRecords,
  DURATIONS,
  durationLayout,
  niceStep,
  TIMELINE,
  timelineLayout,
  type TakeoverRecord,
} from '../../../firmware/web/client/takeover-chart.ts';

const T0 = Date.UTC(2026, 0, 1);
const rec = (at: number, totalMs: number, phases: [string, number][] = []): TakeoverRecord =>
  ({
    at,
    kind: 'takeover',
    by: 'B',
    from: 'A',
    reason: 'peer dead',
    totalMs,
    phases: phases.map(([name, ms]) => ({ name, ms })),
  }) as TakeoverRecord;

const PLOT = TIMELINE.width - TIMELINE.labelWidth - TIMELINE.right;

describe('timeline layout', () => {
  it('puts the phases end to end on one scale for all rows', () => {
    const { rows, scaleMs, height } = timelineLayout([
      rec(T0 + 1000, 4000, [
        ['detected', 1000],
        ['fenced', 1000],
        ['disk', 2000],
      ]),
      rec(T0, 8000, [
        ['detected', 6000],
        ['VIP announced', 2000],
      ]),
    ]);
    expect(scaleMs).toBe(8000);
    expect(height).toBe(TIMELINE.top + 2 * TIMELINE.rowHeight + 8);
    const [first, second] = rows;
    expect(first!.bars.map((b) => b.name)).toEqual(['detected', 'fenced', 'disk']);
    expect(first!.bars[0]!.x).toBe(TIMELINE.labelWidth);
    for (let i = 1; i < first!.bars.length; i++) {
      const before = first!.bars[i - 1]!;
      expect(first!.bars[i]!.x).toBeCloseTo(before.x + before.width);
    }
    expect(first!.bars.reduce((s, b) => s + b.width, 0)).toBeCloseTo(PLOT / 2);
    expect(second!.bars.reduce((s, b) => s + b.width, 0)).toBeCloseTo(PLOT);
    expect(second!.y).toBe(first!.y + TIMELINE.rowHeight);
    expect(second!.totalX).toBeCloseTo(TIMELINE.labelWidth + PLOT + 6);
  });

  it('draws bad durations as zero, never NaN, and survives no records', () => {
    const { rows } = timelineLayout([
      rec(T0, Number.NaN, [
        ['detected', -5],
        ['fenced', Number.POSITIVE_INFINITY],
        ['disk', 10],
      ]),
    ]);
    const bars = rows[0]!.bars;
    expect(bars.map((b) => b.ms)).toEqual([0, 0, 10]);
    for (const b of bars) expect(Number.isFinite(b.x) && Number.isFinite(b.width)).toBe(true);
    expect(rows[0]!.totalMs).toBe(0);
    expect(timelineLayout([]).rows).toEqual([]);
  });
});

describe('durations chart', () => {
  it('picks round steps', () => {
    expect(niceStep(7.3)).toBe(2);
    expect(niceStep(10)).toBe(2);
    expect(niceStep(0.9)).toBe(0.2);
    expect(niceStep(120)).toBe(50);
    expect(niceStep(0)).toBe(1);
    expect(niceStep(Number.NaN)).toBe(1);
  });

  it('keeps the newest 50 in time order, x by time, y by seconds', () => {
    const records = Array.from({ length: 60 }, (_, i) => rec(T0 + i * 60_000, (i + 1) * 100)).reverse();
    const { points, ticks, maxSeconds } = durationLayout(records, 50);
    expect(points).toHaveLength(50);
    expect(points[0]!.at).toBe(T0 + 10 * 60_000);
    expect(points.at(-1)!.seconds).toBe(6);
    expect(points[0]!.x).toBe(DURATIONS.left);
    expect(points.at(-1)!.x).toBe(DURATIONS.width - DURATIONS.right);
    for (let i = 1; i < points.length; i++) expect(points[i]!.x).toBeGreaterThan(points[i - 1]!.x);
    expect(maxSeconds).toBe(6);
    expect(ticks.map((t) => t.seconds)).toEqual([0, 2, 4, 6]);
    const bottom = DURATIONS.height - DURATIONS.bottom;
    expect(ticks[0]!.y).toBe(bottom);
    expect(ticks.at(-1)!.y).toBe(DURATIONS.top);
    expect(points.at(-1)!.y).toBe(DURATIONS.top);
  });

  it('spreads records of the same moment and centres a single one', () => {
    const same = durationLayout([rec(T0, 1000), rec(T0, 2000), rec(T0, 3000)]);
    expect(new Set(same.points.map((p) => p.x)).size).toBe(3);
    const one = durationLayout([rec(T0, 1500)]);
    expect(one.points[0]!.x).toBe(DURATIONS.left + (DURATIONS.width - DURATIONS.left - DURATIONS.right) / 2);
    expect(durationLayout([]).points).toEqual([]);
  });
});

describe('records from the daemon', () => {
  it('keeps only records with the fields drawn', () => {
    const good = rec(T0, 1000, [['detected', 1000]]);
    expect(checkedRecords({ takeovers: [good, null, 5, { at: 'x' }, { ...good, phases: 'no' }] })).toEqual([
      good,
    ]);
    expect(checkedRecords(null)).toEqual([]);
    expect(checkedRecords({ takeovers: 'no' })).toEqual([]);
  });
});
