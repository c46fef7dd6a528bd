// THE failover state machine: every operator state x every event, written out.
// Like Pacemaker's controld_matrix.c there is no default cell: a missing
// combination is a type error (Record over both unions) and the unit test
// checks the table at run time too. A cell is one of:
//   go      -> next state + ordered actions (next may equal the current state)
//   ignore  -> stay, log the text (the event is expected here and means nothing)
//   invalid -> stay, log the text as an error (the event cannot happen here;
//              seeing it means a bug or a stale timer)
//   when    -> a guard on the current conditions picks one of two cells
// Every cell carries the one-line text an operator reads in the event log.
import type { FailoverState } from '../core/states.ts';
import type { FailoverAction } from './actions.ts';
import type { FailoverEventType } from './events.ts';

export const GUARDS = [
  'disk-ok',
  'holds-groups',
  'peer-confirmed-down',
  'peer-has-disk',
  'peer-takes-groups',
  'peer-compatible',
  'peer-stopped',
] as const;
export type Guard = (typeof GUARDS)[number];

export const GUARD_TEXT: Readonly<Record<Guard, string>> = {
  'disk-ok': 'we reach the shared disk',
  'holds-groups': 'we run (or are starting) at least one group',
  'peer-confirmed-down': 'membership says every path is down (peer dead), or we fenced it',
  'peer-has-disk': "the peer's latest heartbeat says it reaches the shared disk",
  'peer-takes-groups':
    "the peer is alive, reaches the disk, is standby or active, and none of the event's groups failed there",
  'peer-compatible':
    "the peer's latest authenticated heartbeat speaks our protocol major (or none was ever heard)",
  'peer-stopped':
    "the peer's last heartbeat said its daemon was stopping, holding no group (a clean stop): its silence needs no fence",
};

export type Cell =
  | {
      readonly kind: 'go';
      readonly next: FailoverState;
      readonly actions: readonly FailoverAction[];
      readonly text: string;
    }
  | { readonly kind: 'ignore'; readonly text: string }
  | { readonly kind: 'invalid'; readonly text: string }
  | { readonly kind: 'when'; readonly guard: Guard; readonly then: Cell; readonly else: Cell };

export type StateRow = Readonly<Record<FailoverEventType, Cell>>;

const go = (next: FailoverState, actions: readonly FailoverAction[], text: string): Cell => ({
  kind: 'go',
  next,
  actions,
  text,
});
const ignore = (text: string): Cell => ({ kind: 'ignore', text });
const invalid = (text: string): Cell => ({ kind: 'invalid', text });
const when = (guard: Guard, then: Cell, otherwise: Cell): Cell => ({
  kind: 'when',
  guard,
  then,
  else: otherwise,
});

// Shared cells, named so the rows read like sentences.
const SELF_FENCE: readonly FailoverAction[] = ['stop-groups-now', 'raise-alarm', 'request-reboot'];
const selfFence = (why: string): Cell => go('self-fenced', SELF_FENCE, `self-fence: ${why}`);
const noLease = invalid('no lease timer runs in this state (stale timer)');
const noFence = invalid('no fence is in flight in this state');
const noStart = invalid('no group start is in flight in this state');
const noStop = invalid('no group stop is in flight in this state');
const notBooting = invalid('boot already finished');
const refusedNothingHeld = ignore('refused: we run no group to hand over');
const refusedPeerCannotTake = ignore(
  'refused: the peer is not alive with disk access, or a group failed there (clear it with tandemctl cleanup on the peer)',
);
const refusedBusy = ignore('refused: a transition is in progress; retry when it is done');
// An authenticated heartbeat of another protocol major is a live peer that
// cannot be understood (an upgrade under way), never a dead one: no takeover
// from it, in either direction, until the majors match (PEER_PROTOCOL alarm).
const refusedIncompatible = ignore(
  'refused: the peer speaks another protocol major; neither controller takes over from the other until the upgrade is finished or rolled back',
);
const ifCompatible = (then: Cell): Cell => when('peer-compatible', then, refusedIncompatible);
const watchdogDead = selfFence('the watchdog cannot be petted, the board will be reset');
const forced = (extra: readonly FailoverAction[]): Cell =>
  when(
    'peer-confirmed-down',
    go('fencing', [...extra, 'fence-peer'], 'forced takeover: the peer is confirmed down, fencing it now'),
    ignore('refused: forced takeover needs the peer fenced or confirmed down on every path'),
  );
