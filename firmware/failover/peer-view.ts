// The peer as the failover machine sees it: membership's verdict and the
// peer's latest accepted heartbeat (membership already dropped forged or
// replayed ones).
import type { ControllerState } from '../core/states.ts';
import type { Role } from '../cluster/codes.ts';
import type { MaintenanceMark } from '../cluster/message.ts';
import type { Membership, MembershipEvent, PeerState } from '../cluster/membership.ts';
import { failedGroupsOf } from './wire.ts';

/** What the peer said about itself in its latest accepted heartbeat. */
export interface PeerReport {
  readonly role: Role;
  readonly state: ControllerState;
  readonly groups: readonly string[];
  readonly diskAccess: boolean;
  /** Groups that failed on the peer and that it will not take back yet (wire.ts failedGroupsOf). */
  readonly failedGroups: readonly string[];
  /** The box's maintenance mark as the peer knows it (box-maintenance.ts). */
  readonly maintenance: MaintenanceMark;
}

export interface PeerView {
  peerState(): PeerState;
  latest(): PeerReport | undefined;
  on(listener: (e: MembershipEvent) => void): () => void;
  /** Told when the peer's latest report changes its state or groups. */
  onReport(listener: () => void): () => void;
  /**
   * False while the peer's heartbeats speak another protocol major (alive,
   * not understood): neither controller takes over from the other, and
   * latest() may be stale (docs/heartbeat.md, Versions).
   */
  compatible(): boolean;
  /**
   * Since when we can read the peer's witness slot (our disk heartbeat path
   * up); undefined while we cannot. A silent peer is only silent from then on.
   */
  witnessListeningSinceMs(): number | undefined;
  /**
   * Time since the peer's last beat on any path, without membership's
   * allowance for our own stalls (undefined: never heard).
   */
  silentForMs(): number | undefined;
}

export function membershipPeerView(
  m: Membership,
  witnessListeningSinceMs: () => number | undefined,
): PeerView {
  return {
    peerState: () => m.peerState(),
    compatible: () => m.peerCompatible(),
    witnessListeningSinceMs,
    silentForMs: () => m.silentForMs(),
    latest: () => {
      const msg = m.latestMessage();
      if (msg === undefined) return undefined;
      return {
        role: msg.role,
        state: msg.state,
        groups: msg.groups,
        diskAccess: msg.health.diskAccess,
        failedGroups: failedGroupsOf(msg.health.resources),
        maintenance: msg.maintenance,
      };
    },
    on: (listener) => m.on(listener),
    onReport: (listener) => m.onReport(listener),
  };
}
