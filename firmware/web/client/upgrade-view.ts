// The overview's rolling-upgrade section as plain data: the step, how far
// the whole plan is (the <progress> bar's value, the share tandemctl's bar
// shows), the versions and the details. Pure, so it is unit-tested without a
// DOM; overview.ts turns it into elements (text only).
import type { CheckedUpgrade } from '../../status/report-check.ts';

/** The steps a plan that succeeds walks, in order (report-check.ts UPGRADE_STEPS less failed and aborted). */
const WALK = ['preflight', 'install-first', 'switchover', 'install-second', 'failback', 'done'] as const;

export interface UpgradeView {
  /** 'running', 'done', or 'stopped' (failed or aborted). */
  readonly phase: 'running' | 'done' | 'stopped';
  /** The page's colour class: warn while it runs or after an abort, ok when done, bad when it failed. */
  readonly tone: 'ok' | 'warn' | 'bad';
  readonly title: string;
  /** "step 2 of 5: install-first, 42 %", "done", "failed", "aborted". */
  readonly stepText: string;
  /** The whole plan's progress, 0..100, for <progress max=100>; null once stopped (no bar). */
  readonly percent: number | null;
  /** "0.1.0 → 0.2.0" ('?' before the preflight read the bundle's version). */
  readonly versions: string;
  /** "B first, then A". */
  readonly order: string;
  readonly detail: readonly string[];
}

/** The section for the report's `upgrade`, or null when there is none (the section is hidden). */
export function upgradeView(u: CheckedUpgrade | null | undefined): UpgradeView | null {
  if (u === null || u === undefined) return null;
  const to = u.version ?? '?';
  const base = {
    versions: `${u.from} → ${to}`,
    order: `${u.first} first, then ${u.second}`,
    detail: u.detail,
  };
  if (u.step === 'failed' || u.step === 'aborted')
    return {
      ...base,
      phase: 'stopped',
      tone: u.step === 'failed' ? 'bad' : 'warn',
      title: u.step === 'failed' ? `Rolling upgrade to ${to} stopped` : `Rolling upgrade to ${to} aborted`,
      stepText: u.step,
      percent: null,
    };
  if (u.step === 'done')
    return {
      ...base,
      phase: 'done',
      tone: 'ok',
      title: `Rolling upgrade to ${to} done`,
      stepText: 'done',
      percent: 100,
    };
  const index = WALK.indexOf(u.step);
  const inStep = u.percent === null ? 0 : Math.min(100, Math.max(0, u.percent)) / 100;
  const steps = WALK.length - 1; // done is where the bar is full, not a step
  return {
    ...base,
    phase: 'running',
    tone: 'warn',
    title: `Rolling upgrade to ${to}`,
    stepText: `step ${index + 1} of ${steps}: ${u.step}${u.percent === null ? '' : `, ${Math.round(u.percent)} %`}`,
    percent: Math.round(((index + inStep) / steps) * 100),
  };
}
