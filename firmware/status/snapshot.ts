// The status snapshot every operator surface reads (MQTT, tandemctl, LCD, web).
// It is plain JSON so it can be published and printed as is.
import type { HeartbeatPath } from '../cluster/heartbeat-paths.ts';
import type { PathState, PeerState } from '../cluster/membership.ts';
import type { ControllerId } from '../cluster/codes.ts';
import type { ControllerState } from '../core/states.ts';
import type { TakeoverPhase } from './takeover-phases.ts';
import type { ProtocolVersion } from '../cluster/protocol.ts';

export interface PathStatus {
  readonly path: HeartbeatPath;
  readonly state: PathState;
  /** Milliseconds since we last heard the peer on this path, or null if never. */
  readonly lastHeardAgoMs: number | null;
  /** True when we hear the peer on this path but it says it does not hear us. */
  readonly oneWay: boolean;
}

export interface GroupStatus {
  readonly name: string;
  readonly preferred: ControllerId;
  /** Who runs it now, or null when nobody does. */
  readonly owner: ControllerId | null;
  readonly state: 'stopped' | 'starting' | 'running' | 'stopping' | 'failed';
  /**
   * Controllers where the group failed and which are kept off it for now
   * (failover.failureTimeoutMs, or until `cleanup` there). Empty when none.
   */
  readonly failedOn: readonly ControllerId[];
}

/** How one resource of a group is doing, as this controller knows it. */
export type ResourceHealth = 'ok' | 'failed' | 'starting' | 'stopping' | 'stopped' | 'unknown';

export interface ResourceStatus {
  readonly name: string;
  /** The agent: 'filesystem', 'vip', 'postgresql', ... */
  readonly type: string;
  /**
   * 'ok': running here, its last check passed (or none since it started);
   * 'failed': its last check, restart or start here failed; starting,
   * stopping, stopped: what its group is doing here; 'unknown': the group
   * runs on the peer, whose heartbeat carries no resource health.
   */
  readonly health: ResourceHealth;
  /** Monitor failures here within the group's restart window (0 again after cleanup). */
  readonly failCount: number;
}

export interface ControllerStatus {
  readonly boxId: string;
  readonly controller: ControllerId;
  readonly state: ControllerState;
  readonly stateText: string;
  readonly since: number;
  readonly peer: {
    readonly id: ControllerId;
    readonly state: PeerState;
    readonly peerState: ControllerState | null;
    /**
     * Whether the peer's latest heartbeat says it reaches the shared disk;
     * null while it is dead or not heard yet (absent from older firmware).
     */
    readonly diskAccess?: boolean | null;
    /**
     * The peer's software as its latest authenticated heartbeat told it
     * (docs/heartbeat.md, Versions; membership's peerVersions()): its
     * firmware version, heartbeat protocol and the highest config schema it
     * reads. null: never heard; kept while the peer is dead (what we last
     * heard). Absent from older firmware.
     */
    readonly firmwareVersion?: string | null;
    readonly protocol?: ProtocolVersion | null;
    readonly configSchema?: number | null;
    /** False while the peer speaks another protocol major (PEER_PROTOCOL_MISMATCH); absent from older firmware. */
    readonly protocolCompatible?: boolean;
    readonly paths: readonly PathStatus[];
  };
  readonly groups: readonly GroupStatus[];
  readonly diskAccess: boolean;
  readonly activeAlarms: number;
  readonly configVersion: number;
  readonly updatedAt: number;
}

/** Where operator surfaces read the status, and hear when it changes. */
export interface StatusSource {
  current(): ControllerStatus;
  /** Returns an unsubscribe function. */
  onChange(listener: (status: ControllerStatus) => void): () => void;
}

/** Whether one controller could take over the other's groups now, and if not, why. */
export interface TakeoverOutlook {
  /** The controller that would take over... */
  readonly by: ControllerId;
  /** ...when this one fails. */
  readonly from: ControllerId;
  readonly possible: boolean;
  /** Why not, one reason each (empty when possible). */
  readonly why: readonly string[];
}

/** The last takeover this controller made, from its event log. */
export interface TakeoverRecord {
  /** Wall-clock ms. */
  readonly at: number;
  readonly by: ControllerId;
  readonly reason: string;
  /** How long each phase took (takeover-phases.ts); absent from older firmware. */
  readonly phases?: readonly TakeoverPhase[];
}

/**
 * What `status` answers: the snapshot and what the box summary adds, each
 * read from this controller (its failover host, alarms, event log).
 */
/** A rolling upgrade's steps in the order they run (docs/upgrade.md); the last three end a plan. */
export const UPGRADE_STEPS = [
  'preflight',
  'install-first',
  'switchover',
  'install-second',
  'failback',
  'done',
  'failed',
  'aborted',
] as const;
export type UpgradeStep = (typeof UPGRADE_STEPS)[number];

/** A rolling upgrade as every surface shows it (firmware/upgrade, docs/upgrade.md). */
export interface UpgradeProgress {
  readonly step: UpgradeStep;
  /** The bundle's version, null before the preflight read it. */
  readonly version: string | null;
  readonly from: string;
  readonly first: ControllerId;
  readonly second: ControllerId;
  /** Of an install under way. */
  readonly percent: number | null;
  readonly detail: readonly string[];
  readonly startedAt: number;
  readonly updatedAt: number;
}

export interface StatusReport extends ControllerStatus {
  /** The firmware package's version (package.json), 'unknown' if unreadable. */
  readonly firmwareVersion: string;
  readonly groups: readonly (GroupStatus & { readonly resources: readonly ResourceStatus[] })[];
  /** Automatic failover is off (either controller in maintenance). */
  readonly maintenance: boolean;
  /** The active alarms, most severe first, as the alarm list holds them (children inside their root). */
  readonly alarms: readonly unknown[];
  /** null when this controller never took over (as far as its event log reaches). */
  readonly lastTakeover: TakeoverRecord | null;
  /** This controller taking over from its peer, then the peer taking over from it. */
  readonly takeover: readonly TakeoverOutlook[];
  /** The buzzer is silenced until a new alarm that sounds (`mute`; in memory, false after a restart). */
  readonly muted: boolean;
  /** This controller's identify LED blinks (`locate on`; in memory, off after a restart). */
  readonly locate: boolean;
  /** The last rolling upgrade's plan (running or ended); null when none, absent from older firmware. */
  readonly upgrade?: UpgradeProgress | null;
}
