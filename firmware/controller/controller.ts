// One controller: heartbeats and membership, the failover machine with its
// fencer and resource groups, the status every operator surface reads, and
// the commands they send. The Linux daemon, the simulated box and the
// deterministic simulation all run this, built by build.ts from a config and
// a platform; only the platform's drivers differ.
import { join } from 'node:path';
import type { Clock, TimerHandle } from '../../hal/clock/clock.ts';
import type { Watchdog } from '../../hal/watchdog/watchdog.ts';
import type { AlarmManager } from '../alarms/alarm-manager.ts';
import { otherController, type ControllerId } from '../cluster/codes.ts';
import { boxNumber, keyBytes } from '../cluster/identity.ts';
import { STOPPING_STATE, speaks, type SoftwareVersions } from '../cluster/protocol.ts';
import type { HeartbeatTiming } from '../cluster/timing.ts';
import type { TandemConfig } from '../config/schema.ts';
import type { ControllerState } from '../core/states.ts';
import type { GroupStatus, ResourceStatus } from '../status/snapshot.ts';
import type { EventSink } from '../events/types.ts';
import { BoxMaintenance, fileMarkStore } from '../failover/box-maintenance.ts';
import { groupDownGraceMs, peerClaimWaitMs } from '../failover/lease.ts';
import { FailoverMachine, type TransitionRecord } from '../failover/machine.ts';
import { membershipPeerView, type PeerView } from '../failover/peer-view.ts';
import { failoverSettings } from './failover-settings.ts';
import { failedGroupsHealth } from '../failover/wire.ts';
import { homeOf } from '../failover/placement.ts';
import type { Fencer } from '../fencing/fencer.ts';
import type { PathDriver } from '../heartbeat/path-driver.ts';
import { HeartbeatRuntime } from '../heartbeat/runtime.ts';
import { ResourceGroupRunner } from '../resources/group-runner.ts';
import { RegistryCommands } from '../commands/dispatch.ts';
import { firmwareVersion } from '../core/firmware-version.ts';
import { DrillService } from '../drill/service.ts';
import { PeerChannel, peerCommandPort } from '../peer/channel.ts';
import type { PeerCommands } from '../peer/server.ts';
import { FailoverAlarms } from './failover-alarms.ts';
import { logKeys, logTransition } from './failover-log.ts';
import { GroupDownWatch } from './group-down.ts';
import { HeartbeatLog } from './heartbeat-log.ts';
import type { Platform } from './platform.ts';
import { StatusKeeper } from './status-keeper.ts';

/** What build.ts hands over: the config in force and the parts made from it. */
export interface ControllerParts {
  readonly config: TandemConfig;
  readonly self: ControllerId;
  readonly timing: HeartbeatTiming;
  readonly platform: Platform;
  readonly drivers: readonly PathDriver[];
  readonly fencer: Fencer;
  /** The LUN the fencer holds (the witness LUN): the reservation resource may name it. */
  readonly fencedLun: number | null;
  readonly events: EventSink;
  readonly alarms: AlarmManager;
  /** Read on every heartbeat and status: an import or a replicated config raises it live. */
  readonly configVersion: () => number;
  /** How often rejected-heartbeat counters are summarised in the log (default 2000 ms). */
  readonly rejectionSummaryMs?: number;
}

/** How long a clean stop waits for the switchover before stopping the groups itself. */
const SHUTDOWN_HANDOVER_MS = 60_000;

/** States in which a controller runs groups or is on its way to (a takeover's steps included). */
const CAN_RUN: ReadonlySet<ControllerState> = new Set<ControllerState>([
  'standby',
  'active',
  'peer-suspect',
  'fencing',
  'taking-over',
]);

