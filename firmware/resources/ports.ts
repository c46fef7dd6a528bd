// The narrow views of the event log and alarm manager that resources use, so
// tests can pass fakes and the daemon passes the real EventLog/AlarmManager.
import type { AlarmCode } from '../alarms/catalogue.ts';
import type { EventSink } from '../events/types.ts';

export type { EventSink };

export interface AlarmPort {
  raise(
    code: AlarmCode,
    options?: { subject?: string; params?: Readonly<Record<string, string | number>> },
  ): unknown;
}

/** Why a group is being started or stopped, for hooks and the event log. */
export interface Transition {
  /** failover and failback run the matching pre/post hooks; start/stop run none. */
  readonly event: 'failover' | 'failback' | 'start' | 'stop';
  readonly from: 'A' | 'B' | null;
  readonly to: 'A' | 'B' | null;
  readonly reason: string;
}
