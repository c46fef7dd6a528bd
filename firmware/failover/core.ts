// The failover core: feeds events through the table (table.ts), one at a
// time, and carries out the actions it names. It decides nothing the table
// does not say; the only logic here is turning conditions into events
// (reconcile) and running the actions on the ports.
import type { TimerHandle } from '../../hal/clock/clock.ts';
import type { ControllerId } from '../cluster/codes.ts';
import { otherController } from '../cluster/codes.ts';
import type { MembershipEvent } from '../cluster/membership.ts';
import type { HeartbeatTiming } from '../cluster/timing.ts';
import type { ControllerState } from '../core/states.ts';
import type { FailoverAction } from './actions.ts';
import type { FailoverEvent, FailoverEventType } from './events.ts';
import type { PlacementConfig } from './placement.ts';
import { failbackGroups, fencesFirst, homeOf, runnerOfFreeGroup } from './placement.ts';
import type { FailoverPorts, GroupMove } from './ports.ts';
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
  /** Requested hardware watchdog timeout (ignored without a watchdog port). */
  readonly watchdogTimeoutS: number;
  /**
   * How long a group that failed here (gave up after its local restarts, or
   * failed to start) is kept off this controller; 0 = until an operator
   * clears it (tandemctl cleanup). Pacemaker's failure-timeout.
   */
  readonly failureTimeoutMs: number;
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

export interface CoreStatus {
  readonly state: ControllerState;
  readonly groups: readonly string[];
  readonly diskAccess: boolean;
  /** Groups that failed here and are kept off this controller for now (sorted). */
  readonly failed: readonly string[];
}

type Listener = (r: TransitionRecord) => void;

export class FailoverCore {
  private readonly ports: FailoverPorts;
  private readonly cfg: FailoverSettings;
  private readonly self: ControllerId;
  private readonly peerId: ControllerId;
  private current: ControllerState = 'starting';
  /** Groups we run or are starting: what our heartbeat claims. */
  private readonly held = new Set<string>();
  private diskOk = true;
  private keyLost = false;
  private fencedPeer = false;
  private petting = true;
  private stopped = false;
  private lastPeerHeardMs: number | undefined;
  private joinedAtMs: number | undefined;
  private leaseTimer: TimerHandle | undefined;
  private readonly timers: TimerHandle[] = [];
  private readonly queue: FailoverEvent[] = [];
  private draining = false;
  private pollInFlight = false;
  private readonly freeSince = new Map<string, number>();
  private readonly releasedBy = new Map<string, { by: ControllerId; atMs: number }>();
  /**
   * Group -> when it last failed here (monotonic ms), and whether the one
   * last-resort start (peer down, nobody else can run it) has been spent.
   */
  private readonly failedAt = new Map<string, { atMs: number; lastResortUsed: boolean }>();
  private lastPeerGroups: readonly string[] = [];
  private failbackSince: number | undefined;
  private readonly listeners = new Set<Listener>();
  private readonly changeListeners = new Set<(s: CoreStatus) => void>();
  private unsubscribe: (() => void) | undefined;

  constructor(ports: FailoverPorts, settings: FailoverSettings) {
    this.ports = ports;
    this.cfg = settings;
    this.self = settings.self;
    this.peerId = otherController(settings.self);
  }

  get state(): ControllerState {
    return this.current;
  }

  status(): CoreStatus {
    return {
      state: this.current,
      groups: [...this.held].sort(),
      diskAccess: this.diskOk,
      failed: this.failedHere(),
    };
  }

  /**
   * Operator cleanup: forget that these groups (default: all) failed here, so
   * placement may put them on this controller again. Returns the groups cleared.
   */
  clearFailures(groups?: readonly string[]): string[] {
    const cleared = this.failedHere().filter((g) => groups === undefined || groups.includes(g));
    for (const g of cleared) this.failedAt.delete(g);
    if (cleared.length > 0) {
      this.changed();
      this.ports.clock.after(0, () => this.reconcile());
    }
    return cleared;
  }

  /** Failed here and not yet expired; expired entries are dropped as a side effect. */
  private failedHere(): string[] {
    const now = this.ports.clock.monotonicMs();
    const timeout = this.cfg.failureTimeoutMs;
    for (const [g, f] of this.failedAt) if (timeout > 0 && now - f.atMs >= timeout) this.failedAt.delete(g);
    return [...this.failedAt.keys()].sort();
  }

