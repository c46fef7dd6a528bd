// What the failover core needs from the rest of the firmware. The daemon
// wires the real reservation manager (firmware/fencing), resource agents
// (firmware/resources) and membership; the deterministic simulation wires
// sims (test/unit/failover/sim). Method names follow the reservation
// manager's API so the real one can be passed as is.
import type { Clock } from '../../hal/clock/clock.ts';
import type { Watchdog } from '../../hal/watchdog/watchdog.ts';
import type { MembershipEvent, PeerState } from '../cluster/membership.ts';
import type { ControllerId, NodeState, Role } from '../cluster/codes.ts';

export type FenceOutcome =
  | { readonly kind: 'fenced'; readonly method: 'preempt-and-abort' | 'preempt' | 'already-gone' }
  /** Our own key is gone: the peer fenced us first. */
  | { readonly kind: 'we-are-fenced'; readonly detail: string }
  /** Disk error, timeout: nothing is known to have changed. */
  | { readonly kind: 'failed'; readonly detail: string };

export type RegistrationCheck =
  | { readonly kind: 'ok' }
  | { readonly kind: 'lost' }
  | { readonly kind: 'disk-error'; readonly detail: string };

export interface FencerSnapshot {
  readonly ourKey: bigint;
  readonly keys: readonly bigint[];
  readonly reservation: { readonly key: bigint; readonly type: number } | null;
  readonly fenced: boolean;
}

export interface Fencer {
  /** Register our key (REGISTER AND IGNORE EXISTING KEY) and make sure a reservation exists. */
  start(): Promise<void>;
  stop(): Promise<void>;
  register(): Promise<void>;
  reserve(): Promise<void>;
  release(): Promise<void>;
  /** Preempt the peer's key: PREEMPT AND ABORT, falling back to PREEMPT. */
  fencePeer(): Promise<FenceOutcome>;
  /** Polled every heartbeat interval: it is also our disk-access probe. */
  verifyOwnRegistration(): Promise<RegistrationCheck>;
  snapshot(): FencerSnapshot;
}

/**
 * Why a group starts or stops here when it moves between the controllers:
 * the runner runs the matching pre/post hook scripts (i2's failover and
 * failback scripts). failback = towards the group's home controller.
 */
export interface GroupMove {
  readonly kind: 'failover' | 'failback';
  readonly from: ControllerId;
  readonly to: ControllerId;
  readonly reason: string;
}

export interface GroupRunner {
  /** Start the group's resources in order. Resolves false when the start failed. */
  startGroup(name: string, move?: GroupMove): Promise<boolean>;
  /**
   * Stop the group's resources in reverse order. 'now' is the self-fence
   * stop: service addresses first, no hooks, no grace period for the
   * database. Resolves false when the stop failed (the resource may still run).
   */
  stopGroup(name: string, mode: 'graceful' | 'now', move?: GroupMove): Promise<boolean>;
}

/** What the peer said about itself in its latest accepted heartbeat. */
export interface PeerReport {
  readonly role: Role;
  readonly state: NodeState;
  readonly groups: readonly string[];
  readonly diskAccess: boolean;
  /** Groups that failed on the peer and that it will not take back yet (wire.ts failedGroupsOf). */
  readonly failedGroups: readonly string[];
}

/** The peer as membership sees it. */
export interface PeerView {
  peerState(): PeerState;
  latest(): PeerReport | undefined;
  on(listener: (e: MembershipEvent) => void): () => void;
}

export interface FailoverPorts {
  readonly clock: Clock;
  readonly fencer: Fencer;
  readonly runner: GroupRunner;
  readonly peer: PeerView;
  /** null: no hardware watchdog on this board (config failover.watchdog.enabled false). */
  readonly watchdog: Watchdog | null;
}
