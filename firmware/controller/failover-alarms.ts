// The failover machine's transitions become alarms. A takeover and a
// self-fence are events an operator must learn of even after the box has
// healed, so they are latched (TAKEOVER, SELF_FENCED: cleared only by an
// acknowledgement). FENCE_FAILED and MAINTENANCE_MODE are conditions and
// clear themselves: MAINTENANCE_MODE is level-triggered on the state, so an
// alarm left by a previous process (a restart in maintenance) is cleared by
// the first transition that does not end in maintenance.
import type { Clock } from '../../hal/clock/clock.ts';
import type { AlarmManager } from '../alarms/alarm-manager.ts';
import { otherController, type ControllerId } from '../cluster/codes.ts';
import type { TransitionRecord } from '../failover/machine.ts';

/** Wall time as operators read it on the console and the LCD (UTC, whole seconds). */
export function alarmTime(wallMs: number): string {
  return new Date(wallMs)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}

/** Why the machine went fencing, in the words a TAKEOVER alarm gives. */
function fenceReason(r: TransitionRecord): string {
  if (r.event === 'lease-expired')
    return 'the peer stayed silent on every heartbeat path past the takeover wait';
  if (r.event === 'operator-forced-takeover') return 'an operator forced the takeover';
  return `${r.event}: ${r.text}`;
}

export class FailoverAlarms {
  private readonly self: ControllerId;
  private readonly peer: ControllerId;
  private readonly alarms: AlarmManager;
  private readonly clock: Clock;
  private fencingReason: string | undefined;
  private inMaintenance: boolean;

  constructor(self: ControllerId, alarms: AlarmManager, clock: Clock) {
    this.self = self;
    this.peer = otherController(self);
    this.alarms = alarms;
    this.clock = clock;
    // A previous process may have left one behind: the first transition settles it.
    this.inMaintenance = alarms.active().some((a) => a.code === 'MAINTENANCE_MODE' && a.subject === self);
  }

  onTransition(r: TransitionRecord): void {
    if (r.outcome === 'go' && r.to === 'fencing' && r.from !== 'fencing') this.fencingReason = fenceReason(r);
    if (r.outcome === 'go' && r.event === 'fence-ok') {
      this.alarms.raise('TAKEOVER', {
        subject: this.self,
        params: {
          peer: this.peer,
          at: alarmTime(this.clock.wallMs()),
          reason: this.fencingReason ?? 'the peer was fenced',
        },
      });
      this.alarms.clear('FENCE_FAILED', this.peer);
    }
    if (r.outcome === 'go' && r.event === 'fence-failed')
      this.alarms.raise('FENCE_FAILED', { subject: this.peer, params: { reason: r.text } });
    if (r.to === 'self-fenced' && r.from !== 'self-fenced')
      this.alarms.raise('SELF_FENCED', {
        subject: this.self,
        params: { at: alarmTime(this.clock.wallMs()), reason: `${r.event}: ${r.text}` },
      });
    this.maintenance(r.to === 'maintenance');
  }

  private maintenance(on: boolean): void {
    if (on === this.inMaintenance) return;
    this.inMaintenance = on;
    if (on) this.alarms.raise('MAINTENANCE_MODE', { subject: this.self });
    else this.alarms.clear('MAINTENANCE_MODE', this.self);
  }
}