  onTransition(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** Told whenever state, groups or disk access change (send a heartbeat now). */
  onChange(l: (s: CoreStatus) => void): () => void {
    this.changeListeners.add(l);
    return () => this.changeListeners.delete(l);
  }

  /** Register, arm the watchdog, subscribe to membership, start polling. */
  async start(): Promise<void> {
    const { clock, fencer, watchdog } = this.ports;
    try {
      await fencer.start();
    } catch {
      this.diskOk = false;
    }
    if (watchdog !== null) {
      await watchdog.open();
      await watchdog.setTimeoutSeconds(this.cfg.watchdogTimeoutS);
    }
    if (this.stopped) return;
    this.unsubscribe = this.ports.peer.on((e) => this.onMembership(e));
    const interval = this.cfg.timing.intervalMs;
    this.timers.push(clock.every(interval, () => this.pet()));
    this.timers.push(clock.every(interval, () => this.poll()));
    this.timers.push(clock.every(interval, () => this.reconcile()));
    this.dispatch({ type: 'boot-done' });
    // Membership may have reached its verdict before we subscribed.
    const peer = this.ports.peer.peerState();
    if (peer === 'alive') this.dispatch({ type: 'peer-alive' });
    else if (peer === 'dead') this.dispatch({ type: 'peer-dead' });
  }

  /** Stop timers (process exit). Resources are left as they are. */
  stop(): void {
    this.stopped = true;
    for (const t of this.timers) t.cancel();
    this.leaseTimer?.cancel();
    this.unsubscribe?.();
  }

  /** Operator commands; the table decides whether they are refused. */
  command(
    op: 'switchover' | 'failback' | 'maintenance-on' | 'maintenance-off' | 'forced-takeover',
    groups?: readonly string[],
  ): void {
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
        return;
      case 'maintenance-off':
        this.dispatch({ type: 'operator-maintenance-off' });
        return;
      case 'forced-takeover':
        this.dispatch({ type: 'operator-forced-takeover' });
        return;
    }
  }

  /** The single entry of events: queued, then handled one at a time. */
  dispatch(event: FailoverEvent): void {
    if (this.stopped) return;
    this.queue.push(event);
    if (this.draining) return;
    this.draining = true;
    try {
      for (let e = this.queue.shift(); e !== undefined; e = this.queue.shift()) this.handle(e);
    } finally {
      this.draining = false;
    }
  }

  private handle(event: FailoverEvent): void {
    const from = this.current;
    const cell = resolveCell(lookup(from, event.type), (g) => this.guard(g, event));
    const to = cell.kind === 'go' ? cell.next : from;
    const actions = cell.kind === 'go' ? cell.actions : [];
    const record: TransitionRecord = {
      atMs: this.ports.clock.monotonicMs(),
      from,
      to,
      event: event.type,
      ...(event.groups !== undefined ? { groups: event.groups } : {}),
      outcome: cell.kind,
      actions,
      text: cell.text,
    };
    this.current = to;
    if (event.type === 'group-failed') this.markFailed(event.groups ?? [], record.atMs);
    if (to !== from && (to === 'active' || to === 'standby')) this.joinedAtMs ??= record.atMs;
    for (const l of this.listeners) l(record);
    for (const a of actions) this.act(a, event);
    if (to !== from) this.changed();
  }

  private markFailed(groups: readonly string[], atMs: number): void {
    if (groups.length === 0) return;
    for (const g of groups)
      this.failedAt.set(g, { atMs, lastResortUsed: this.failedAt.get(g)?.lastResortUsed ?? false });
    this.changed();
  }

  /**
   * May `group` start here? A group that failed here may not (it would only
   * fail again, and the peer should get it) with one exception: the peer is
   * down, so nobody else can run it. Then it gets one last-resort start per
   * failure, so a group that keeps failing is not retried in a loop.
   */
  private mayStartHere(group: string, failed: readonly string[]): boolean {
    if (!failed.includes(group)) return true;
    const f = this.failedAt.get(group);
    const peerDown = this.ports.peer.peerState() === 'dead' || this.fencedPeer;
    return peerDown && f !== undefined && !f.lastResortUsed;
  }

  private peerFailedGroups(): readonly string[] {
    return this.ports.peer.latest()?.failedGroups ?? [];
  }

