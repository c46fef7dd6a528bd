// PeerView over the real Membership: the peer's report is the latest
// accepted heartbeat (membership already dropped forged or replayed ones).
import type { Membership } from '../cluster/membership.ts';
import type { PeerView } from './ports.ts';
import { failedGroupsOf } from './wire.ts';

export function membershipPeerView(m: Membership): PeerView {
  return {
    peerState: () => m.peerState(),
    latest: () => {
      const msg = m.latestMessage();
      if (msg === undefined) return undefined;
      return {
        role: msg.role,
        state: msg.state,
        groups: msg.groups,
        diskAccess: msg.health.diskAccess,
        failedGroups: failedGroupsOf(msg.health.resources),
      };
    },
    on: (listener) => m.on(listener),
  };
}
