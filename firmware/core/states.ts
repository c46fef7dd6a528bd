// The controller states an operator sees (issue 5), in the style of i2's rule
// states. The failover state machine owns the transitions between its own
// states; everything else (heartbeat messages, telemetry, the LCD, tandemctl)
// only reports them. `unconfigured` is not the machine's: it is a first boot
// with no config yet, when no machine runs at all (firmware/controller/unconfigured.ts).
// Nor is `stopping`: a daemon's last heartbeats after a clean stop left it
// holding nothing (the machine has stopped), so the peer need not fence it.

/** The failover machine's states (failover/table.ts has a row for each). */
export const FAILOVER_STATES = [
  'starting',
  'standby',
  'peer-suspect',
  'fencing',
  'taking-over',
  'active',
  'releasing',
  'maintenance',
  'self-fenced',
] as const;
export type FailoverState = (typeof FAILOVER_STATES)[number];

// Appended last: the heartbeat's state codes are this list's order (cluster/codes.ts).
export const CONTROLLER_STATES = [...FAILOVER_STATES, 'unconfigured', 'stopping'] as const;
export type ControllerState = (typeof CONTROLLER_STATES)[number];

/** One line an operator reads on the LCD or console for each state. */
export const STATE_TEXT: Readonly<Record<ControllerState, string>> = {
  starting: 'Starting: joining the cluster, waiting for the peer or initdead',
  standby: 'Standby: monitoring the peer, ready to take over',
  'peer-suspect': 'Peer suspect: heartbeats failing, still below the takeover threshold',
  fencing: 'Fencing: cutting the peer off the shared disks',
  'taking-over': 'Taking over: starting resource groups',
  active: 'Active: serving resource groups',
  releasing: 'Releasing: stopping groups for a switchover or failback',
  maintenance: 'Maintenance: automatic failover disabled, resources left running',
  'self-fenced': 'Self-fenced: lost the disk or our registration; all resources stopped',
  unconfigured: 'Unconfigured: no config yet; import one (tandemctl config import FILE)',
  stopping: 'Stopping: the daemon is exiting; its groups were handed over or stopped',
};

export function isControllerState(value: unknown): value is ControllerState {
  return typeof value === 'string' && (CONTROLLER_STATES as readonly string[]).includes(value);
}