  private guard(g: Guard, event: FailoverEvent): boolean {
    const peer = this.ports.peer;
    const report = peer.latest();
    switch (g) {
      case 'disk-ok':
        return this.diskOk;
      case 'holds-groups':
        return this.held.size > 0;
      case 'peer-confirmed-down':
        return peer.peerState() === 'dead' || this.fencedPeer;
      case 'peer-has-disk':
        return peer.peerState() !== 'dead' && report?.diskAccess === true;
      case 'peer-takes-groups': {
        const groups = event.groups ?? [...this.held];
        const failedThere = this.peerFailedGroups();
        return this.peerCandidate() && groups.length > 0 && !groups.some((x) => failedThere.includes(x));
      }
    }
  }

  private peerCandidate(): boolean {
    const report = this.ports.peer.latest();
    return (
      this.ports.peer.peerState() === 'alive' &&
      report !== undefined &&
      report.diskAccess &&
      CANDIDATE_STATES.includes(report.state)
    );
  }

  // --- actions: one function each ---------------------------------------

  private act(action: FailoverAction, event: FailoverEvent): void {
    switch (action) {
      case 'raise-alarm':
        return; // the transition record is the alarm source (daemon maps it)
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
        return this.stopGroups(event.groups ?? [...this.held], 'graceful', event);
      case 'stop-groups-now':
        return this.stopGroups([...this.held], 'now', event);
      case 'register':
        this.ports.fencer.register().catch(() => undefined);
        return;
      case 'request-reboot':
        this.petting = false;
        return;
      case 'reconcile':
        this.ports.clock.after(0, () => this.reconcile());
        return;
    }
  }

  private startLeaseTimer(): void {
    const clock = this.ports.clock;
    const now = clock.monotonicMs();
    const last = this.lastPeerHeardMs ?? now - this.cfg.timing.deadtimeMs;
    const peerHeld = this.ports.peer.latest()?.groups.length ?? 0;
    const first = fencesFirst(this.cfg, this.self, this.held.size, peerHeld);
    const delay = Math.max(0, last + this.cfg.takeoverWaitMs - now) + (first ? 0 : this.cfg.fenceDelayMs);
    this.leaseTimer?.cancel();
    this.leaseTimer = clock.after(delay, () => {
      this.leaseTimer = undefined;
      this.dispatch({ type: 'lease-expired' });
    });
  }

  private fencePeer(): void {
    this.ports.fencer.fencePeer().then(
      (outcome) => {
        switch (outcome.kind) {
          case 'fenced':
            this.fencedPeer = true;
            this.dispatch({ type: 'fence-ok', detail: outcome.method });
            return;
          case 'we-are-fenced':
            this.dispatch({ type: 'fence-we-are-fenced', detail: outcome.detail });
            return;
          case 'failed':
            this.dispatch({ type: 'fence-failed', detail: outcome.detail });
            return;
        }
      },
      (err: unknown) => this.dispatch({ type: 'fence-failed', detail: String(err) }),
    );
  }

  private startGroups(event: FailoverEvent): void {
    const all = this.cfg.groups.map((g) => g.name);
    const failed = this.failedHere();
    const wanted = (event.groups ?? all).filter((g) => !this.held.has(g) && this.mayStartHere(g, failed));
    for (const g of wanted) {
      const f = this.failedAt.get(g);
      if (f !== undefined) f.lastResortUsed = true;
    }
    for (const g of wanted) this.held.add(g);
    this.changed();
    void this.runStarts(wanted, event);
  }

  /**
   * A start is a move (hooks run) when the group comes from the peer: we
   * fenced it, or it released the group moments ago. A group nobody ran (the
   * first placement after boot) just starts.
   */
  private moveIn(group: string, event: FailoverEvent): GroupMove | undefined {
    const released = this.recentlyReleasedBy(group, this.ports.clock.monotonicMs()) === this.peerId;
    if (event.type !== 'fence-ok' && !(event.type === 'group-free' && (released || this.fencedPeer)))
      return undefined;
    const kind = homeOf(this.cfg, group) === this.self ? 'failback' : 'failover';
    return { kind, from: this.peerId, to: this.self, reason: describe(event) };
  }

  /** A graceful stop is a move when it hands the group to the peer; a self-fence runs no hooks. */
  private moveOut(group: string, event: FailoverEvent): GroupMove | undefined {
    if (!HANDOVER_EVENTS.includes(event.type)) return undefined;
    const back = event.type === 'failback-timer' || event.type === 'operator-failback';
    const kind = back || homeOf(this.cfg, group) === this.peerId ? 'failback' : 'failover';
    return { kind, from: this.self, to: this.peerId, reason: describe(event) };
  }

