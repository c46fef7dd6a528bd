// The plan is a pure function of the seed: the same seed draws the same
// steps, `--replay SEED --from K` draws exactly the original steps from K on,
// and every parameter stays in its range.
import { describe, expect, it } from 'vitest';
import { RANGES, isOperator, type Fault } from '../../../tools/campaign/menu.ts';
import { SEED_MAX, conflicts, drawPlan, faultsOf, type Step } from '../../../tools/campaign/plan.ts';
import { CUTTABLE } from '../../../tools/lab/topology.ts';

function inRange(v: number, r: { min: number; max: number }): boolean {
  return Number.isInteger(v) && v >= r.min && v <= r.max;
}

function checkFault(f: Fault): void {
  switch (f.kind) {
    case 'kill':
    case 'kill-postgres':
    case 'restart-tgtd':
    case 'switchover':
      return;
    case 'poweroff':
      expect(inRange(f.offMs, RANGES.offMs)).toBe(true);
      return;
    case 'stall':
      expect(inRange(f.ms, RANGES.stallMs)).toBe(true);
      return;
    case 'cut':
      expect(f.links.length).toBeGreaterThanOrEqual(1);
      expect(f.links.length).toBeLessThanOrEqual(4);
      expect(new Set(f.links).size).toBe(f.links.length);
      for (const l of f.links) expect(CUTTABLE).toContain(l);
      return;
    case 'serial-mode':
      if (f.mode.kind === 'corrupt') expect(f.mode.fraction).toBeGreaterThan(0);
      else expect(inRange(f.mode.ms, RANGES.serialDelayMs)).toBe(true);
      return;
    case 'degrade':
      expect(inRange(f.lossPct, RANGES.lossPct)).toBe(true);
      expect(inRange(f.duplicatePct, RANGES.duplicatePct)).toBe(true);
      return;
    case 'fill-volume':
      expect(inRange(f.pct, RANGES.fillPct)).toBe(true);
      return;
    case 'starve':
      expect(inRange(f.workers, RANGES.starveWorkers)).toBe(true);
      return;
    case 'maintenance':
      expect(inRange(f.ms, RANGES.maintenanceMs)).toBe(true);
      return;
  }
}

describe('campaign plan', () => {
  const plan: readonly Step[] = drawPlan(20261203, 0, 1000);

  it('draws the same steps for the same seed, other steps for another', () => {
    expect(drawPlan(20261203, 0, 1000)).toEqual(plan);
    expect(drawPlan(20261204, 0, 50)).not.toEqual(plan.slice(0, 50));
  });

  it('replays exactly the original steps from STEP on', () => {
    for (const from of [0, 1, 17, 500, 999]) {
      expect(drawPlan(20261203, from, 1000 - from)).toEqual(plan.slice(from));
    }
    // A shorter run is a prefix of a longer one: --faults does not change the steps.
    expect(drawPlan(20261203, 0, 30)).toEqual(plan.slice(0, 30));
    expect(drawPlan(20261203, 250, 1)).toEqual([plan[250]]);
  });

  it('numbers the steps and keeps every parameter in range', () => {
    plan.forEach((s, i) => {
      expect(s.index).toBe(i);
      expect(inRange(s.holdMs, RANGES.holdMs)).toBe(true);
      for (const f of faultsOf(s)) checkFault(f);
    });
  });

  it('draws every kind and every overlap, operators only in the middle of another fault', () => {
    const kinds = new Set(plan.flatMap((s) => faultsOf(s).map((f) => f.kind)));
    expect(kinds.size).toBe(12);
    expect(new Set(plan.map((s) => s.overlap))).toEqual(new Set(['alone', 'together', 'during-recovery']));
    for (const s of plan) {
      expect(isOperator(s.first.kind)).toBe(false);
      if (s.overlap !== 'alone') {
        expect(conflicts(s.first, s.second)).toBe(false);
        if (s.second.kind === 'switchover') {
          expect(s.overlap).toBe('during-recovery');
          expect(['kill', 'poweroff', 'stall']).toContain(s.first.kind);
        }
      }
    }
    // Switchover during a takeover comes often enough to matter in a long run.
    expect(
      plan.filter((s) => s.overlap !== 'alone' && s.second.kind === 'switchover').length,
    ).toBeGreaterThanOrEqual(8);
    // Cuts come alone and combined, up to isolating a controller.
    const cuts = plan.flatMap((s) => faultsOf(s)).filter((f) => f.kind === 'cut');
    expect(new Set(cuts.map((c) => c.links.length))).toEqual(new Set([1, 2, 3, 4]));
  });

  it('rejects a seed or a range it cannot draw', () => {
    expect(() => drawPlan(-1, 0, 1)).toThrow(/seed/);
    expect(() => drawPlan(SEED_MAX + 1, 0, 1)).toThrow(/seed/);
    expect(() => drawPlan(1.5, 0, 1)).toThrow(/seed/);
    expect(() => drawPlan(1, 0, 10_001)).toThrow(/count/);
    expect(() => drawPlan(1, 9_999, 2)).toThrow(/count/);
    expect(drawPlan(SEED_MAX, 0, 2)).toHaveLength(2);
  });
});
