// The campaign loop: for each step of the plan, inject, hold, heal, let the
// pair converge within the bound, then judge what the observers recorded;
// at the end, judge the final table against every acknowledged row. Lab
// independent: everything it does to the box goes through the Executor.
import { strongest, type TakeoverExpectation, takeoverExpected } from './expect.ts';
import type { BeatTiming } from '../lab/configs/timing.ts';
import type { Executor } from './executor.ts';
import { judgeDualMount } from './judges/dual-mount.ts';
import { judgeDualVip } from './judges/dual-vip.ts';
import { judgeFalseFailover, runnerAt } from './judges/false-failover.ts';
import { judgeRowsLost } from './judges/rows-lost.ts';
import { judgeUnrecovered } from './judges/unrecovered.ts';
import type { Violation } from './judges/violation.ts';
import { healOf } from './menu.ts';
import type { InsertAttempt, Observations } from './observations.ts';
import { clientOutageMs } from './outage.ts';
import { drawPlan, faultsOf, type Step } from './plan.ts';
import type { CampaignDoc, StepRecord, TimelineEvent, ViolationRecord } from './report.ts';

/** Logs kept around a violation: enough to see its cause and the reaction. */
export const LOG_AROUND_MS = 3000;
/** At most this many log lines per violation, so a storm of logs cannot bloat the report. */
export const LOG_LINES_MAX = 80;
/** How far before each injection the observers' records are read (who ran each group). */
export const LEAD_IN_MS = 2000;

export interface CampaignOptions {
  readonly seed: number;
  readonly from: number;
  readonly count: number;
  /** The groups the pair runs (each must end on exactly one controller). */
  readonly groups: readonly string[];
  /** The pair's heartbeat: where a stall starts to call for a takeover (expect.ts). */
  readonly timing: BeatTiming;
  /** Called on each violation as it is found, to print the seed, the step and the replay command. */
  readonly onViolation?: (step: number, v: Violation) => void;
  /** Called after each step with what was judged then (rows lost come only at the end). */
  readonly onStep?: (record: StepRecord) => void;
  /** Asked before each step: true ends the campaign there (an operator's Ctrl-C), judged and reported as far as it got. */
  readonly stopRequested?: () => boolean;
}

async function withLogs(x: Executor, v: Violation): Promise<ViolationRecord> {
  const logs = await x.logs(v.t - LOG_AROUND_MS, v.t + LOG_AROUND_MS);
  return { ...v, logs: logs.slice(0, LOG_LINES_MAX) };
}

async function runStep(
  x: Executor,
  step: Step,
  observedFrom: number,
  groups: readonly string[],
  timing: BeatTiming,
): Promise<{ record: Omit<StepRecord, 'violations'>; violations: Violation[]; obs: Observations }> {
  const timeline: TimelineEvent[] = [];
  const mark = (what: string): void => void timeline.push({ t: x.now(), what });
  const faults = faultsOf(step);
  const injectedAt = x.now();
  await x.inject(step, step.first);
  mark(`inject ${step.first.kind}`);
  if (step.overlap === 'together') {
    await x.inject(step, step.second);
    mark(`inject ${step.second.kind}`);
  }
  await x.sleep(step.holdMs);
  await x.heal(step, step.first);
  mark(`heal ${step.first.kind}`);
  if (step.overlap === 'together') {
    await x.heal(step, step.second);
    mark(`heal ${step.second.kind}`);
  }
  if (step.overlap === 'during-recovery') {
    await x.sleep(step.secondAfterMs);
    await x.inject(step, step.second);
    mark(`inject ${step.second.kind}`);
    await x.sleep(step.secondHoldMs);
    await x.heal(step, step.second);
    mark(`heal ${step.second.kind}`);
  }
  const healedAt = x.now();
  await x.settle(step, healedAt + step.boundMs);
  const endedAt = x.now();
  // Read from a lead-in before the injection (who ran each group then), but
  // judge each record once: the records up to `observedFrom` were the previous step's.
  const all = await x.observe(Math.min(observedFrom, injectedAt - LEAD_IN_MS), endedAt);
  const fresh = <T extends { readonly t: number }>(xs: readonly T[]): T[] =>
    xs.filter((r) => r.t > observedFrom);
  const obs: Observations = {
    arp: fresh(all.arp),
    mounts: fresh(all.mounts),
    inserts: fresh(all.inserts),
    groups: all.groups,
  };
  const recovery = judgeUnrecovered(healedAt, step.boundMs, groups, obs.groups, obs.inserts);
  if (recovery.convergedAt !== null) timeline.push({ t: recovery.convergedAt, what: 'converged' });
  const violations = [
    ...judgeDualVip(obs.arp),
    ...judgeDualMount(obs.mounts),
    ...(recovery.violation === null ? [] : [recovery.violation]),
    ...judgeFalseFailover(faults, injectedAt, groups, obs.groups, timing),
  ];
  // What the step's faults called for, for the group runners at injection (the report shows the strongest).
  let takeover: TakeoverExpectation = 'never';
  for (const g of groups) {
    const runner = runnerAt(obs.groups, g, injectedAt);
    for (const f of faults) takeover = strongest(takeover, takeoverExpected(f, runner, timing));
  }
  return {
    record: {
      index: step.index,
      overlap: step.overlap,
      faults: faults.map((fault) => ({ fault, heal: healOf(fault) })),
      holdMs: step.holdMs,
      boundMs: step.boundMs,
      takeover,
      injectedAt,
      healedAt,
      endedAt,
      recoveryMs: recovery.convergedAt === null ? null : Math.max(0, recovery.convergedAt - healedAt),
      outageMs: clientOutageMs(obs.inserts, injectedAt, endedAt),
      timeline: timeline.sort((a, b) => a.t - b.t),
    },
    violations,
    obs,
  };
}

/** Runs steps `from .. from + count - 1` of the seed's plan through `x`; returns the campaign's record. */
export async function runCampaign(x: Executor, o: CampaignOptions): Promise<CampaignDoc> {
  const plan = drawPlan(o.seed, o.from, o.count);
  const startedAt = x.now();
  let observedFrom = startedAt;
  const acked: InsertAttempt[] = [];
  const records: StepRecord[] = [];
  const pending: { record: Omit<StepRecord, 'violations'>; violations: ViolationRecord[] }[] = [];
  for (const step of plan) {
    if (o.stopRequested?.() === true) break;
    const { record, violations, obs } = await runStep(x, step, observedFrom, o.groups, o.timing);
    observedFrom = record.endedAt;
    for (const i of obs.inserts) if (i.ok) acked.push(i);
    const withContext: ViolationRecord[] = [];
    for (const v of violations) {
      o.onViolation?.(step.index, v);
      withContext.push(await withLogs(x, v));
    }
    pending.push({ record, violations: withContext });
    o.onStep?.({ ...record, violations: withContext });
  }
  // Rows lost are known only from the final table: each belongs to the step that acknowledged it.
  const lost = judgeRowsLost(acked, await x.finalTable());
  for (const v of lost) {
    const owner = pending.findLast((p) => p.record.injectedAt <= v.t) ?? pending[0];
    if (owner === undefined) continue;
    o.onViolation?.(owner.record.index, v);
    owner.violations.push(await withLogs(x, v));
  }
  for (const p of pending) records.push({ ...p.record, violations: p.violations });
  return { bench: 'campaign', seed: o.seed, from: o.from, startedAt, endedAt: x.now(), steps: records };
}
