// Policies: where each group should run. Pure functions of the config and
// what both controllers report, so both sides compute the same answer.
import type { ControllerId } from '../cluster/codes.ts';

export interface GroupSpec {
  readonly name: string;
  readonly preferred: ControllerId;
}

export interface PlacementConfig {
  readonly policy: 'active-standby' | 'active-active';
  readonly groups: readonly GroupSpec[];
}

/**
 * The controller a group runs on when both are healthy. active-standby: every
 * group on the preferred controller of the first group (one active box);
 * active-active: each group on its own preferred controller.
 */
export function homeOf(cfg: PlacementConfig, group: string): ControllerId {
  const spec = cfg.groups.find((g) => g.name === group);
  if (spec === undefined) throw new RangeError(`unknown group ${group}`);
  if (cfg.policy === 'active-standby') return cfg.groups[0]?.preferred ?? spec.preferred;
  return spec.preferred;
}

export interface FreeGroupView {
  readonly self: ControllerId;
  /** We reach the disk and are standby or active. */
  readonly selfCandidate: boolean;
  /** The peer is alive, reaches the disk and is running (placement.ts CANDIDATE_STATES). */
  readonly peerCandidate: boolean;
  /** Who stopped the group last, if that was within the handover window. */
  readonly releasedBy: ControllerId | undefined;
  /** The group failed here (gave up, or failed to start) and the failure is still remembered. */
  readonly failedOnSelf: boolean;
  /** The peer's heartbeat lists the group as failed there. */
  readonly failedOnPeer: boolean;
}

/**
 * Who should start a group that nobody runs, while both are in touch. A
 * controller where the group failed is no candidate for it until the failure
 * expires or an operator clears it (Pacemaker's migration-threshold ban):
 * otherwise a start that fails on the home controller would be retried there
 * forever, and a group that gave up would be handed straight back. Among the
 * rest: the only candidate; else the one that did NOT just release it (a
 * switchover, failback or disk handover); else its home.
 */
export function runnerOfFreeGroup(
  cfg: PlacementConfig,
  group: string,
  v: FreeGroupView,
): ControllerId | null {
  const peer: ControllerId = v.self === 'A' ? 'B' : 'A';
  const selfCan = v.selfCandidate && !v.failedOnSelf;
  const peerCan = v.peerCandidate && !v.failedOnPeer;
  if (!selfCan && !peerCan) return null;
  if (!peerCan) return v.self;
  if (!selfCan) return peer;
  if (v.releasedBy !== undefined) return v.releasedBy === v.self ? peer : v.self;
  return homeOf(cfg, group);
}

/**
 * Groups we run whose home is the peer: what failback would hand over. A
 * group that failed on the peer stays here (it would only fail back again).
 */
export function failbackGroups(
  cfg: PlacementConfig,
  self: ControllerId,
  held: Iterable<string>,
  failedOnPeer: readonly string[] = [],
): string[] {
  return [...held].filter((g) => homeOf(cfg, g) !== self && !failedOnPeer.includes(g)).sort();
}

/**
 * Tie-break when both may fence at once (Pacemaker's priority-fencing-delay):
 * the controller running more groups fences first, so the one serving keeps
 * serving; on a tie the one that is home to more groups; then A. The other
 * waits failover.fenceDelayMs more.
 */
export function fencesFirst(
  cfg: PlacementConfig,
  self: ControllerId,
  heldBySelf: number,
  heldByPeer: number,
): boolean {
  if (heldBySelf !== heldByPeer) return heldBySelf > heldByPeer;
  const home = (id: ControllerId) => cfg.groups.filter((g) => homeOf(cfg, g.name) === id).length;
  const peer: ControllerId = self === 'A' ? 'B' : 'A';
  if (home(self) !== home(peer)) return home(self) > home(peer);
  return self === 'A';
}
