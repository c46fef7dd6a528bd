// The status snapshot every operator surface reads (MQTT, tandemctl, LCD, web).
// It is plain JSON so it can be published and printed as is.
import type { HeartbeatPath } from '../cluster/heartbeat-paths.ts';
import type { PathState, PeerState } from '../cluster/membership.ts';
import type { ControllerId } from '../cluster/codes.ts';
import type { ControllerState } from '../core/states.ts';

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
