// The inputs of the failover state machine. Each one comes from exactly one
// source (membership, the fencer, the group runner, the disk poll, a timer,
// the operator or the core's own reconcile step); see docs/failover.md.

export const FAILOVER_EVENTS = [
  'boot-done',
  'peer-alive',
  'peer-suspect',
  'peer-dead',
  'lease-expired',
  'fence-ok',
  'fence-failed',
  'fence-we-are-fenced',
  'groups-started',
  'group-failed',
  'groups-stopped',
  'disk-lost',
  'disk-regained',
  'own-key-lost',
  'isolated',
  'group-free',
  'failback-timer',
  'operator-switchover',
  'operator-failback',
  'operator-maintenance-on',
  'operator-maintenance-off',
  'operator-forced-takeover',
  'watchdog-unhealthy',
] as const;
export type FailoverEventType = (typeof FAILOVER_EVENTS)[number];

export interface FailoverEvent {
  readonly type: FailoverEventType;
  /** The groups the event is about (group-free, switchover, failback); absent: all. */
  readonly groups?: readonly string[];
  /** Free text for the log (membership reason, error message...). */
  readonly detail?: string;
}

/** One line per event, for the event log and docs. */
export const EVENT_TEXT: Readonly<Record<FailoverEventType, string>> = {
  'boot-done': 'local start finished (watchdog opened, key registered)',
  'peer-alive': 'the peer is heard on at least one path',
  'peer-suspect': 'no path is up, but not every path is down yet',
  'peer-dead': 'every path has been silent for deadtime',
  'lease-expired': 'the takeover wait after the last sign of the peer has run out',
  'fence-ok': "the peer's key has been preempted (or was already gone)",
  'fence-failed': 'the preempt could not be done (disk error, timeout)',
  'fence-we-are-fenced': 'the preempt was refused because our own key is gone',
  'groups-started': 'every group asked to start is running',
  'group-failed': 'a group failed to start, stop or monitor',
  'groups-stopped': 'every group asked to stop is stopped',
  'disk-lost': 'we cannot reach the shared disk',
  'disk-regained': 'we reach the shared disk again',
  'own-key-lost': 'our registration is gone from the shared disk',
  isolated: 'no disk and every path to the peer down for deadtime',
  'group-free': 'a group nobody runs is ours to run by placement',
  'failback-timer': 'the preferred controller has been healthy for the failback delay',
  'operator-switchover': 'operator: move groups to the peer',
  'operator-failback': 'operator: move groups back to their preferred controller',
  'operator-maintenance-on': 'operator: stop automatic failover, leave resources running',
  'operator-maintenance-off': 'operator: resume automatic failover',
  'operator-forced-takeover': 'operator: take over now (only if the peer is confirmed down)',
  'watchdog-unhealthy': 'the hardware watchdog cannot be petted',
};
