// How long each phase of a takeover took, from the failover machine's own
// transitions in the event log around its TAKEOVER alarm (raised at
// fence-ok): waiting out the peer (peer-suspect until fencing), the fence
// (fencing until fence-ok), and starting the groups (until active). A phase
// whose edges are not in the log (rotated out, or not reached) is left out.
import type { LoggedEvent } from '../events/types.ts';

export type TakeoverPhaseName = 'wait' | 'fence' | 'start';

export interface TakeoverPhase {
  readonly name: TakeoverPhaseName;
  readonly ms: number;
}

/** The window searched on either side of the TAKEOVER alarm. */
export const PHASE_WINDOW_MS = 120_000;

const to = (e: LoggedEvent): unknown =>
  e.data !== null && typeof e.data === 'object' && !Array.isArray(e.data) ? e.data['to'] : undefined;

/** `transitions`: FAILOVER_TRANSITION events in any order; `fenceOkTs`: the TAKEOVER alarm's time. */
export function takeoverPhases(transitions: readonly LoggedEvent[], fenceOkTs: number): TakeoverPhase[] {
  const sorted = [...transitions].sort((a, b) => a.ts - b.ts || a.id - b.id);
  const before = sorted.filter((e) => e.ts <= fenceOkTs);
  const fencing = before.filter((e) => to(e) === 'fencing').at(-1);
  const phases: TakeoverPhase[] = [];
  if (fencing !== undefined) {
    // The suspicion that led here: the last entry into peer-suspect with no
    // other state entered between it and the fence.
    const i = before.indexOf(fencing);
    const prior = before.slice(0, i).filter((e) => to(e) !== 'fencing');
    const last = prior.at(-1);
    if (last !== undefined && to(last) === 'peer-suspect')
      phases.push({ name: 'wait', ms: fencing.ts - last.ts });
    phases.push({ name: 'fence', ms: fenceOkTs - fencing.ts });
  }
  const active = sorted.find((e) => e.ts >= fenceOkTs && to(e) === 'active');
  if (active !== undefined) phases.push({ name: 'start', ms: active.ts - fenceOkTs });
  return phases;
}
