// Hosts the failover core in a controller (daemon and sim box alike): the
// core's transitions become the controller's state (StatusKeeper), one event
// line each, alarms raised and cleared, and an immediate heartbeat so the
// peer learns our state and groups without waiting an interval. It also owns
// the watchdog's fate at shutdown: after a self-fence asked for a reboot the
// watchdog is left armed (no magic close), so it resets the board.
import type { Clock } from '../../../hal/clock/clock.ts';
import type { Watchdog } from '../../../hal/watchdog/watchdog.ts';
import type { AlarmManager } from '../../alarms/alarm-manager.ts';
import { otherController, type ControllerId } from '../../cluster/codes.ts';
import type { ControllerState } from '../../core/states.ts';
import type { GroupStatus } from '../../status/snapshot.ts';
import type { EventSink } from '../../events/types.ts';
import { FailoverCore, type FailoverSettings, type TransitionRecord } from '../../failover/core.ts';
import type { Fencer, PeerView } from '../../failover/ports.ts';
import type { ResourceGroupRunner } from './group-runner.ts';

export interface FailoverHostOptions {
  readonly clock: Clock;
  readonly settings: FailoverSettings;
  readonly fencer: Fencer;
  readonly runner: ResourceGroupRunner;
  readonly peer: PeerView;
  readonly watchdog: Watchdog | null;
  readonly events: EventSink;
  readonly alarms: AlarmManager;
  /** The controller's state follows the core (StatusKeeper.setState). */
  readonly setState: (to: ControllerState, why: string) => void;
  /** Send a heartbeat now (HeartbeatRuntime.beat). */
  readonly beatNow: () => void;
}

/** How long a clean stop waits for the switchover before stopping the groups itself. */
const SHUTDOWN_HANDOVER_MS = 60_000;

export class FailoverHost {
  readonly core: FailoverCore;
  readonly fencer: Fencer;
  readonly self: ControllerId;
  private readonly o: FailoverHostOptions;
  private rebootRequested = false;
  private started = false;
  /** Groups a previous process left running: claimed in our heartbeat until stopped. */
  private readonly leftovers = new Set<string>();

  constructor(o: FailoverHostOptions) {
    this.o = o;
    this.self = o.settings.self;
    this.fencer = o.fencer;
    this.core = new FailoverCore(
      { clock: o.clock, fencer: o.fencer, runner: o.runner, peer: o.peer, watchdog: o.watchdog },
      o.settings,
    );
    this.core.onTransition((r) => this.onTransition(r));
    this.core.onChange(() => {
      if (this.started) o.beatNow();
    });
  }

  async start(): Promise<void> {
    this.started = true;
    await this.core.start();
  }

  /**
   * A clean stop of the daemon (SIGTERM: an operator or the init script)
   * does not leave the groups running behind the peer's back, as Pacemaker
   * moves resources off a node whose cluster service is stopped: they are
   * switched over to the peer if it can take them, else stopped here. Then
   * as stop(). A self-fenced controller has nothing to hand over.
   */
  async shutdown(): Promise<void> {
    const held = this.core.status().groups;
    if (held.length > 0 && this.core.state !== 'self-fenced') {
      this.o.events.append({
        severity: 'notice',
        source: 'failover',
        code: 'SHUTDOWN_HANDOVER',
        message: `stopping: handing ${held.join(', ')} to the peer, or stopping them if it cannot take them`,
        data: { groups: [...held] },
      });
      if (this.core.state === 'active') this.core.command('switchover', held);
      const deadline = this.o.clock.monotonicMs() + SHUTDOWN_HANDOVER_MS;
      while (this.core.state === 'releasing' && this.o.clock.monotonicMs() < deadline)
        await new Promise<void>((r) => this.o.clock.after(100, r));
      // Refused (no candidate peer, maintenance, busy) or not done in time: stop them here.
      for (const g of this.core.status().groups) await this.o.runner.stopGroup(g, 'graceful');
    }
    await this.stop();
  }

  /** Process exit as after a crash: timers stop, resources are left as they are (the sim's kill). */
  async stop(): Promise<void> {
    this.started = false;
    this.core.stop();
    this.o.runner.stopMonitors();
    await this.o.fencer.stop();
    // Leave the watchdog armed after a self-fence: the reset is the point.
    await this.o.watchdog?.close(!this.rebootRequested).catch(() => undefined);
  }

  /**
   * Groups we run or are starting: what our heartbeat claims. Leftovers of a
   * previous process count too, so the peer does not start them meanwhile.
   */
  heldGroups(): readonly string[] {
    const held = this.core.status().groups;
    if (this.leftovers.size === 0) return held;
    return [...new Set([...held, ...this.leftovers])].sort();
  }

  /**
   * Run once at boot, BEFORE the heartbeat starts: a daemon restarted while
   * its groups ran (an operator restart, or a crash restarted before the
   * watchdog fired) left them running, and its new incarnation would
   * otherwise announce "no groups", which the peer reads as a release and
   * starts them too. Each group found (partly) running is claimed and
   * stopped; one whose stop fails stays claimed (never run twice), with the
   * GROUP_STOP_FAILED alarm.
   */
  async recoverAtBoot(): Promise<void> {
    for (const { name } of this.o.settings.groups) {
      // An error here leaves us unsure, and unsure means claimed.
      const { found, stopped } = await this.o.runner
        .recoverLeftovers(name)
        .catch((err: unknown) => ({ found: [`(probe failed: ${String(err)})`], stopped: false }));
      if (found.length === 0) continue;
      // Heartbeats start after this, so only a group whose stop failed is ever claimed.
      if (!stopped) this.leftovers.add(name);
      this.o.events.append({
        severity: stopped ? 'warning' : 'critical',
        source: 'failover',
        code: 'GROUP_LEFTOVERS',
        message:
          `group ${name}: ${found.join(', ')} left running by a previous process; ` +
          (stopped ? 'stopped before joining' : 'the stop failed, so the group stays claimed here'),
        data: { group: name, found, stopped },
      });
    }
  }

