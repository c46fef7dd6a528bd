// Membership changes that an operator must act on become alarms: one
// HB_PATH_DOWN per path while it is down, PEER_DEAD while every path is.
// A recovered condition clears its alarm (the history keeps it).
import type { AlarmManager } from '../alarms/alarm-manager.ts';
import type { ControllerId } from '../cluster/codes.ts';
import type { MembershipEvent } from '../cluster/membership.ts';

export function alarmsFor(alarms: AlarmManager, peer: ControllerId, e: MembershipEvent): void {
  switch (e.type) {
    case 'path-down':
      alarms.raise('HB_PATH_DOWN', { subject: e.path, params: { reason: e.reason } });
      return;
    case 'path-up':
      alarms.clear('HB_PATH_DOWN', e.path);
      return;
    case 'peer-dead':
      alarms.raise('PEER_DEAD', { subject: peer, params: { reason: e.reason } });
      return;
    case 'peer-alive':
      alarms.clear('PEER_DEAD', peer);
      return;
    case 'path-late':
    case 'peer-suspect':
    case 'one-way':
      return;
  }
}
