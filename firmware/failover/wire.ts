// How our state travels in the heartbeat: the operator state itself
// (firmware/cluster/codes.ts STATES) plus a role, and the groups that failed
// here. The peer uses them to decide whether we can take a group
// (placement.ts "candidate").
import type { Role } from '../cluster/codes.ts';
import type { ResourceStatus } from '../cluster/message.ts';
import type { ControllerState } from '../core/states.ts';

export function wireRole(state: ControllerState, holdsGroups: boolean): Role {
  if (state === 'starting' || state === 'self-fenced' || state === 'unconfigured' || state === 'stopping')
    return 'none';
  return holdsGroups ? 'active' : 'standby';
}

/** A peer in these states can run a group we hand over (if it reaches the disk). */
export const CANDIDATE_STATES: readonly ControllerState[] = ['standby', 'active', 'taking-over', 'releasing'];

/**
 * Groups that failed here travel as 'failed' entries of the heartbeat's
 * resource health list, so the peer's placement avoids handing them back
 * (placement.ts runnerOfFreeGroup). No new wire field is needed.
 */
export function failedGroupsHealth(failed: readonly string[]): ResourceStatus[] {
  return failed.map((name) => ({ name, health: 'failed' }));
}

/** The peer's failed groups, from its heartbeat's resource health list. */
export function failedGroupsOf(resources: readonly ResourceStatus[]): string[] {
  return resources.filter((r) => r.health === 'failed').map((r) => r.name);
}
