// What a transition does, in order. The core executes them one after the
// other; the table (table.ts) says which and in which order.

export const FAILOVER_ACTIONS = [
  'raise-alarm',
  'start-lease-timer',
  'cancel-lease-timer',
  'fence-peer',
  'start-groups',
  'stop-groups',
  'stop-groups-now',
  'register',
  'request-reboot',
  'reconcile',
] as const;
export type FailoverAction = (typeof FAILOVER_ACTIONS)[number];

export const ACTION_TEXT: Readonly<Record<FailoverAction, string>> = {
  'raise-alarm': 'raise an operator alarm naming the event',
  'start-lease-timer':
    'wait until the lease after the last sign of the peer (plus the fence delay) has run out',
  'cancel-lease-timer': 'stop waiting for the lease',
  'fence-peer': "preempt the peer's key on the shared disk (PREEMPT AND ABORT, PREEMPT fallback)",
  'start-groups': 'start the groups (the event names them; else every group we do not run)',
  'stop-groups': 'stop the groups gracefully, VIP first (the event names them; else all we run)',
  'stop-groups-now': 'stop every group at once, VIP first, no grace (self-fence)',
  register: 'register our key again (REGISTER AND IGNORE EXISTING KEY)',
  'request-reboot': 'stop petting the hardware watchdog so it resets the board (if enabled)',
  reconcile: 'look at the current conditions again and raise the event they call for',
};
