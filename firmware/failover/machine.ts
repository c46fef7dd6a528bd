// The failover machine: feeds events through the table (table.ts), one at a
// time (event-queue.ts), and carries out the actions it names, one function
// each. It decides nothing the table does not say; the only logic here is
// turning conditions into events (reconcile) and running the actions. Who
// may run what lives in placement.ts, free-groups.ts, releases.ts and
// failure-memory.ts (with start-retry.ts: when a failed start is tried
// again); which start or stop is a move, in moves.ts. Disk access
// and our key come from the fencer's one registration poll. Maintenance is
// the box's (box-maintenance.ts): the machine follows the mark, whichever
// controller set it.
import type { Clock, TimerHandle } from '../../hal/clock/clock.ts';
import type { Watchdog } from '../../hal/watchdog/watchdog.ts';
import type { ControllerId } from '../cluster/codes.ts';
import { otherController } from '../cluster/codes.ts';
import type { MembershipEvent } from '../cluster/membership.ts';
import type { HeartbeatTiming } from '../cluster/timing.ts';
import type { ControllerState, FailoverState } from '../core/states.ts';
import type { FenceOutcome, Fencer, PollResult } from '../fencing/fencer.ts';
import type { FailoverAction } from './actions.ts';
import type { BoxMaintenance, MaintenanceMark } from './box-maintenance.ts';
import { DiskAccess } from './disk-access.ts';
import { EventQueue } from './event-queue.ts';
import type { FailoverEvent, FailoverEventType } from './events.ts';
import { FailureMemory } from './failure-memory.ts';
import { FreeGroups } from './free-groups.ts';
import { freeGroupSettleMs, handoverWindowMs } from './lease.ts';
import { moveIn, moveOut, type GroupRunner } from './moves.ts';
import type { PeerView } from './peer-view.ts';
import type { PlacementConfig } from './placement.ts';
import { failbackGroups, fencesFirst, homeOf } from './placement.ts';
import { ReleaseMemory } from './releases.ts';
import type { StartWait } from './start-retry.ts';
import type { Guard } from './table.ts';
import { lookup, resolveCell } from './table.ts';
import { CANDIDATE_STATES } from './wire.ts';

export interface FailoverSettings extends PlacementConfig {
  readonly self: ControllerId;
  readonly timing: HeartbeatTiming;
  readonly autoFailback: { readonly enabled: boolean; readonly delayMs: number };
  readonly fenceDelayMs: number;
  /** From lease.ts minTakeoverWaitMs(): the earliest takeover after the last beat heard. */
  readonly takeoverWaitMs: number;
  /** Requested hardware watchdog timeout (ignored without a watchdog). */
  readonly watchdogTimeoutS: number;
  /**
   * How long a group that failed here (gave up after its local restarts, or
   * failed to start) is kept off this controller; 0 = until an operator
   * clears it (tandemctl cleanup). Pacemaker's failure-timeout.
   */
  readonly failureTimeoutMs: number;
}

/** What the machine acts on and listens to. */
export interface FailoverDeps {
  readonly clock: Clock;
  readonly fencer: Fencer;
  readonly runner: GroupRunner;
  readonly peer: PeerView;
  /** null: no hardware watchdog on this board (config failover.watchdog.enabled false). */
  readonly watchdog: Watchdog | null;
  readonly maintenance: BoxMaintenance;
}

/** One line of the transition log: what golden tests compare. */
export interface TransitionRecord {
  readonly atMs: number;
  readonly from: ControllerState;
  readonly to: ControllerState;
  readonly event: FailoverEventType;
  readonly groups?: readonly string[];
  readonly outcome: 'go' | 'ignore' | 'invalid';
  readonly actions: readonly FailoverAction[];
  readonly text: string;
}

export interface FailoverStatus {
  readonly state: ControllerState;
  readonly groups: readonly string[];
  readonly diskAccess: boolean;
  /** Groups that failed here and are kept off this controller for now (sorted). */
  readonly failed: readonly string[];
  /** The box's maintenance mark as we know it (on: the box is in maintenance). */
  readonly maintenance: MaintenanceMark;
}