const waitOutLease: Cell = ifCompatible(
  go('peer-suspect', ['start-lease-timer'], 'peer dead on every path: waiting out the lease before fencing'),
);
const leaseOrNoDisk = (noDiskNext: FailoverState): Cell =>
  when(
    'disk-ok',
    waitOutLease,
    go(
      noDiskNext,
      ['raise-alarm'],
      'peer dead but we cannot reach the disk: never take over without the arbiter',
    ),
  );
/**
 * A clean stop of the peer's daemon (controller.ts shutdown) ends with
 * heartbeats in state `stopping` and no group: it handed its groups over or
 * stopped them, and nothing runs them there until a new process joins. Its
 * silence is that stop, not a failure: no lease, no fence; the groups it
 * left free are started here as any free group (reconcile).
 */
const stoppedPeer = 'the peer stopped its daemon cleanly, holding nothing: no fence needed';
/** standby and active: a failing peer is suspect, unless it said it stopped. */
const suspectUnlessStopped: Cell = when(
  'peer-stopped',
  ignore(stoppedPeer),
  go('peer-suspect', ['raise-alarm'], 'peer heartbeats failing on every path'),
);
const unlessStopped = (stay: FailoverState, otherwise: Cell): Cell =>
  when('peer-stopped', go(stay, ['reconcile'], stoppedPeer), otherwise);

const afterStop: Cell = when(
  'holds-groups',
  go('active', ['reconcile'], 'groups stopped; still running others'),
  go('standby', ['reconcile'], 'groups stopped; now standby'),
);

const starting: StateRow = {
  'boot-done': ignore('local start done; waiting for the membership verdict'),
  'peer-alive': go('standby', ['reconcile'], 'peer heard: joining as standby, placement decides what we run'),
  'peer-suspect': ignore('some paths heard nothing yet; waiting for a verdict'),
  'peer-dead': leaseOrNoDisk('standby'),
  'lease-expired': noLease,
  'fence-ok': noFence,
  'fence-failed': noFence,
  'fence-we-are-fenced': noFence,
  'groups-started': noStart,
  'group-failed': noStart,
  'groups-stopped': noStop,
  'disk-lost': go('starting', ['raise-alarm'], 'cannot reach the shared disk while starting'),
  'disk-regained': ignore('disk reachable again'),
  'own-key-lost': go('starting', ['register'], 'our key vanished before we ran anything: registering again'),
  isolated: ignore('isolated while starting: we run nothing, nothing to stop'),
  'group-free': ignore('not ready to run groups before the verdict'),
  'failback-timer': invalid('no failback timer runs while starting'),
  'operator-switchover': refusedNothingHeld,
  'operator-failback': refusedNothingHeld,
  'operator-maintenance-on': go('maintenance', [], 'maintenance on: no automatic failover'),
  'operator-maintenance-off': ignore('not in maintenance'),
  'operator-forced-takeover': forced([]),
  'watchdog-unhealthy': watchdogDead,
};

const standby: StateRow = {
  'boot-done': notBooting,
  'peer-alive': ignore('peer alive'),
  'peer-suspect': suspectUnlessStopped,
  'peer-dead': unlessStopped('standby', leaseOrNoDisk('standby')),
  'lease-expired': noLease,
  'fence-ok': noFence,
  'fence-failed': noFence,
  'fence-we-are-fenced': noFence,
  'groups-started': noStart,
  'group-failed': noStart,
  'groups-stopped': noStop,
  'disk-lost': go(
    'standby',
    ['raise-alarm'],
    'standby lost the shared disk: cannot take over until it is back',
  ),
  'disk-regained': go('standby', ['reconcile'], 'shared disk reachable again'),
  'own-key-lost': go(
    'standby',
    ['register', 'raise-alarm'],
    'the peer fenced us while we ran nothing: registering again',
  ),
  isolated: go('standby', ['raise-alarm'], 'isolated, but we run nothing'),
  'group-free': when(
    'disk-ok',
    go('taking-over', ['start-groups'], 'a free group is ours by placement: starting it'),
    ignore('a free group is ours, but we cannot reach the disk'),
  ),
  'failback-timer': invalid('no failback timer runs in standby'),
  'operator-switchover': refusedNothingHeld,
  'operator-failback': refusedNothingHeld,
  'operator-maintenance-on': go('maintenance', [], 'maintenance on: no automatic failover'),
  'operator-maintenance-off': ignore('not in maintenance'),
  'operator-forced-takeover': forced([]),
  'watchdog-unhealthy': watchdogDead,
};

