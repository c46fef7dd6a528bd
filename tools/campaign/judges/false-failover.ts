// False failover: a group that moved to the other controller while the
// step's faults did not call for a takeover (expect.ts says 'never': the peer
// was healthy and reachable on at least one path). A move is read from the
// group samples, not from the firmware's log: the single runner before,
// then a single different runner (through none in between, or not).
import { strongest, takeoverExpected, type TakeoverExpectation } from '../expect.ts';
import type { BeatTiming } from '../../lab/configs/timing.ts';
import type { Controller, Fault } from '../menu.ts';
import type { GroupSample } from '../observations.ts';
import type { Violation } from './violation.ts';

/** The group's single runner in the last sample at or before `t` that showed one, or null. */
export function runnerAt(groups: readonly GroupSample[], group: string, t: number): Controller | null {
  const before = groups
    .filter((s) => s.group === group && s.t <= t && s.on.length === 1)
    .sort((a, b) => a.t - b.t);
  return before.at(-1)?.on[0] ?? null;
}

export function judgeFalseFailover(
  faults: readonly Fault[],
  injectedAt: number,
  groupNames: readonly string[],
  groups: readonly GroupSample[],
  timing: BeatTiming,
): Violation[] {
  const out: Violation[] = [];
  for (const name of groupNames) {
    const before = runnerAt(groups, name, injectedAt);
    // Nobody ran it: a start is not a takeover.
    if (before === null) continue;
    const expected: TakeoverExpectation = faults
      .map((f) => takeoverExpected(f, before, timing))
      .reduce(strongest, 'never');
    let runner: Controller = before;
    const window = groups.filter((s) => s.group === name && s.t > injectedAt).sort((a, b) => a.t - b.t);
    for (const s of window) {
      const now = s.on.length === 1 ? s.on[0] : undefined;
      if (now === undefined || now === runner) continue;
      if (expected === 'never') {
        out.push({
          kind: 'false_failover',
          t: s.t,
          detail: `group ${name} moved from ${runner} to ${now} at ${s.t}, but ${faults.map((f) => f.kind).join(' + ')} called for no takeover`,
        });
      }
      runner = now;
    }
  }
  return out;
}