export type OperatorOp = 'switchover' | 'failback' | 'maintenance-on' | 'maintenance-off' | 'forced-takeover';

type Listener = (r: TransitionRecord) => void;

export class FailoverMachine {
  private readonly deps: FailoverDeps;
  private readonly cfg: FailoverSettings;
  private readonly self: ControllerId;
  private readonly peerId: ControllerId;
  private current: FailoverState = 'starting';
  /** Groups we run or are starting: what our heartbeat claims. */
  private readonly held = new Set<string>();
  private diskOk = true;
  /** The poll's answers and failures, judged as sbd does: slow is not lost (disk-access.ts). */
  private readonly disk: DiskAccess;
  private keyLost = false;
  /** Isolated on the raw silence (checkIsolation), last time we looked. */
  private rawIsolation = false;
  private fencedPeer = false;
  private petting = true;
  private stopped = false;
  private lastPeerHeardMs: number | undefined;
  private joinedAtMs: number | undefined;
  private leaseTimer: TimerHandle | undefined;
  private readonly timers: TimerHandle[] = [];
  private readonly queue = new EventQueue<FailoverEvent>((e) => this.handle(e));
  private readonly failures: FailureMemory;
  /** Groups left failed here whose in-place restart is under way (retryLeftFailed). */
  private readonly retrying = new Set<string>();
  private readonly releases: ReleaseMemory;
  private readonly free: FreeGroups;
  private failbackSince: number | undefined;
  /** The peer's latest heartbeat said self-fenced (a sign for failed starts, start-retry.ts). */
  private peerSelfFenced = false;
  private readonly listeners = new Set<Listener>();
  private readonly changeListeners = new Set<(s: FailoverStatus) => void>();
  private readonly unsubscribe: (() => void)[] = [];

  constructor(deps: FailoverDeps, settings: FailoverSettings) {
    this.deps = deps;
    this.cfg = settings;
    this.self = settings.self;
    this.peerId = otherController(settings.self);
    this.failures = new FailureMemory(deps.clock, settings.failureTimeoutMs);
    this.releases = new ReleaseMemory(this.peerId, this.handoverWindowMs);
    this.free = new FreeGroups(settings, settings.self, freeGroupSettleMs(settings.timing));
    this.disk = new DiskAccess({
      clock: deps.clock,
      lossMs: settings.timing.deadtimeMs,
      lost: (detail) => {
        if (!this.stopped) this.setDisk(false, detail);
      },
    });
  }

  get state(): FailoverState {
    return this.current;
  }

  status(): FailoverStatus {
    return {
      state: this.current,
      groups: [...this.held].sort(),
      diskAccess: this.diskOk,
      failed: this.failures.groups(),
      maintenance: this.deps.maintenance.mark,
    };
  }

  /**
   * What a group that failed here waits for before it may start here again,
   * while the peer cannot take it; undefined when it did not fail here or
   * the peer can take it (the GROUP_DOWN alarm says it).
   */
  startWait(group: string): StartWait | undefined {
    return this.nobodyElseRuns(group) ? this.failures.wait(group) : undefined;
  }

  /**
   * Operator cleanup: forget that these groups (default: all) failed here, so
   * placement may put them on this controller again. Returns the groups cleared.
   */
  clearFailures(groups?: readonly string[]): string[] {
    const cleared = this.failures.clear(groups);
    if (cleared.length > 0) {
      this.changed();
      this.deps.clock.after(0, () => this.reconcile());
    }
    return cleared;
  }