const peerSuspect: StateRow = {
  'boot-done': notBooting,
  'peer-alive': when(
    'holds-groups',
    go('active', ['cancel-lease-timer', 'reconcile'], 'peer heard again: no takeover'),
    go('standby', ['cancel-lease-timer', 'reconcile'], 'peer heard again: no takeover'),
  ),
  'peer-suspect': ignore('still suspect'),
  'peer-dead': leaseOrNoDisk('peer-suspect'),
  'lease-expired': when(
    'peer-confirmed-down',
    when(
      'disk-ok',
      ifCompatible(
        go('fencing', ['fence-peer'], 'lease over, peer still dead: fencing it before touching any resource'),
      ),
      go('peer-suspect', ['raise-alarm'], 'lease over but we cannot reach the disk: not taking over'),
    ),
    ignore('lease over but the peer is no longer confirmed down'),
  ),
  'fence-ok': noFence,
  'fence-failed': noFence,
  'fence-we-are-fenced': noFence,
  'groups-started': noStart,
  'group-failed': go('peer-suspect', ['raise-alarm'], 'a running group failed its monitor'),
  'groups-stopped': noStop,
  'disk-lost': go('peer-suspect', ['raise-alarm'], 'lost the shared disk while the peer is suspect'),
  'disk-regained': go('peer-suspect', ['reconcile'], 'shared disk reachable again'),
  'own-key-lost': when(
    'holds-groups',
    selfFence('our registration is gone: the peer fenced us'),
    go(
      'standby',
      ['cancel-lease-timer', 'register', 'raise-alarm'],
      'the peer fenced us: it is alive, no takeover',
    ),
  ),
  isolated: when(
    'holds-groups',
    selfFence('no disk and no path to the peer for deadtime'),
    go('standby', ['cancel-lease-timer', 'raise-alarm'], 'isolated with nothing running: no takeover'),
  ),
  'group-free': ignore('no cooperative start while the peer is suspect'),
  'failback-timer': ignore('failback waits: the peer is suspect'),
  'operator-switchover': ignore('refused: the peer is suspect'),
  'operator-failback': ignore('refused: the peer is suspect'),
  'operator-maintenance-on': go(
    'maintenance',
    ['cancel-lease-timer'],
    'maintenance on: takeover wait cancelled',
  ),
  'operator-maintenance-off': ignore('not in maintenance'),
  'operator-forced-takeover': forced(['cancel-lease-timer']),
  'watchdog-unhealthy': watchdogDead,
};

const fencing: StateRow = {
  'boot-done': notBooting,
  'peer-alive': ignore('peer heard during the fence: the fence result decides'),
  'peer-suspect': ignore('fence in flight'),
  'peer-dead': ignore('fence in flight'),
  'lease-expired': noLease,
  'fence-ok': go('taking-over', ['start-groups'], 'peer fenced: starting its groups'),
  'fence-failed': when(
    'holds-groups',
    go('active', ['raise-alarm', 'reconcile'], 'fence failed: not taking over, will retry after a new lease'),
    go(
      'standby',
      ['raise-alarm', 'reconcile'],
      'fence failed: not taking over, will retry after a new lease',
    ),
  ),
  'fence-we-are-fenced': selfFence('the preempt was refused: the peer fenced us first'),
  'groups-started': noStart,
  'group-failed': go('fencing', ['raise-alarm'], 'a running group failed its monitor during the fence'),
  'groups-stopped': noStop,
  'disk-lost': ignore('disk error during the fence: the fence result decides'),
  'disk-regained': ignore('fence in flight'),
  'own-key-lost': ignore('our key is gone: the fence result (we-are-fenced) decides'),
  isolated: ignore('fence in flight: its result decides'),
  'group-free': ignore('fence in flight'),
  'failback-timer': ignore('fence in flight'),
  'operator-switchover': refusedBusy,
  'operator-failback': refusedBusy,
  'operator-maintenance-on': refusedBusy,
  'operator-maintenance-off': ignore('not in maintenance'),
  'operator-forced-takeover': ignore('already fencing'),
  'watchdog-unhealthy': watchdogDead,
};

