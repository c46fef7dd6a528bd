// campaign.json: the typed record of a campaign, and the RESULT line computed
// from it (never from counters kept on the side, so the two cannot disagree).
import { percentile } from '../stats/percentile.ts';
import type { TakeoverExpectation } from './expect.ts';
import type { ViolationKind } from './judges/violation.ts';
import type { Fault } from './menu.ts';
import type { LogLine } from './observations.ts';
import type { Overlap } from './plan.ts';

export interface TimelineEvent {
  readonly t: number;
  readonly what: string;
}

export interface ViolationRecord {
  readonly kind: ViolationKind;
  readonly t: number;
  readonly detail: string;
  /** The log lines within a few seconds of `t`, from every source. */
  readonly logs: readonly LogLine[];
}

export interface InjectedFault {
  readonly fault: Fault;
  readonly heal: string;
}

export interface StepRecord {
  readonly index: number;
  readonly overlap: Overlap;
  readonly faults: readonly InjectedFault[];
  readonly holdMs: number;
  readonly boundMs: number;
  readonly takeover: TakeoverExpectation;
  readonly injectedAt: number;
  readonly healedAt: number;
  readonly endedAt: number;
  /** Heal to convergence, or null if the pair did not converge within the bound. */
  readonly recoveryMs: number | null;
  readonly outageMs: number;
  readonly timeline: readonly TimelineEvent[];
  readonly violations: readonly ViolationRecord[];
}

export interface CampaignDoc {
  readonly bench: 'campaign';
  readonly seed: number;
  readonly from: number;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly steps: readonly StepRecord[];
}

export interface Result {
  readonly bench: 'campaign';
  readonly faults: number;
  readonly violations: number;
  readonly dual_vip: number;
  readonly dual_mount: number;
  readonly rows_lost: number;
  readonly unrecovered: number;
  readonly false_failovers: number;
  readonly outage_p50_ms: number;
  readonly outage_p99_ms: number;
  readonly seed: number;
}

/** `faults` counts the steps judged (a step is one fault, or two meeting); the outage percentiles are nearest-rank over them, whole ms. */
export function summarize(doc: CampaignDoc): Result {
  const all = doc.steps.flatMap((s) => s.violations);
  const count = (k: ViolationKind): number => all.filter((v) => v.kind === k).length;
  const outages = doc.steps.map((s) => s.outageMs).sort((a, b) => a - b);
  const pct = (p: number): number => (outages.length === 0 ? 0 : Math.round(percentile(outages, p)));
  return {
    bench: 'campaign',
    faults: doc.steps.length,
    violations: all.length,
    dual_vip: count('dual_vip'),
    dual_mount: count('dual_mount'),
    rows_lost: count('rows_lost'),
    unrecovered: count('unrecovered'),
    false_failovers: count('false_failover'),
    outage_p50_ms: pct(50),
    outage_p99_ms: pct(99),
    seed: doc.seed,
  };
}

export function resultLine(r: Result): string {
  return `RESULT ${JSON.stringify(r)}`;
}

/** The command that draws the same steps again from `step` to the end of the original run. */
export function replayCommand(seed: number, step: number, end: number): string {
  return `npm run campaign -- --replay ${seed} --from ${step} --faults ${end - step}`;
}

/** What a violation prints as it is found: the seed, the step, and how to get it again. */
export function formatViolation(
  seed: number,
  step: number,
  end: number,
  v: { kind: string; detail: string },
): string {
  return `VIOLATION ${v.kind} seed ${seed} step ${step}: ${v.detail}\n  replay: ${replayCommand(seed, step, end)}`;
}
