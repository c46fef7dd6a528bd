// The overview's upgrade section as data (client/upgrade-view.ts): hidden
// without an upgrade, the whole plan's share for the <progress> bar (as
// tandemctl's bar), the step with the install's percentage, versions, order
// and details; no bar once stopped.
import { describe, expect, it } from 'vitest';
import { upgradeView } from '../../../firmware/web/client/upgrade-view.ts';
import type { CheckedUpgrade } from '../../../firmware/status/report-check.ts';

const plan = (over: Partial<CheckedUpgrade> = {}): CheckedUpgrade => ({
  step: 'install-first',
  version: '0.2.0',
  from: '0.1.0',
  first: 'B',
  second: 'A',
  percent: 40,
  detail: ['installing 0.2.0 on B'],
  startedAt: 1_000,
  updatedAt: 2_000,
  ...over,
});

describe('upgradeView', () => {
  it('is null (the section hidden) without an upgrade', () => {
    expect(upgradeView(undefined)).toBeNull();
    expect(upgradeView(null)).toBeNull();
  });

  it('a running install: step, its percentage, the whole plan on the bar, versions, order, details', () => {
    expect(upgradeView(plan())).toEqual({
      phase: 'running',
      tone: 'warn',
      title: 'Rolling upgrade to 0.2.0',
      stepText: 'step 2 of 5: install-first, 40 %',
      percent: 28, // (1 + 0.4) / 5
      versions: '0.1.0 → 0.2.0',
      order: 'B first, then A',
      detail: ['installing 0.2.0 on B'],
    });
  });

  it('the bar walks the steps; a step without a percentage counts from its start', () => {
    const at = (step: CheckedUpgrade['step'], percent: number | null) =>
      upgradeView(plan({ step, percent }))?.percent;
    expect(at('preflight', null)).toBe(0);
    expect(at('switchover', null)).toBe(40);
    expect(at('install-second', 100)).toBe(80);
    expect(at('failback', null)).toBe(80);
    expect(at('done', null)).toBe(100);
    expect(upgradeView(plan({ version: null, step: 'preflight', percent: null }))?.versions).toBe(
      '0.1.0 → ?',
    );
  });

  it('done, failed and aborted', () => {
    expect(upgradeView(plan({ step: 'done', percent: null }))).toMatchObject({
      phase: 'done',
      tone: 'ok',
      title: 'Rolling upgrade to 0.2.0 done',
      percent: 100,
    });
    expect(upgradeView(plan({ step: 'failed', percent: null, detail: ['B unhealthy'] }))).toMatchObject({
      phase: 'stopped',
      tone: 'bad',
      title: 'Rolling upgrade to 0.2.0 stopped',
      stepText: 'failed',
      percent: null,
      detail: ['B unhealthy'],
    });
    expect(upgradeView(plan({ step: 'aborted', percent: null }))).toMatchObject({
      phase: 'stopped',
      tone: 'warn',
      percent: null,
    });
  });
});
