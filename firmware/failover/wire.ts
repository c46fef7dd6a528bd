// How our state travels in the heartbeat: the operator state itself
// (firmware/cluster/codes.ts STATES) plus a role. The peer uses it to decide
// whether we can take a group (placement.ts "candidate").
import type { Role } from '../cluster/codes.ts';
import type { ControllerState } from '../core/states.ts';

export function wireRole(state: ControllerState, holdsGroups: boolean): Role {
  if (state === 'starting' || state === 'self-fenced') return 'none';
  return holdsGroups ? 'active' : 'standby';
}

/** A peer in these states can run a group we hand over (if it reaches the disk). */
export const CANDIDATE_STATES: readonly ControllerState[] = ['standby', 'active', 'taking-over', 'releasing'];
