// The drill's comparison with the previous one (firmware/drill/compare.ts),
// as pure functions: more than 50 % slower, by at least the drill's own
// resolution, in a step that passed both times, is flagged; nothing else.
import { describe, expect, it } from 'vitest';
import { MIN_SLOWER_MS, phaseKey, slowerPhases } from '../../../firmware/drill/compare.ts';
import type { DrillStep } from '../../../firmware/drill/report.ts';

const step = (
  kind: DrillStep['kind'],
  subject: string,
  ok: boolean,
  ms: Record<string, number>,
): DrillStep => ({
  kind,
  subject,
  ok,
  detail: '',
  phases: Object.entries(ms).map(([name, v]) => ({
    name: name as DrillStep['phases'][number]['name'],
    ms: v,
    on: 'A',
  })),
});

describe('slowerPhases', () => {
  it('flags a phase more than half as long again, and only that one', () => {
    const before = [step('switchover', 'db', true, { stop: 100, release: 300, pause: 700 })];
    const now = [step('switchover', 'db', true, { stop: 151, release: 450, pause: 1200 })];
    expect(slowerPhases(now, before)).toEqual([
      { phase: 'switchover db stop', previousMs: 100, ms: 151 },
      { phase: 'switchover db pause', previousMs: 700, ms: 1200 },
    ]);
  });

  it('exactly 50 % slower is not more than 50 %', () => {
    expect(
      slowerPhases(
        [step('path', 'net', true, { silence: 900 })],
        [step('path', 'net', true, { silence: 600 })],
      ),
    ).toEqual([]);
  });

  it('ignores a difference under the resolution, a step that failed, and what the previous drill lacks', () => {
    const before = [
      step('switchover', 'db', true, { disk: 2 }),
      step('resource', 'db/pg', false, { detected: 100 }),
    ];
    const now = [
      step('switchover', 'db', true, { disk: 2 + MIN_SLOWER_MS - 1 }),
      step('resource', 'db/pg', true, { detected: 1000 }),
      step('failback', 'db', true, { stop: 5000 }),
    ];
    expect(slowerPhases(now, before)).toEqual([]);
    // ...but a failed step now is not compared either.
    expect(slowerPhases([step('switchover', 'db', false, { disk: 500 })], before)).toEqual([]);
  });

  it('keys a phase by step, subject and phase', () => {
    expect(phaseKey({ kind: 'resource', subject: 'db/pg' }, 'restarted')).toBe('resource db/pg restarted');
  });
});
