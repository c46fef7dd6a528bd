// Unrecovered: after the heal, within the kind's bound, exactly one
// controller runs each group and the client's inserts succeed (issue 18
// item 2). Judged on the last look inside [heal, heal + bound]: each group's
// last sample there shows one runner, and the client's last insert there
// succeeded (with none at all, nothing shows the service works). It also
// dates the convergence: the first successful insert after the last bad sign
// (a group on none or both, a failed insert) of the window.
import type { GroupSample, InsertAttempt } from '../observations.ts';
import type { Violation } from './violation.ts';

export interface Recovery {
  /** Epoch ms the pair was seen converged, or null if it was not within the bound. */
  readonly convergedAt: number | null;
  readonly violation: Violation | null;
}

export function judgeUnrecovered(
  healAt: number,
  boundMs: number,
  groupNames: readonly string[],
  groups: readonly GroupSample[],
  inserts: readonly InsertAttempt[],
): Recovery {
  const deadline = healAt + boundMs;
  const inWindow = <T extends { readonly t: number }>(xs: readonly T[]): T[] =>
    xs.filter((x) => x.t >= healAt && x.t <= deadline).sort((a, b) => a.t - b.t);
  const samples = inWindow(groups);
  const attempts = inWindow(inserts);
  const problems: string[] = [];
  for (const name of groupNames) {
    const last = samples.filter((s) => s.group === name).at(-1);
    if (last === undefined) problems.push(`group ${name} not sampled`);
    else if (last.on.length !== 1)
      problems.push(`group ${name} on ${last.on.length === 0 ? 'no controller' : last.on.join(' and ')}`);
  }
  const lastInsert = attempts.at(-1);
  if (lastInsert === undefined) problems.push('no client insert');
  else if (!lastInsert.ok) problems.push(`the client's last insert failed: ${lastInsert.error ?? 'error'}`);
  if (problems.length > 0) {
    return {
      convergedAt: null,
      violation: {
        kind: 'unrecovered',
        t: deadline,
        detail: `not converged ${boundMs} ms after the heal at ${healAt}: ${problems.join('; ')}`,
      },
    };
  }
  let lastBad = healAt;
  for (const s of samples) if (s.on.length !== 1) lastBad = Math.max(lastBad, s.t);
  for (const a of attempts) if (!a.ok) lastBad = Math.max(lastBad, a.t);
  const firstGood = attempts.find((a) => a.ok && a.t >= lastBad);
  return { convergedAt: firstGood?.t ?? null, violation: null };
}
