// The controller states an operator sees (issue 5), in the style of i2's rule
// states. The failover state machine owns the transitions; everything else
// (heartbeat messages, telemetry, the LCD, tandemctl) only reports them.

export const CONTROLLER_STATES = [
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
};

export function isControllerState(value: unknown): value is ControllerState {
  return typeof value === 'string' && (CONTROLLER_STATES as readonly string[]).includes(value);
}