  private async runStarts(groups: readonly string[], event: FailoverEvent): Promise<void> {
    const failed: string[] = [];
    for (const g of groups) {
      // A self-fence (or any other exit) while we were starting cancels the rest.
      if (this.current !== 'taking-over' || !this.held.has(g)) break;
      const ok = await this.ports.runner.startGroup(g, this.moveIn(g, event)).catch(() => false);
      if (!ok) {
        failed.push(g);
        this.held.delete(g);
        this.changed();
      } else if (this.failedAt.delete(g)) {
        this.changed(); // it runs here now: the old failure no longer speaks against us
      }
    }
    if (this.current !== 'taking-over') return;
    this.dispatch(
      failed.length > 0
        ? { type: 'group-failed', groups: failed, detail: 'failed to start' }
        : { type: 'groups-started' },
    );
  }

  private stopGroups(groups: readonly string[], mode: 'graceful' | 'now', event: FailoverEvent): void {
    void this.runStops(groups, mode, event);
  }

  private async runStops(
    groups: readonly string[],
    mode: 'graceful' | 'now',
    event: FailoverEvent,
  ): Promise<void> {
    const failed: string[] = [];
    const now = this.ports.clock.monotonicMs();
    const stops = groups.map(async (g) => {
      const move = mode === 'now' ? undefined : this.moveOut(g, event);
      const ok = await this.ports.runner.stopGroup(g, mode, move).catch(() => false);
      if (!ok) {
        failed.push(g);
        return;
      }
      this.held.delete(g);
      this.releasedBy.set(g, { by: this.self, atMs: now });
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
        this.dispatch(this.deadOrIsolated(e.reason));
        return;
      case 'path-up':
      case 'path-late':
      case 'path-down':
      case 'one-way':
        return; // alarms, not failover inputs
    }
  }

  /** Dead peer + no disk while running groups is isolation (self-fence rule). */
  private deadOrIsolated(detail: string): FailoverEvent {
    return !this.diskOk && this.held.size > 0 ? { type: 'isolated', detail } : { type: 'peer-dead', detail };
  }

  private pet(): void {
    const wd = this.ports.watchdog;
    if (wd === null || !this.petting) return;
    wd.keepalive().catch(() => this.dispatch({ type: 'watchdog-unhealthy' }));
  }

  /** Our registration poll is also the disk-access probe. */
  private poll(): void {
    if (this.pollInFlight) return;
    this.pollInFlight = true;
    this.ports.fencer
      .verifyOwnRegistration()
      .then(
        (r) => {
          switch (r.kind) {
            case 'ok':
              this.keyLost = false;
              return this.setDisk(true);
            case 'lost':
              this.setDisk(true);
              if (!this.keyLost) {
                this.keyLost = true;
                this.dispatch({ type: 'own-key-lost' });
              }
              return;
            case 'disk-error':
              return this.setDisk(false, r.detail);
          }
        },
        (err: unknown) => this.setDisk(false, String(err)),
      )
      .finally(() => {
        this.pollInFlight = false;
      });
  }

  private setDisk(ok: boolean, detail?: string): void {
    if (ok === this.diskOk) return;
    this.diskOk = ok;
    this.changed();
    if (ok) return this.dispatch({ type: 'disk-regained' });
    this.dispatch({ type: 'disk-lost', ...(detail !== undefined ? { detail } : {}) });
    if (this.ports.peer.peerState() === 'dead' && this.held.size > 0) this.dispatch({ type: 'isolated' });
  }

  /**
   * Level-triggered: look at the conditions and raise the event they call
   * for. Runs every interval and after transitions that ask for it; acts only
   * in the stable states (standby, active).
   */
  private reconcile(): void {
    if (this.stopped) return;
    this.trackPeerReleases();
    if (this.current !== 'standby' && this.current !== 'active') {
      this.failbackSince = undefined;
      return;
    }
    const peerState = this.ports.peer.peerState();
    if (peerState === 'dead') {
      if (!this.diskOk) {
        if (this.held.size > 0) this.dispatch({ type: 'isolated', detail: 'reconcile: no disk, peer dead' });
        return;
      }
      const failed = this.failedHere();
      const missing = this.cfg.groups
        .map((g) => g.name)
        .filter((g) => !this.held.has(g) && this.mayStartHere(g, failed));
      if (missing.length === 0) return; // nothing to take over
      // Already fenced: the groups are ours without a new fence.
      if (this.fencedPeer) this.dispatch({ type: 'group-free', groups: missing });
      else this.dispatch({ type: 'peer-dead', detail: 'reconcile: peer dead, groups not running here' });
      return;
    }
    if (peerState !== 'alive') return;
    const report = this.ports.peer.latest();
    if (this.current === 'active' && !this.diskOk && report?.diskAccess === true) {
      this.dispatch({ type: 'disk-lost', detail: 'reconcile: the peer reaches the disk' });
      return;
    }
    const free = this.freeGroupsForUs();
    if (free.length > 0) {
      this.dispatch({ type: 'group-free', groups: free });
      return;
    }
    if (this.offerFailedGroups()) return;
    this.checkFailback();
  }

  /**
   * A group left failed here (the peer could not take it when it gave up) is
   * offered again as soon as the peer can take it.
   */
  private offerFailedGroups(): boolean {
    if (this.current !== 'active') return false;
    const failedThere = this.peerFailedGroups();
    const offer = this.failedHere().filter((g) => this.held.has(g) && !failedThere.includes(g));
    if (offer.length === 0 || !this.peerCandidate()) return false;
    this.dispatch({
      type: 'group-failed',
      groups: offer,
      detail: 'left failed here; the peer can take it now',
    });
    return true;
  }

  private trackPeerReleases(): void {
    const groups = this.ports.peer.latest()?.groups ?? [];
    const now = this.ports.clock.monotonicMs();
    for (const g of this.lastPeerGroups) {
      if (!groups.includes(g)) this.releasedBy.set(g, { by: this.peerId, atMs: now });
    }
    this.lastPeerGroups = groups;
  }

  /** How long a release (or our own join) is remembered when placing free groups. */
  private get handoverWindowMs(): number {
    return 2 * this.cfg.timing.deadtimeMs;
  }

  /** Who stopped `group` last, if that was within the handover window. */
  private recentlyReleasedBy(group: string, now: number): ControllerId | undefined {
    const rel = this.releasedBy.get(group);
    return rel !== undefined && now - rel.atMs < this.handoverWindowMs ? rel.by : undefined;
  }

  /** Free groups placement gives us, once they have been free long enough to be sure. */
  private freeGroupsForUs(): string[] {
    const now = this.ports.clock.monotonicMs();
    const settleMs = 3 * this.cfg.timing.intervalMs;
    const windowMs = this.handoverWindowMs;
    const peerGroups = this.ports.peer.latest()?.groups ?? [];
    const selfCandidate = this.diskOk;
    const peerCandidate = this.peerCandidate();
    const failedHere = this.failedHere();
    const failedThere = this.peerFailedGroups();
    // Just joined: we do not know what the peer has seen released. Leave free
    // groups to it if it can take them (its memory is better than ours).
    const fresh = this.joinedAtMs === undefined || now - this.joinedAtMs < windowMs;
    const out: string[] = [];
    for (const { name } of this.cfg.groups) {
      if (this.held.has(name) || peerGroups.includes(name)) {
        this.freeSince.delete(name);
        continue;
      }
      const releasedBy = this.recentlyReleasedBy(name, now);
      let runner = runnerOfFreeGroup(this.cfg, name, {
        self: this.self,
        selfCandidate,
        peerCandidate,
        releasedBy,
        failedOnSelf: failedHere.includes(name),
        failedOnPeer: failedThere.includes(name),
      });
      if (fresh && peerCandidate && releasedBy === undefined) runner = null;
      if (runner !== this.self) {
        this.freeSince.delete(name);
        continue;
      }
      const since = this.freeSince.get(name) ?? now;
      this.freeSince.set(name, since);
      if (now - since >= settleMs) out.push(name);
    }
    return out;
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
    const now = this.ports.clock.monotonicMs();
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

/** Events whose stop-groups hands the groups to the peer (table.ts). */
const HANDOVER_EVENTS: readonly FailoverEventType[] = [
  'failback-timer',
  'operator-failback',
  'operator-switchover',
  'disk-lost',
  'group-failed',
];

/** The event as hook scripts see it in TANDEM_REASON. */
function describe(event: FailoverEvent): string {
  return event.detail === undefined ? event.type : `${event.type}: ${event.detail}`;
}