export class Controller {
  readonly self: ControllerId;
  readonly config: TandemConfig;
  readonly runtime: HeartbeatRuntime;
  readonly status: StatusKeeper;
  readonly failover: FailoverMachine;
  readonly fencer: Fencer;
  /** Status and failover commands; the operator surfaces add alarms, events and config (with()). */
  readonly commands: RegistryCommands;
  /**
   * The peer command channel (firmware/peer, docs/peer.md): `peer.run(name,
   * args, { timeoutMs })` runs a `peer: true` command on the other
   * controller; the peer's requests run here with `commands`, or the fuller
   * set the daemon hands over with servePeerWith().
   */
  readonly peer: PeerChannel;
  /** The failover drill (firmware/drill, docs/drill.md): `drill` and `drill status` run it. */
  readonly drill: DrillService;
  private peerCommands: PeerCommands;
  private readonly clock: Clock;
  private readonly timing: HeartbeatTiming;
  private readonly events: EventSink;
  private readonly alarms: AlarmManager;
  private readonly watchdog: Watchdog | null;
  private readonly platform: Platform;
  private readonly runner: ResourceGroupRunner;
  private readonly peerView: PeerView;
  private readonly heartbeatLog: HeartbeatLog;
  private readonly failoverAlarms: FailoverAlarms;
  private readonly groupDown: GroupDownWatch;
  private groupDownTimer: TimerHandle | undefined;
  private rebootRequested = false;
  private running = false;
  /** Groups a previous process left running: claimed in our heartbeat until stopped. */
  private readonly leftovers = new Set<string>();

