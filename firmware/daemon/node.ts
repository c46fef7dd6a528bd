// One controller: the heartbeat runtime plus status, alarms, events and
// commands. The Linux daemon and the simulated box both build this; only the
// drivers passed in differ.
import { failedGroupsHealth } from '../failover/wire.ts';
import type { Clock, TimerHandle } from '../../hal/clock/clock.ts';
import type { AlarmManager } from '../alarms/alarm-manager.ts';
import { otherController, type ControllerId } from '../cluster/codes.ts';
import type { HeartbeatTiming } from '../cluster/timing.ts';
import type { CommandHandler } from '../core/envelope.ts';
import type { StatusSource } from '../status/snapshot.ts';
import type { EventInput, EventSink } from '../events/types.ts';
import type { PathDriver } from '../heartbeat/path-driver.ts';
import { HeartbeatRuntime } from '../heartbeat/runtime.ts';
import { alarmsFor } from './alarm-bridge.ts';
import { DaemonCommands } from './commands.ts';
import { membershipEvent, transportEvent } from './event-bridge.ts';
import type { FailoverHost } from './failover/host.ts';
import { FailoverCommands } from './failover/commands.ts';
import { boxNumber } from './identity.ts';
import { StatusKeeper } from './status-keeper.ts';

export interface ControllerNodeOptions {
  readonly clock: Clock;
  readonly boxId: string;
  readonly self: ControllerId;
  readonly key: Uint8Array;
  readonly timing: HeartbeatTiming;
  readonly drivers: readonly PathDriver[];
  readonly events: EventSink;
  readonly alarms: AlarmManager;
  readonly configVersion: number;
  /** How often rejected-heartbeat counters are summarised in the log (default 2000 ms). */
  readonly rejectionSummaryMs?: number;
  /** The failover core (attachFailover) sets the state; the keeper's own boot rule stays off. */
  readonly failoverDriven?: boolean;
}

export class ControllerNode {
  readonly runtime: HeartbeatRuntime;
  readonly status: StatusKeeper;
  readonly commands: CommandHandler;
  readonly self: ControllerId;
  private readonly o: ControllerNodeOptions;
  private summaryTimer: TimerHandle | undefined;
  private lastSummary = '';
  private failover: FailoverHost | undefined;

  constructor(options: ControllerNodeOptions) {
    this.o = options;
    this.self = options.self;
    // The runtime reads our state each beat; the keeper is built after it.
    const late: { status?: StatusKeeper } = {};
    this.runtime = new HeartbeatRuntime({
      clock: options.clock,
      self: options.self,
      boxId: boxNumber(options.boxId),
      key: options.key,
      timing: options.timing,
      drivers: options.drivers,
      report: () => ({
        state: late.status?.state ?? 'starting',
        groups: this.failover?.heldGroups() ?? [],
        configVersion: options.configVersion,
        resources: failedGroupsHealth(this.failover?.failedGroups() ?? []),
      }),
    });
    const status = new StatusKeeper({
      clock: options.clock,
      boxId: options.boxId,
      self: options.self,
      runtime: this.runtime,
      alarms: options.alarms,
      initdeadMs: options.timing.initdeadMs,
      configVersion: () => options.configVersion,
      stateFromFailover: options.failoverDriven === true,
      groups: () => this.failover?.groupStatus() ?? [],
    });
    late.status = status;
    this.status = status;
    this.commands = new DaemonCommands(
      status,
      () => this.runtime.counters(),
      () => (this.failover === undefined ? undefined : new FailoverCommands(this.failover)),
    );
  }

  /** Hand state, groups and the failover commands to the failover core (firmware/daemon/failover). */
  attachFailover(host: FailoverHost): void {
    this.failover = host;
  }

  get statusSource(): StatusSource {
    return this.status;
  }

  start(): void {
    const peer = otherController(this.self);
    const log = (e: EventInput): void => {
      this.o.events.append(e);
    };
    this.runtime.on('membership', (e) => {
      log(membershipEvent(e));
      alarmsFor(this.o.alarms, peer, e);
    });
    this.runtime.on('transport', (info) => log(transportEvent(info)));
    this.runtime.on('peer-restart', (info) =>
      log({
        severity: 'notice',
        source: 'cluster',
        code: 'PEER_INCARNATION',
        message: `peer ${peer} runs incarnation ${info.incarnation} (first heard on ${info.path})`,
        data: info,
      }),
    );
    this.runtime.on('mailbox', (m) =>
      log({
        severity: 'warning',
        source: 'cluster',
        code: 'MAILBOX_ORDER',
        message: `witness mailbox: ${m.cmd} from ${m.from} (seq ${m.seq})`,
        data: { cmd: m.cmd, from: m.from, seq: m.seq },
      }),
    );
    this.runtime.on('notice', (n) =>
      log({
        severity: 'notice',
        source: 'heartbeat',
        code: n.code,
        message: `${n.path}: ${n.detail}`,
        data: n,
      }),
    );
    this.status.onStateChange((from, to, why) =>
      log({
        severity: 'notice',
        source: 'failover',
        code: 'STATE_CHANGED',
        message: `state ${from} -> ${to}: ${why}`,
        data: { from, to, why },
      }),
    );
    this.status.start();
    this.runtime.start();
    log({
      severity: 'notice',
      source: 'daemon',
      code: 'HEARTBEAT_STARTED',
      message: `controller ${this.self} heartbeating on ${this.runtime.paths.join(', ')}`,
      data: { paths: [...this.runtime.paths], incarnation: this.runtime.incarnation.toString(16) },
    });
    this.summaryTimer = this.o.clock.every(this.o.rejectionSummaryMs ?? 2000, () => this.summarise());
  }

  async stop(): Promise<void> {
    this.summaryTimer?.cancel();
    this.summarise();
    this.status.stop();
    await this.runtime.stop();
  }

  /** Rejections are summarised, not logged one by one: line noise must not flood the log. */
  private summarise(): void {
    const c = this.runtime.counters();
    // Below the intake: serial frames lost to line noise, datagrams from strangers.
    const transport: Record<string, Record<string, number>> = {};
    for (const [path, counters] of Object.entries(c.drivers)) {
      for (const [name, n] of Object.entries(counters)) {
        if (n > 0 && /Errors$|wrongSource/.test(name)) (transport[path] ??= {})[name] = n;
      }
    }
    // A dead peer's unchanged witness slot is re-read every interval and
    // refused as a 'duplicate': expected, so it alone does not make a new summary.
    const changes = structuredClone(c.rejected) as Record<string, Record<string, number>>;
    if (changes['disk'] !== undefined) delete changes['disk']['duplicate'];
    const key = JSON.stringify([changes, transport]);
    if (key === this.lastSummary || key === '[{},{}]' || key === '[{"disk":{}},{}]') return;
    this.lastSummary = key;
    this.o.events.append({
      severity: 'info',
      source: 'heartbeat',
      code: 'HB_REJECTIONS',
      message: 'heartbeats refused so far, by path and reason',
      data: { rejected: c.rejected, transport, accepted: c.accepted },
    });
  }
}