const takingOver: StateRow = {
  'boot-done': notBooting,
  'peer-alive': ignore('finishing the start first; placement is reconciled afterwards'),
  'peer-suspect': ignore('finishing the start first'),
  'peer-dead': ignore('finishing the start first'),
  'lease-expired': noLease,
  'fence-ok': noFence,
  'fence-failed': noFence,
  'fence-we-are-fenced': noFence,
  'groups-started': go('active', ['reconcile'], 'groups started: active'),
  'group-failed': when(
    'holds-groups',
    go('active', ['raise-alarm', 'reconcile'], 'a group failed to start; running the others'),
    go('standby', ['raise-alarm', 'reconcile'], 'groups failed to start; nothing runs here'),
  ),
  'groups-stopped': noStop,
  'disk-lost': ignore('finishing the start first; the disk is checked afterwards'),
  'disk-regained': ignore('finishing the start first'),
  'own-key-lost': selfFence('our registration is gone while starting groups'),
  isolated: selfFence('no disk and no path to the peer while starting groups'),
  'group-free': ignore('already starting groups'),
  'failback-timer': ignore('starting groups'),
  'operator-switchover': refusedBusy,
  'operator-failback': refusedBusy,
  'operator-maintenance-on': refusedBusy,
  'operator-maintenance-off': ignore('not in maintenance'),
  'operator-forced-takeover': ignore('already taking over'),
  'watchdog-unhealthy': watchdogDead,
};

const active: StateRow = {
  'boot-done': notBooting,
  'peer-alive': go('active', ['reconcile'], 'peer alive'),
  'peer-suspect': suspectUnlessStopped,
  'peer-dead': unlessStopped(
    'active',
    when('disk-ok', waitOutLease, selfFence('no disk and no path to the peer for deadtime')),
  ),
  'lease-expired': noLease,
  'fence-ok': noFence,
  'fence-failed': noFence,
  'fence-we-are-fenced': noFence,
  'groups-started': noStart,
  // The monitor gave the group up after its local restarts: hand it to a
  // healthy peer (it starts there once our heartbeat no longer claims it).
  'group-failed': when(
    'peer-takes-groups',
    go('releasing', ['raise-alarm', 'stop-groups'], 'a group gave up here: handing it to the peer'),
    go('active', ['raise-alarm'], 'a group gave up here, and the peer cannot take it: left failed'),
  ),
  'groups-stopped': noStop,
  'disk-lost': when(
    'peer-has-disk',
    go(
      'releasing',
      ['raise-alarm', 'stop-groups'],
      'lost the disk, the peer has it: handing our groups over',
    ),
    go('active', ['raise-alarm'], 'lost the disk and so has the peer: keeping the groups'),
  ),
  'disk-regained': go('active', ['reconcile'], 'shared disk reachable again'),
  'own-key-lost': selfFence('our registration is gone: the peer fenced us'),
  isolated: selfFence('no disk and no path to the peer for deadtime'),
  'group-free': when(
    'disk-ok',
    go('taking-over', ['start-groups'], 'a free group is ours by placement: starting it'),
    ignore('a free group is ours, but we cannot reach the disk'),
  ),
  'failback-timer': when(
    'peer-takes-groups',
    go('releasing', ['stop-groups'], 'automatic failback: handing groups to their preferred controller'),
    ignore('failback skipped: the peer is not ready'),
  ),
  'operator-switchover': when(
    'peer-takes-groups',
    go('releasing', ['stop-groups'], 'switchover: handing groups to the peer'),
    refusedPeerCannotTake,
  ),
  'operator-failback': when(
    'peer-takes-groups',
    go('releasing', ['stop-groups'], 'failback: handing groups to their preferred controller'),
    refusedPeerCannotTake,
  ),
  'operator-maintenance-on': go(
    'maintenance',
    [],
    'maintenance on: resources left running, no automatic failover',
  ),
  'operator-maintenance-off': ignore('not in maintenance'),
  'operator-forced-takeover': forced([]),
  'watchdog-unhealthy': watchdogDead,
};

const releasing: StateRow = {
  'boot-done': notBooting,
  'peer-alive': ignore('finishing the stop first'),
  'peer-suspect': ignore('finishing the stop first'),
  'peer-dead': ignore('finishing the stop first; reconciled afterwards'),
  'lease-expired': noLease,
  'fence-ok': noFence,
  'fence-failed': noFence,
  'fence-we-are-fenced': noFence,
  'groups-started': noStart,
  'group-failed': selfFence('a group failed to stop: it must never run twice'),
  'groups-stopped': afterStop,
  'disk-lost': ignore('already releasing'),
  'disk-regained': ignore('finishing the stop first'),
  'own-key-lost': selfFence('our registration is gone while stopping groups'),
  isolated: selfFence('no disk and no path to the peer while stopping groups'),
  'group-free': ignore('finishing the stop first'),
  'failback-timer': ignore('already releasing'),
  'operator-switchover': refusedBusy,
  'operator-failback': refusedBusy,
  'operator-maintenance-on': refusedBusy,
  'operator-maintenance-off': ignore('not in maintenance'),
  'operator-forced-takeover': refusedBusy,
  'watchdog-unhealthy': watchdogDead,
};