  constructor(p: ControllerParts) {
    const clock = p.platform.clock;
    this.self = p.self;
    this.config = p.config;
    this.clock = clock;
    this.timing = p.timing;
    this.events = p.events;
    this.alarms = p.alarms;
    this.platform = p.platform;
    this.watchdog = p.platform.watchdog;
    this.fencer = p.fencer;
    const maintenance = new BoxMaintenance(
      fileMarkStore(join(p.platform.stateDir, 'maintenance.json'), (problem) =>
        p.events.append({
          severity: 'error',
          source: 'failover',
          code: 'MAINTENANCE_MARK_UNREADABLE',
          message: `${problem}; taken as maintenance on until an operator sets it`,
          data: { problem },
        }),
      ),
    );
    this.runtime = new HeartbeatRuntime({
      clock,
      self: p.self,
      boxId: boxNumber(p.config.box.id),
      key: keyBytes(p.config.cluster.key),
      timing: p.timing,
      drivers: p.drivers,
      ...(p.platform.incarnation !== undefined ? { incarnation: p.platform.incarnation } : {}),
      report: () => ({
        state: this.status.state,
        groups: this.heldGroups(),
        configVersion: p.configVersion(),
        maintenance: maintenance.mark,
        resources: failedGroupsHealth(this.failedGroups()),
      }),
    });
    this.peerView = membershipPeerView(this.runtime.membership, () => this.runtime.listeningSinceMs('disk'));
    this.status = new StatusKeeper({
      clock,
      boxId: p.config.box.id,
      self: p.self,
      runtime: this.runtime,
      alarms: p.alarms,
      initdeadMs: p.timing.initdeadMs,
      configVersion: p.configVersion,
      stateFromFailover: true,
      groups: () => this.groupStatus(),
    });
    this.runner = new ResourceGroupRunner({
      groups: p.config.groups,
      deps: {
        controller: p.self,
        clock,
        run: p.platform.run,
        net: p.platform.net,
        fencerFor: (lun) => (lun === p.fencedLun ? p.fencer : undefined),
        events: p.events,
        alarms: p.alarms,
        stateDir: p.platform.stateDir,
        ...(p.platform.dummyStore !== undefined ? { dummyStore: p.platform.dummyStore } : {}),
      },
      onGroupFailed: (e) => this.groupFailed(e.group, e.reason),
      onConfigError: (group, detail) =>
        p.events.append({
          severity: 'error',
          source: 'failover',
          code: 'GROUP_CONFIG_INVALID',
          message: `group ${group} cannot run here: ${detail}`,
          data: { group, detail },
        }),
    });
    const settings = failoverSettings(p.config, p.self, p.timing);
    this.failover = new FailoverMachine(
      {
        clock,
        fencer: p.fencer,
        runner: this.runner,
        peer: this.peerView,
        watchdog: this.watchdog,
        maintenance,
      },
      settings,
    );
    this.failoverAlarms = new FailoverAlarms(p.self, p.alarms, clock);
    this.failover.onTransition((r) => this.onTransition(r));
    // A group may stay unowned for as long as a takeover takes: detection
    // and lease (takeover wait), the loser's fence delay, and the settling
    // of a free group after a join (lease.ts, one function for the daemon and the docs).
    const graceMs = groupDownGraceMs({ ...settings, deadtimeMs: p.timing.deadtimeMs });
    this.groupDown = new GroupDownWatch(p.alarms, clock, graceMs, p.self, {
      groups: () => this.groupStatus(),
      candidates: () => this.groupCandidates(),
      startWait: (group) => this.failover.startWait(group),
    });
    // Tell the peer our new state and groups now, not an interval later.
    this.failover.onChange(() => {
      if (this.running) this.runtime.beat();
    });
    this.heartbeatLog = new HeartbeatLog(
      this.runtime,
      p.events,
      clock,
      p.rejectionSummaryMs ?? 2000,
      p.timing,
    );
    logKeys(p.fencer, p.events);
    this.drill = new DrillService({
      clock,
      self: p.self,
      timing: p.timing,
      stateDir: p.platform.stateDir,
      firmwareVersion: firmwareVersion(),
      events: p.events,
      peer: { run: (name, args, options) => this.peer.run(name, args, options) },
      host: this,
      status: this.status,
      paths: this.runtime.paths,
      home: (group) => homeOf(settings, group),
      mute: (path, ms) => this.runtime.mute.mute(path, ms),
      crash: (group) => this.runner.crashForDrill(group),
      forgetFailure: (group) => this.runner.forgetDrillFailure(group),
    });
    this.commands = new RegistryCommands({
      status: this.status,
      counters: () => this.runtime.counters(),
      host: () => this,
      drill: this.drill,
    });
    this.peerCommands = this.commands;
    const net = p.config.cluster.network;
    this.peer = new PeerChannel({
      clock,
      self: p.self,
      boxId: p.config.box.id,
      key: keyBytes(p.config.cluster.key),
      link:
        net.enabled && net.localAddress !== undefined && net.peerAddress !== undefined
          ? { localAddress: net.localAddress, peerAddress: net.peerAddress, port: peerCommandPort(net.port) }
          : undefined,
      makeSocket: () => p.platform.datagramSocket(),
      commands: () => this.peerCommands,
      events: p.events,
    });
    p.events.append({
      severity: 'notice',
      source: 'failover',
      code: 'FAILOVER_CONFIGURED',
      message: `failover ${settings.policy}, groups ${settings.groups.map((g) => `${g.name}@${g.preferred}`).join(', ') || '(none)'}, takeover wait ${settings.takeoverWaitMs} ms`,
      data: {
        policy: settings.policy,
        takeoverWaitMs: settings.takeoverWaitMs,
        fenceDelayMs: settings.fenceDelayMs,
        watchdog: this.watchdog !== null,
        groups: settings.groups.map((g) => g.name),
      },
    });
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
    for (const { name } of this.config.groups) {
      // An error here leaves us unsure, and unsure means claimed.
      const { found, stopped } = await this.runner
        .recoverLeftovers(name)
        .catch((err: unknown) => ({ found: [`(probe failed: ${String(err)})`], stopped: false }));
      if (found.length === 0) continue;
      if (!stopped) this.leftovers.add(name);
      this.events.append({
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

  /** Heartbeats first, then the failover machine once the shared disk session is up (or known down). */
  async start(): Promise<void> {
    const peer = otherController(this.self);
    this.status.onStateChange((from, to, why) =>
      this.events.append({
        severity: 'notice',
        source: 'failover',
        code: 'STATE_CHANGED',
        message: `state ${from} -> ${to}: ${why}`,
        data: { from, to, why },
      }),
    );
    this.heartbeatLog.start(peer, this.alarms);
    this.status.start();
    this.runtime.start();
    await this.peer.start();
    this.running = true;
    this.events.append({
      severity: 'notice',
      source: 'daemon',
      code: 'HEARTBEAT_STARTED',
      message: `controller ${this.self} heartbeating on ${this.runtime.paths.join(', ')}`,
      data: { paths: [...this.runtime.paths], incarnation: this.runtime.incarnation.toString(16) },
    });
    if (!this.config.failover.watchdog.enabled) this.alarms.raise('WATCHDOG_DISABLED');
    this.groupDownTimer = this.clock.every(this.timing.intervalMs, () => this.groupDown.tick());
    // The machine treats a missing disk itself (a registration that fails).
    await this.platform.sharedDisk?.ready().catch(() => undefined);
    if (this.running) await this.failover.start();
  }

  /**
   * A clean stop of the daemon (SIGTERM: an operator or the init script)
   * does not leave the groups running behind the peer's back, as Pacemaker
   * moves resources off a node whose cluster service is stopped: they are
   * switched over to the peer if it can take them, else stopped here. Then
   * as stop(). A self-fenced controller has nothing to hand over.
   */
  async shutdown(): Promise<void> {
    const held = this.failover.status().groups;
    let allStopped = true;
    if (held.length > 0 && this.failover.state !== 'self-fenced') {
      this.events.append({
        severity: 'notice',
        source: 'failover',
        code: 'SHUTDOWN_HANDOVER',
        message: `stopping: handing ${held.join(', ')} to the peer, or stopping them if it cannot take them`,
        data: { groups: [...held] },
      });
      if (this.failover.state === 'active') this.failover.command('switchover', held);
      const handingOver = this.failover.state === 'releasing';
      const deadline = this.clock.monotonicMs() + SHUTDOWN_HANDOVER_MS;
      const sleep = (): Promise<void> => new Promise<void>((r) => this.clock.after(100, r));
      while (this.failover.state === 'releasing' && this.clock.monotonicMs() < deadline) await sleep();
      // Keep heartbeating until the peer claims what we released: had we
      // vanished at once, it would see us dead rather than the release, and
      // fence us before taking over.
      const claimed = (): boolean => held.every((g) => this.peerView.latest()?.groups.includes(g) === true);
      const waitUntil = Math.min(deadline, this.clock.monotonicMs() + peerClaimWaitMs(this.timing));
      while (
        handingOver &&
        this.peerView.peerState() === 'alive' &&
        !claimed() &&
        this.clock.monotonicMs() < waitUntil
      )
        await sleep();
      // Refused (no candidate peer, maintenance, busy) or not done in time: stop them here.
      for (const g of this.failover.status().groups)
        if (!(await this.runner.stopGroup(g, 'graceful'))) allStopped = false;
    }
    if (allStopped && this.leftovers.size === 0) await this.sayStopping();
    await this.stop();
  }

  /**
   * Running nothing any more, our last heartbeats say `stopping` and no
   * group for an interval: the peer then reads the silence that follows as
   * this clean stop, not a failure, and neither waits out a lease nor fences
   * us (table.ts stoppedPeer). A group whose stop failed, or leftovers, keep
   * the ordinary path: claimed to the end, the peer fences before it starts them.
   */
  private async sayStopping(): Promise<void> {
    if (!this.running || this.failover.state === 'self-fenced') return;
    // A peer of an older minor would refuse the new state code: it sees us dead, as before 1.1.
    const peer = this.peerVersions();
    if (peer === null || !speaks(peer.protocol, STOPPING_STATE)) return;
    // The machine stops first: no transition may follow the announcement.
    this.failover.stop();
    this.status.setState('stopping', 'clean stop: holding nothing, the peer need not fence us');
    this.runtime.beat();
    await new Promise<void>((r) => this.clock.after(this.timing.intervalMs, r));
  }

  /** Process exit as after a crash: timers stop, resources are left as they are. */
  async stop(): Promise<void> {
    this.running = false;
    this.groupDownTimer?.cancel();
    this.failover.stop();
    this.runner.stopMonitors();
    this.fencer.stop();
    // Leave the watchdog armed after a self-fence: the reset is the point.
    await this.watchdog?.close(!this.rebootRequested).catch(() => undefined);
    this.heartbeatLog.stop();
    this.status.stop();
    await this.peer.stop();
    await this.runtime.stop();
  }

  /** Peer requests run with these from now on (the daemon's set: alarms, events, config). */
  servePeerWith(commands: PeerCommands): void {
    this.peerCommands = commands;
  }

  /**
   * Groups we run or are starting: what our heartbeat claims. Leftovers of a
   * previous process count too, so the peer does not start them meanwhile;
   * none once a clean stop stopped them all (sayStopping).
   */
  heldGroups(): readonly string[] {
    if (this.status.state === 'stopping') return [];
    const held = this.failover.status().groups;
    if (this.leftovers.size === 0) return held;
    return [...new Set([...held, ...this.leftovers])].sort();
  }

  /**
   * The peer's software as its latest authenticated heartbeat told it
   * (docs/heartbeat.md, Versions): protocol, firmware version and the highest
   * config schema it reads; null when never heard. Kept while the peer is
   * dead: it is what we last heard. The rolling upgrade and `upgrade commit`
   * read it here (the status snapshot shows the same as peer.firmwareVersion,
   * peer.protocol, peer.configSchema).
   */
  peerVersions(): SoftwareVersions | null {
    return this.runtime.membership.peerVersions() ?? null;
  }

  /** False while the peer speaks another protocol major: alive, not understood, no takeover either way. */
  peerProtocolCompatible(): boolean {
    return this.runtime.membership.peerCompatible();
  }

  /** Groups that failed here and are kept off this controller for now. */
  failedGroups(): readonly string[] {
    return this.failover.status().failed;
  }

  /**
   * Operator cleanup (tandemctl cleanup): forget the failures, reset the
   * monitors' restart counts, and restart in place a group left failed here.
   */
  async cleanup(groups?: readonly string[]): Promise<{ cleared: string[]; restarted: string[] }> {
    const cleared = this.failover.clearFailures(groups);
    const held = new Set(this.failover.status().groups);
    const restarted: string[] = [];
    for (const { name } of this.config.groups) {
      if (groups !== undefined && !groups.includes(name)) continue;
      const inPlace = held.has(name) && this.failover.state === 'active';
      if (await this.runner.cleanup(name, inPlace)) restarted.push(name);
    }
    // The failure alarms of the cleaned groups go with the failures.
    for (const alarm of this.alarms.active()) {
      const group = alarm.subject.split('/')[0] ?? '';
      if (alarm.code === 'RESOURCE_FAILED' && (groups === undefined || groups.includes(group)))
        this.alarms.clear('RESOURCE_FAILED', alarm.subject);
    }
    this.events.append({
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

  /** Each resource of a group as this controller knows it: health here, recent monitor failures. */
  resourceStatus(group: string): ResourceStatus[] {
    return this.runner.resourceStatus(group);
  }

  groupStatus(): GroupStatus[] {
    const held = new Set(this.failover.status().groups);
    const peerDead = this.peerView.peerState() === 'dead';
    const peerGroups = peerDead ? [] : (this.peerView.latest()?.groups ?? []);
    // A self-fenced peer stops at once everything it still lists: not running.
    const peerStopping = !peerDead && this.peerView.latest()?.state === 'self-fenced';
    const peer = otherController(this.self);
    const failedHere = this.failover.status().failed;
    // A dead peer's last report is history; its failures are forgotten with it.
    const failedThere = peerDead ? [] : (this.peerView.latest()?.failedGroups ?? []);
    return this.config.groups.map(({ name, preferred }) => {
      const local = this.runner.localState(name);
      const owner = held.has(name) ? this.self : peerGroups.includes(name) ? peer : null;
      const state = owner === peer ? (peerStopping ? 'stopping' : 'running') : local;
      const failedOn = (['A', 'B'] as const).filter((c) =>
        (c === this.self ? failedHere : failedThere).includes(name),
      );
      return { name, preferred, owner, state, failedOn };
    });
  }

  /** Who could run a group now: up, reaching the shared disk, in a state that places groups. */
  groupCandidates(): ControllerId[] {
    const out: ControllerId[] = [];
    const here = this.failover.status();
    if (CAN_RUN.has(here.state) && here.diskAccess) out.push(this.self);
    const peer = this.peerView.latest();
    if (
      this.peerView.peerState() === 'alive' &&
      peer !== undefined &&
      CAN_RUN.has(peer.state) &&
      peer.diskAccess
    )
      out.push(otherController(this.self));
    return out.sort();
  }

  /** A group's monitor gave up after its local restarts: the machine hands it on. */
  groupFailed(group: string, reason: string): void {
    this.failover.dispatch({ type: 'group-failed', groups: [group], detail: reason });
  }

  private onTransition(r: TransitionRecord): void {
    if (r.actions.includes('request-reboot')) this.rebootRequested = true;
    logTransition(r, this.watchdog !== null, this.events);
    this.failoverAlarms.onTransition(r);
    if (r.to !== r.from) this.status.setState(r.to, `${r.event}: ${r.text}`);
  }
}