  onTransition(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** Told whenever state, groups or disk access change (send a heartbeat now). */
  onChange(l: (s: FailoverStatus) => void): () => void {
    this.changeListeners.add(l);
    return () => this.changeListeners.delete(l);
  }

  /** Register, arm the watchdog, subscribe to membership and the registration poll. */
  async start(): Promise<void> {
    const { clock, fencer, watchdog } = this.deps;
    const registered = await fencer.start();
    if (registered.kind !== 'registered') this.diskOk = false;
    else this.disk.answered();
    if (watchdog !== null) {
      await watchdog.open();
      await watchdog.setTimeoutSeconds(this.cfg.watchdogTimeoutS);
    }
    if (this.stopped) return;
    this.unsubscribe.push(this.deps.peer.on((e) => this.onMembership(e)));
    // A release (switchover, failback) is taken up as soon as it is heard.
    this.unsubscribe.push(this.deps.peer.onReport(() => clock.after(0, () => this.reconcile())));
    const onPoll = (r: PollResult): void => this.onPoll(r);
    fencer.on('polled', onPoll);
    this.unsubscribe.push(() => fencer.off('polled', onPoll));
    const interval = this.cfg.timing.intervalMs;
    this.timers.push(clock.every(interval, () => this.pet()));
    this.timers.push(clock.every(interval, () => this.reconcile()));
    this.dispatch({ type: 'boot-done' });
    // Membership may have reached its verdict before we subscribed.
    const peer = this.deps.peer.peerState();
    if (peer === 'alive') this.dispatch({ type: 'peer-alive' });
    else if (peer === 'dead') this.dispatch({ type: 'peer-dead' });
  }

  /** Stop timers (process exit). Resources are left as they are. */
  stop(): void {
    this.stopped = true;
    for (const t of this.timers) t.cancel();
    this.leaseTimer?.cancel();
    this.disk.stop();
    for (const u of this.unsubscribe) u();
  }

  /** Operator commands; the table decides whether they are refused. */
  command(op: OperatorOp, groups?: readonly string[]): void {
    switch (op) {
      case 'switchover':
        this.dispatch({ type: 'operator-switchover', groups: groups ?? [...this.held].sort() });
        return;
      case 'failback':
        this.dispatch({
          type: 'operator-failback',
          groups: failbackGroups(this.cfg, this.self, this.held, this.peerFailedGroups()),
        });
        return;
      case 'maintenance-on':
        this.dispatch({ type: 'operator-maintenance-on' });
        // Only a controller that went into maintenance puts the box there:
        // one busy with a transition refused, and the box stays as it was.
        if (this.current === 'maintenance') this.setMaintenance(true);
        return;
      case 'maintenance-off':
        this.dispatch({ type: 'operator-maintenance-off' });
        // Off always clears the box's mark, even here where the machine was
        // not in maintenance (it was busy when the peer set it).
        this.setMaintenance(false);
        return;
      case 'forced-takeover':
        this.dispatch({ type: 'operator-forced-takeover' });
        return;
    }
  }

  /** The single entry of events: queued, then handled one at a time. */
  dispatch(event: FailoverEvent): void {
    if (!this.stopped) this.queue.push(event);
  }

  private handle(event: FailoverEvent): void {
    const from = this.current;
    const cell = resolveCell(lookup(from, event.type), (g) => this.guard(g, event));
    const to = cell.kind === 'go' ? cell.next : from;
    const actions = cell.kind === 'go' ? cell.actions : [];
    const record: TransitionRecord = {
      atMs: this.deps.clock.monotonicMs(),
      from,
      to,
      event: event.type,
      ...(event.groups !== undefined ? { groups: event.groups } : {}),
      outcome: cell.kind,
      actions,
      text: cell.text,
    };
    this.current = to;
    if (event.type === 'group-failed' && this.failures.record(event.groups ?? [], record.atMs))
      this.changed();
    if (to !== from && (to === 'active' || to === 'standby')) this.joinedAtMs ??= record.atMs;
    for (const l of this.listeners) l(record);
    for (const a of actions) this.act(a, event);
    if (to !== from) this.changed();
  }

  private peerDown(): boolean {
    return this.deps.peer.peerState() === 'dead' || this.fencedPeer;
  }

  /**
   * Nobody else can run a group now: the peer is down, or alive but no
   * candidate (self-fenced, starting, without the disk). A group that failed
   * here then gets its one last-resort start (failure-memory.ts).
   */
  private peerCannotTake(): boolean {
    return this.peerDown() || !this.peerCandidate();
  }

  /**
   * Nobody else can run `group`: the peer cannot take anything, or it failed
   * the group too and this controller is the group's home. Both failing it
   * says the cause is not the peer (a double fault: both LAN ports down, say),
   * so only a retry can tell when it cleared; the home controller alone
   * retries, so the two never start it at once.
   */
  private nobodyElseRuns(group: string): boolean {
    return (
      this.peerCannotTake() ||
      (this.peerFailedGroups().includes(group) && homeOf(this.cfg, group) === this.self)
    );
  }

  /** Groups that failed here and may not start here now. */
  private blockedHere(): string[] {
    const failed = this.failures.groups();
    return failed.filter((g) => !this.failures.mayStart(g, failed, this.nobodyElseRuns(g)));
  }

  private peerFailedGroups(): readonly string[] {
    return this.deps.peer.latest()?.failedGroups ?? [];
  }

  private guard(g: Guard, event: FailoverEvent): boolean {
    const peer = this.deps.peer;
    switch (g) {
      case 'disk-ok':
        return this.diskOk;
      case 'holds-groups':
        return this.held.size > 0;
      case 'peer-confirmed-down':
        return this.peerDown();
      case 'peer-has-disk':
        return peer.peerState() !== 'dead' && peer.latest()?.diskAccess === true;
      case 'peer-compatible':
        return peer.compatible();
      case 'peer-stopped':
        return this.peerStopped();
      case 'peer-takes-groups': {
        const groups = event.groups ?? [...this.held];
        const failedThere = this.peerFailedGroups();
        return this.peerCandidate() && groups.length > 0 && !groups.some((x) => failedThere.includes(x));
      }
    }
  }

  /** The peer's last word was a clean stop holding nothing (table.ts stoppedPeer). */
  private peerStopped(): boolean {
    const report = this.deps.peer.latest();
    return report?.state === 'stopping' && report.groups.length === 0;
  }

  private peerCandidate(): boolean {
    const report = this.deps.peer.latest();
    return (
      this.deps.peer.peerState() === 'alive' &&
      this.deps.peer.compatible() &&
      report !== undefined &&
      report.diskAccess &&
      CANDIDATE_STATES.includes(report.state)
    );
  }

  private setMaintenance(on: boolean): void {
    if (this.deps.maintenance.set(on, this.deps.peer.latest()?.maintenance)) this.changed();
  }

  /**
   * Level-triggered, like reconcile: adopt the peer's newer mark, then enter
   * or leave maintenance to match the box. Only from the states where the
   * table would act (a transition in progress finishes first).
   */
  private followMaintenance(): void {
    const peerMark = this.deps.peer.latest()?.maintenance;
    if (peerMark !== undefined && this.deps.maintenance.adopt(peerMark)) this.changed();
    const on = this.deps.maintenance.mark.on;
    if (on && (this.current === 'standby' || this.current === 'active' || this.current === 'peer-suspect'))
      this.dispatch({ type: 'operator-maintenance-on', detail: 'the box is in maintenance' });
    else if (!on && this.current === 'maintenance')
      this.dispatch({ type: 'operator-maintenance-off', detail: 'the box left maintenance' });
  }

  // --- actions: one function each ---------------------------------------

  private act(action: FailoverAction, event: FailoverEvent): void {
    switch (action) {
      case 'raise-alarm':
        return; // the transition record is the alarm source (the controller maps it)
      case 'start-lease-timer':
        return this.startLeaseTimer();
      case 'cancel-lease-timer':
        this.leaseTimer?.cancel();
        this.leaseTimer = undefined;
        return;
      case 'fence-peer':
        return this.fencePeer();
      case 'start-groups':
        return this.startGroups(event);
      case 'stop-groups':
        return void this.runStops(event.groups ?? [...this.held], 'graceful', event);
      case 'stop-groups-now':
        return void this.runStops([...this.held], 'now', event);
      case 'register':
        void this.deps.fencer.register();
        return;
      case 'request-reboot':
        this.petting = false;
        return;
      case 'reconcile':
        this.deps.clock.after(0, () => this.reconcile());
        return;
    }
  }

  private startLeaseTimer(): void {
    const peerHeld = this.deps.peer.latest()?.groups.length ?? 0;
    const first = fencesFirst(this.cfg, this.self, this.held.size, peerHeld);
    this.leaseTimer?.cancel();
    this.armLease(first ? 0 : this.cfg.fenceDelayMs);
  }

  /**
   * The lease runs out takeoverWaitMs after the peer was last heard, but the
   * peer's silence only counts from when we could hear it: a controller cut
   * off its disk (so off the witness path) that regains it must not take a
   * stale "peer dead" for a silent peer. While our witness path cannot read,
   * or until a whole wait has passed since it could, the lease is re-armed
   * instead of expiring.
   */
  private armLease(extraMs: number): void {
    const clock = this.deps.clock;
    const now = clock.monotonicMs();
    const heard = this.lastPeerHeardMs ?? now - this.cfg.timing.deadtimeMs;
    const listening = this.deps.peer.witnessListeningSinceMs() ?? now;
    const due = Math.max(now, Math.max(heard, listening) + this.cfg.takeoverWaitMs) + extraMs;
    this.leaseTimer = clock.after(Math.max(0, due - now), () => {
      const since = this.deps.peer.witnessListeningSinceMs();
      if (since === undefined || since + this.cfg.takeoverWaitMs > clock.monotonicMs())
        return this.armLease(0);
      this.leaseTimer = undefined;
      this.dispatch({ type: 'lease-expired' });
    });
  }

  private fencePeer(): void {
    this.deps.fencer.fencePeer().then(
      (outcome) => this.dispatch(this.fenceEvent(outcome)),
      (err: unknown) => this.dispatch({ type: 'fence-failed', detail: String(err) }),
    );
  }

  private fenceEvent(outcome: FenceOutcome): FailoverEvent {
    switch (outcome.kind) {
      case 'peer-fenced':
        this.failures.causeMayHaveCleared();
        // A fence that lands while the peer is heard again (it came back
        // during the fence) does not leave it fenced for long: it finds its
        // key gone and registers anew. Only a silent peer stays "fenced by
        // us", which lets us take its groups, or force a takeover, later
        // without a new fence.
        this.fencedPeer = this.deps.peer.peerState() !== 'alive';
        return { type: 'fence-ok', detail: outcome.method ?? 'already-gone' };
      case 'we-are-fenced':
        return { type: 'fence-we-are-fenced', detail: 'the preempt was refused: our own key is gone' };
      // A foreign holder or a missing registration cannot be fixed by
      // fencing again: the machine alarms and stays put.
      case 'blocked-by-foreign':
        return {
          type: 'fence-failed',
          detail: `the reservation is held by key 0x${outcome.holder.toString(16)} of another box`,
        };
      case 'not-registered':
        return { type: 'fence-failed', detail: 'we are not registered on the shared disk' };
      case 'failed':
        return { type: 'fence-failed', detail: outcome.error.message };
    }
  }

  private startGroups(event: FailoverEvent): void {
    const all = this.cfg.groups.map((g) => g.name);
    const blocked = this.blockedHere();
    const wanted = (event.groups ?? all).filter((g) => !this.held.has(g) && !blocked.includes(g));
    for (const g of wanted) this.failures.starting(g);
    for (const g of wanted) this.held.add(g);
    this.changed();
    void this.runStarts(wanted, event);
  }

  private async runStarts(groups: readonly string[], event: FailoverEvent): Promise<void> {
    const failed: string[] = [];
    for (const g of groups) {
      // A self-fence (or any other exit) while we were starting cancels the rest.
      if (this.current !== 'taking-over' || !this.held.has(g)) break;
      const releasedByPeer =
        this.releases.recentlyReleasedBy(g, this.deps.clock.monotonicMs()) === this.peerId;
      const move = moveIn(this.cfg, this.self, this.peerId, g, event, {
        releasedByPeer,
        fencedPeer: this.fencedPeer,
      });
      const ok = await this.deps.runner.startGroup(g, move).catch(() => false);
      if (!ok) {
        failed.push(g);
        this.held.delete(g);
        this.changed();
      } else if (this.failures.forget(g)) {
        this.changed();
      }
    }
    if (this.current !== 'taking-over') return;
    this.dispatch(
      failed.length > 0
        ? { type: 'group-failed', groups: failed, detail: 'failed to start' }
        : { type: 'groups-started' },
    );
  }

  private async runStops(
    groups: readonly string[],
    mode: 'graceful' | 'now',
    event: FailoverEvent,
  ): Promise<void> {
    const failed: string[] = [];
    const now = this.deps.clock.monotonicMs();
    const stops = groups.map(async (g) => {
      const move = mode === 'now' ? undefined : moveOut(this.cfg, this.self, this.peerId, g, event);
      const ok = await this.deps.runner.stopGroup(g, mode, move).catch(() => false);
      if (!ok) {
        failed.push(g);
        return;
      }
      this.held.delete(g);
      this.releases.note(g, this.self, now);
    });
    // A self-fence stops everything at once; a graceful release one by one.
    if (mode === 'now') await Promise.all(stops);
    else for (const s of stops) await s;
    this.changed();
    this.dispatch(
      failed.length > 0
        ? { type: 'group-failed', groups: failed, detail: 'failed to stop' }
        : { type: 'groups-stopped' },
    );
  }

  // --- inputs -------------------------------------------------------------

  private onMembership(e: MembershipEvent): void {
    switch (e.type) {
      case 'peer-alive':
        this.fencedPeer = false;
        this.dispatch({ type: 'peer-alive', detail: e.reason });
        return;
      case 'peer-suspect':
        this.dispatch({ type: 'peer-suspect', detail: e.reason });
        return;
      case 'peer-dead':
        this.lastPeerHeardMs = e.lastHeardMs;
        this.failures.causeMayHaveCleared();
        this.dispatch(this.deadOrIsolated(e.reason));
        return;
      case 'path-up':
      case 'path-late':
      case 'path-down':
      case 'one-way':
      case 'self-stall':
      case 'peer-versions': // the peer-compatible guard reads the verdict itself
        return; // alarms, not failover inputs
    }
  }

  /**
   * Isolation on the raw silence: membership may postpone its verdict after
   * a stall of our own (docs/heartbeat.md, Stalls and slow disks), which is
   * right for a takeover but not for an isolated active, which must drop
   * its VIPs within the lease's first term whatever delayed it. The usual
   * paths (peer-dead, disk-lost) cover the rest.
   */
  private checkIsolation(): void {
    const silent = this.deps.peer.silentForMs();
    const isolated =
      this.held.size > 0 && !this.diskOk && silent !== undefined && silent >= this.cfg.timing.deadtimeMs;
    // Once per isolation: the table's answer stands until the condition clears.
    const first = isolated && !this.rawIsolation;
    this.rawIsolation = isolated;
    if (first && this.deps.peer.peerState() !== 'dead' && silent !== undefined)
      this.dispatch({
        type: 'isolated',
        detail: `no disk, and nothing heard from the peer for ${Math.round(silent)} ms`,
      });
  }

  /** Dead peer + no disk while running groups is isolation (self-fence rule). */
  private deadOrIsolated(detail: string): FailoverEvent {
    return !this.diskOk && this.held.size > 0 ? { type: 'isolated', detail } : { type: 'peer-dead', detail };
  }

  private pet(): void {
    const wd = this.deps.watchdog;
    if (wd === null || !this.petting) return;
    wd.keepalive().catch(() => this.dispatch({ type: 'watchdog-unhealthy' }));
  }

  /** The fencer's registration poll is also our disk-access probe. */
  private onPoll(r: PollResult): void {
    if (this.stopped) return;
    switch (r.kind) {
      case 'registered':
        this.keyLost = false;
        this.disk.answered();
        return this.setDisk(true);
      case 'we-are-fenced':
        this.disk.answered();
        this.setDisk(true);
        if (!this.keyLost) {
          this.keyLost = true;
          this.dispatch({ type: 'own-key-lost' });
        }
        return;
      case 'not-registered':
        // An answer, and a definite one: we are no candidate for the disk.
        this.disk.answered();
        return this.setDisk(false, 'not registered on the shared disk');
      case 'failed':
        // A failure loses the disk only once it has not answered for a deadtime.
        if (this.diskOk && this.disk.failed(r.error.message)) this.setDisk(false, r.error.message);
        return;
    }
  }

  private setDisk(ok: boolean, detail?: string): void {
    if (ok === this.diskOk) return;
    this.diskOk = ok;
    this.changed();
    if (ok) return this.dispatch({ type: 'disk-regained' });
    this.dispatch({ type: 'disk-lost', ...(detail !== undefined ? { detail } : {}) });
    if (this.deps.peer.peerState() === 'dead' && this.held.size > 0) this.dispatch({ type: 'isolated' });
  }

  /**
   * Level-triggered: look at the conditions and raise the event they call
   * for. Runs every interval and after transitions that ask for it; acts only
   * in the stable states (standby, active).
   */
  private reconcile(): void {
    if (this.stopped) return;
    this.followMaintenance();
    const now = this.deps.clock.monotonicMs();
    this.watchPeerLetGo(now);
    this.checkIsolation();
    if (this.current !== 'standby' && this.current !== 'active') {
      this.failbackSince = undefined;
      return;
    }
    const peerState = this.deps.peer.peerState();
    // A peer of another protocol major: what we know of its groups is stale
    // or nothing, so no group is free, none is handed over and none taken
    // (the table refuses the takeover of membership's peer-dead; this keeps
    // the level-triggered reconcile from asking every interval).
    if (!this.deps.peer.compatible()) {
      if (peerState === 'dead' && !this.diskOk && this.held.size > 0)
        this.dispatch({ type: 'isolated', detail: 'reconcile: no disk, peer dead' });
      this.failbackSince = undefined;
      return;
    }
    if (peerState === 'dead') {
      if (!this.diskOk) {
        if (this.held.size > 0) this.dispatch({ type: 'isolated', detail: 'reconcile: no disk, peer dead' });
        return;
      }
      this.retryLeftFailed();
      const blocked = this.blockedHere();
      const missing = this.cfg.groups
        .map((g) => g.name)
        .filter((g) => !this.held.has(g) && !blocked.includes(g));
      if (missing.length === 0) return; // nothing to take over
      // Already fenced, or stopped cleanly: the groups are ours without a new fence.
      if (this.fencedPeer || this.peerStopped()) this.dispatch({ type: 'group-free', groups: missing });
      else this.dispatch({ type: 'peer-dead', detail: 'reconcile: peer dead, groups not running here' });
      return;
    }
    if (peerState !== 'alive') return;
    const report = this.deps.peer.latest();
    if (this.current === 'active' && !this.diskOk && report?.diskAccess === true) {
      this.dispatch({ type: 'disk-lost', detail: 'reconcile: the peer reaches the disk' });
      return;
    }
    const free = this.free.forUs({
      now,
      held: this.held,
      peerGroups: report?.groups ?? [],
      selfCandidate: this.diskOk,
      peerCandidate: this.peerCandidate(),
      failedHere: this.blockedHere(),
      failedThere: this.peerFailedGroups(),
      fresh: this.joinedAtMs === undefined || now - this.joinedAtMs < this.handoverWindowMs,
      releasedBy: (g) => this.releases.recentlyReleasedBy(g, now),
    });
    if (free.length > 0) {
      this.dispatch({ type: 'group-free', groups: free });
      return;
    }
    if (this.offerFailedGroups()) return;
    this.retryLeftFailed();
    this.checkFailback();
  }

  /**
   * Signs that the cause of a failed start may have cleared (start-retry.ts):
   * the peer released groups (they left its heartbeat), was heard
   * self-fenced, or failed the group too (for its home controller).
   * Confirmed down is noted where it happens (peer-dead, fence).
   */
  private watchPeerLetGo(now: number): void {
    const report = this.deps.peer.latest();
    const released = this.releases.trackPeer(report?.groups ?? [], now);
    if (released.length > 0) this.failures.causeMayHaveCleared(released);
    // Failed there too, and ours to retry: the cause is not the peer, so no sign from it will come.
    const bothFailed = this.failures
      .groups()
      .filter((g) => this.peerFailedGroups().includes(g) && homeOf(this.cfg, g) === this.self);
    if (bothFailed.length > 0) this.failures.causeMayHaveCleared(bothFailed);
    const selfFenced = this.deps.peer.peerState() === 'alive' && report?.state === 'self-fenced';
    if (selfFenced && !this.peerSelfFenced) this.failures.causeMayHaveCleared();
    this.peerSelfFenced = selfFenced;
  }

  /**
   * A group left failed here (it gave up while nobody else could run it) is
   * restarted in place on the start-retry back-off (start-retry.ts) for as
   * long as nobody else can run it: the peer cannot take groups, or failed
   * it too (else offerFailedGroups hands it over). Its cause is our own
   * resource's, so no sign from the peer is awaited; the bounded retries
   * keep it from looping. Not a table transition: we stay active and hold
   * the group throughout, as in a monitor's local restart, and the peer
   * sees no change of owner. (The fault campaign found it: both LAN ports
   * cut in two faults in a row left db failed on A after the heal.)
   */
  private retryLeftFailed(): void {
    if (this.current !== 'active' || !this.diskOk) return;
    const failed = this.failures.groups();
    const failedThere = this.peerFailedGroups();
    for (const g of failed) {
      if (!this.held.has(g) || this.retrying.has(g)) continue;
      if (!this.peerCannotTake() && !failedThere.includes(g)) continue;
      this.failures.causeMayHaveCleared([g]);
      if (!this.failures.mayStart(g, failed, true)) continue;
      this.retrying.add(g);
      this.failures.starting(g);
      this.changed();
      void this.restartInPlace(g);
    }
  }

  private async restartInPlace(g: string): Promise<void> {
    try {
      const stopped = await this.deps.runner.stopGroup(g, 'graceful').catch(() => false);
      const again = stopped && this.current === 'active' && this.held.has(g);
      const ok = again && (await this.deps.runner.startGroup(g).catch(() => false));
      if (ok) this.failures.forget(g);
      else this.failures.record([g], this.deps.clock.monotonicMs());
      this.changed();
    } finally {
      this.retrying.delete(g);
    }
  }

  /**
   * A group left failed here (the peer could not take it when it gave up) is
   * offered again as soon as the peer can take it.
   */
  private offerFailedGroups(): boolean {
    if (this.current !== 'active') return false;
    const failedThere = this.peerFailedGroups();
    const offer = this.failures.groups().filter((g) => this.held.has(g) && !failedThere.includes(g));
    if (offer.length === 0 || !this.peerCandidate()) return false;
    this.dispatch({
      type: 'group-failed',
      groups: offer,
      detail: 'left failed here; the peer can take it now',
    });
    return true;
  }

  /** How long a release (or our own join) is remembered when placing free groups. */
  private get handoverWindowMs(): number {
    return handoverWindowMs(this.cfg.timing);
  }

  private checkFailback(): void {
    const groups = failbackGroups(this.cfg, this.self, this.held, this.peerFailedGroups());
    if (
      this.current !== 'active' ||
      !this.cfg.autoFailback.enabled ||
      groups.length === 0 ||
      !this.peerCandidate()
    ) {
      this.failbackSince = undefined;
      return;
    }
    const now = this.deps.clock.monotonicMs();
    this.failbackSince ??= now;
    if (now - this.failbackSince >= this.cfg.autoFailback.delayMs) {
      this.failbackSince = undefined;
      this.dispatch({ type: 'failback-timer', groups });
    }
  }

  private changed(): void {
    const s = this.status();
    for (const l of this.changeListeners) l(s);
  }
}