const inMaintenance = ignore('maintenance: no automatic failover');
const maintenance: StateRow = {
  'boot-done': notBooting,
  'peer-alive': inMaintenance,
  'peer-suspect': go('maintenance', ['raise-alarm'], 'maintenance: peer suspect, no automatic failover'),
  'peer-dead': go('maintenance', ['raise-alarm'], 'maintenance: peer dead, no automatic failover'),
  'lease-expired': ignore('maintenance: the takeover wait was cancelled'),
  'fence-ok': noFence,
  'fence-failed': noFence,
  'fence-we-are-fenced': noFence,
  'groups-started': noStart,
  'group-failed': go('maintenance', ['raise-alarm'], 'maintenance: a group failed, left as it is'),
  'groups-stopped': noStop,
  'disk-lost': go('maintenance', ['raise-alarm'], 'maintenance: lost the shared disk, no automatic action'),
  'disk-regained': inMaintenance,
  'own-key-lost': when(
    'holds-groups',
    selfFence('our registration is gone (safety beats maintenance)'),
    go('maintenance', ['register', 'raise-alarm'], 'maintenance: our key vanished, registering again'),
  ),
  isolated: when(
    'holds-groups',
    selfFence('isolated: the peer may take over (safety beats maintenance)'),
    go('maintenance', ['raise-alarm'], 'maintenance: isolated, nothing runs here'),
  ),
  'group-free': inMaintenance,
  'failback-timer': inMaintenance,
  'operator-switchover': ignore('refused: leave maintenance first'),
  'operator-failback': ignore('refused: leave maintenance first'),
  'operator-maintenance-on': ignore('already in maintenance'),
  'operator-maintenance-off': when(
    'holds-groups',
    go('active', ['reconcile'], 'maintenance off: automatic failover resumes'),
    go('standby', ['reconcile'], 'maintenance off: automatic failover resumes'),
  ),
  'operator-forced-takeover': forced([]),
  'watchdog-unhealthy': watchdogDead,
};

const fenced = ignore('self-fenced: waiting for a reboot');
const selfFenced: StateRow = {
  'boot-done': notBooting,
  'peer-alive': fenced,
  'peer-suspect': fenced,
  'peer-dead': fenced,
  'lease-expired': fenced,
  'fence-ok': fenced,
  'fence-failed': fenced,
  'fence-we-are-fenced': fenced,
  'groups-started': fenced,
  'group-failed': go('self-fenced', ['raise-alarm'], 'self-fenced: a group failed to stop'),
  'groups-stopped': ignore('self-fenced: every group stopped'),
  'disk-lost': fenced,
  'disk-regained': fenced,
  'own-key-lost': fenced,
  isolated: fenced,
  'group-free': fenced,
  'failback-timer': fenced,
  'operator-switchover': ignore('refused: self-fenced, reboot first'),
  'operator-failback': ignore('refused: self-fenced, reboot first'),
  'operator-maintenance-on': ignore('refused: self-fenced, reboot first'),
  'operator-maintenance-off': ignore('refused: self-fenced, reboot first'),
  'operator-forced-takeover': ignore('refused: self-fenced, reboot first'),
  'watchdog-unhealthy': fenced,
};

export const TRANSITIONS: Readonly<Record<FailoverState, StateRow>> = {
  starting,
  standby,
  'peer-suspect': peerSuspect,
  fencing,
  'taking-over': takingOver,
  active,
  releasing,
  maintenance,
  'self-fenced': selfFenced,
};

/** Resolve guards: the leaf cell for these conditions. */
export function resolveCell(cell: Cell, holds: (g: Guard) => boolean): Exclude<Cell, { kind: 'when' }> {
  let c = cell;
  while (c.kind === 'when') c = holds(c.guard) ? c.then : c.else;
  return c;
}

export function lookup(state: FailoverState, event: FailoverEventType): Cell {
  return TRANSITIONS[state][event];
}
