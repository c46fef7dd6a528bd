// The box-level status and which controller publishes it. Both controllers
// see the same box, so exactly one should speak for it at a time: the active
// one; if none is active, the one whose peer is dead; otherwise A. Both may
// briefly claim it during a transition; the retained message is then simply
// the latest of two consistent views.
import type { ControllerStatus } from '../status/snapshot.ts';
import type { BoxStatus } from './topics.ts';

export function reportsForBox(s: ControllerStatus): boolean {
  if (s.state === 'active') return true;
  if (s.peer.peerState === 'active' && s.peer.state !== 'dead') return false;
  if (s.peer.state === 'dead') return true;
  return s.controller === 'A';
}

export function boxStatusOf(s: ControllerStatus): BoxStatus {
  const groupOwner = s.groups.find((g) => g.owner !== null)?.owner ?? null;
  const active = s.state === 'active' ? s.controller : s.peer.peerState === 'active' ? s.peer.id : groupOwner;
  return {
    boxId: s.boxId,
    reportedBy: s.controller,
    active,
    controllers: {
      [s.controller]: s.state,
      [s.peer.id]: s.peer.state === 'dead' ? 'unknown' : (s.peer.peerState ?? 'unknown'),
    },
    groups: s.groups,
    activeAlarms: s.activeAlarms,
    updatedAt: s.updatedAt,
  };
}