  /** Groups that failed here and are kept off this controller for now. */
  failedGroups(): readonly string[] {
    return this.core.status().failed;
  }

  /**
   * Operator cleanup (tandemctl cleanup): forget the failures, reset the
   * monitors' restart counts, and restart in place a group left failed here.
   */
  async cleanup(groups?: readonly string[]): Promise<{ cleared: string[]; restarted: string[] }> {
    const cleared = this.core.clearFailures(groups);
    const held = new Set(this.core.status().groups);
    const restarted: string[] = [];
    for (const { name } of this.o.settings.groups) {
      if (groups !== undefined && !groups.includes(name)) continue;
      const inPlace = held.has(name) && this.core.state === 'active';
      if (await this.o.runner.cleanup(name, inPlace)) restarted.push(name);
    }
    // The failure alarms of the cleaned groups go with the failures.
    for (const alarm of this.o.alarms.active()) {
      const group = alarm.subject.split('/')[0] ?? '';
      if (alarm.code === 'RESOURCE_FAILED' && (groups === undefined || groups.includes(group)))
        this.o.alarms.clear('RESOURCE_FAILED', alarm.subject);
    }
    this.o.events.append({
      severity: 'notice',
      source: 'failover',
      code: 'GROUP_CLEANUP',
      message:
        `cleanup: failures cleared for ${cleared.length > 0 ? cleared.join(', ') : 'no group'}` +
        (restarted.length > 0 ? `; restarted here: ${restarted.join(', ')}` : ''),
      data: { cleared, restarted },
    });
    return { cleared, restarted };
  }

  groupStatus(): GroupStatus[] {
    const held = new Set(this.core.status().groups);
    const peerGroups = this.o.peer.peerState() === 'dead' ? [] : (this.o.peer.latest()?.groups ?? []);
    const peer = otherController(this.self);
    const failedHere = this.core.status().failed;
    // A dead peer's last report is history; its failures are forgotten with it.
    const failedThere = this.o.peer.peerState() === 'dead' ? [] : (this.o.peer.latest()?.failedGroups ?? []);
    return this.o.settings.groups.map(({ name, preferred }) => {
      const local = this.o.runner.localState(name);
      const owner = held.has(name) ? this.self : peerGroups.includes(name) ? peer : null;
      const state = owner === peer ? 'running' : local;
      const failedOn = (['A', 'B'] as const).filter((c) =>
        (c === this.self ? failedHere : failedThere).includes(name),
      );
      return { name, preferred, owner, state, failedOn };
    });
  }

  /** Group-failed from the resource monitor (needs failover). */
  groupFailed(group: string, reason: string): void {
    this.core.dispatch({ type: 'group-failed', groups: [group], detail: reason });
  }

  private onTransition(r: TransitionRecord): void {
    const { events, alarms } = this.o;
    const peer = otherController(this.self);
    events.append({
      severity: r.outcome === 'invalid' ? 'error' : 'info',
      source: 'failover',
      code: 'FAILOVER_TRANSITION',
      message: `${r.from} --${r.event}--> ${r.to} (${r.outcome}): ${r.text}`,
      data: {
        from: r.from,
        to: r.to,
        event: r.event,
        outcome: r.outcome,
        actions: [...r.actions],
        groups: r.groups === undefined ? null : [...r.groups],
        atMonoMs: r.atMs,
      },
    });
    if (r.outcome === 'go' && r.event === 'fence-ok') {
      alarms.raise('FENCED', { subject: peer });
      alarms.clear('FENCE_FAILED', peer);
    }
    if (r.outcome === 'go' && r.event === 'fence-failed')
      alarms.raise('FENCE_FAILED', { subject: peer, params: { reason: r.text } });
    if (r.event === 'peer-alive') alarms.clear('FENCED', peer);
    if (r.actions.includes('request-reboot')) this.rebootRequested = true;
    if (r.to === r.from) return;
    this.o.setState(r.to, `${r.event}: ${r.text}`);
    if (r.to === 'self-fenced') {
      alarms.raise('SELF_FENCED', { subject: this.self, params: { reason: `${r.event}: ${r.text}` } });
      alarms.raise('FENCED', { subject: this.self });
      events.append({
        severity: 'critical',
        source: 'failover',
        code: 'REBOOT_REQUESTED',
        message:
          this.o.watchdog === null
            ? 'self-fenced: no watchdog configured, reboot this controller by hand'
            : 'self-fenced: watchdog no longer petted, the board will be reset',
        data: { watchdog: this.o.watchdog !== null },
      });
    }
    if (r.to === 'maintenance') alarms.raise('MAINTENANCE_MODE', { subject: this.self });
    if (r.from === 'maintenance') alarms.clear('MAINTENANCE_MODE', this.self);
  }
}
