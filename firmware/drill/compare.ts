// A drill against the previous one: every phase both timed (same step, same
// subject, same phase) that took more than half as long again is flagged.
// A difference under MIN_SLOWER_MS is never flagged: that is the drill's
// own resolution (it watches the peer's claims every POLL_MS, and a timer
// fires a few ms late), not a slower box.
import type { DrillStep, SlowerPhase } from './report.ts';

/** Flagged when now > previous × this. */
export const SLOWER_RATIO = 1.5;
/** ...and now − previous is at least this. */
export const MIN_SLOWER_MS = 10;

/** How a phase is named in a comparison: "switchover db pause". */
export function phaseKey(step: Pick<DrillStep, 'kind' | 'subject'>, phase: string): string {
  return `${step.kind} ${step.subject} ${phase}`;
}

/** The phases of `now` that got more than 50 % slower than in `previous` (steps that passed in both). */
export function slowerPhases(now: readonly DrillStep[], previous: readonly DrillStep[]): SlowerPhase[] {
  const before = new Map<string, number>();
  for (const step of previous)
    if (step.ok) for (const p of step.phases) before.set(phaseKey(step, p.name), p.ms);
  const out: SlowerPhase[] = [];
  for (const step of now) {
    if (!step.ok) continue;
    for (const p of step.phases) {
      const key = phaseKey(step, p.name);
      const was = before.get(key);
      if (was === undefined) continue;
      if (p.ms > was * SLOWER_RATIO && p.ms - was >= MIN_SLOWER_MS)
        out.push({ phase: key, previousMs: was, ms: p.ms });
    }
  }
  return out;
}
