// Both controllers' failover cores on one SimClock: real Membership fed by a
// simplified heartbeat transport (per-path cut hooks), a SimScsiTarget for the
// persistent reservations (real fencing through hal/scsi/commands.ts), sim
// group runners writing to a shared ledger, SimWatchdogs. Faults: path cuts,
// disk loss per side, process stalls, crashes and restarts, operator commands.
import { SimClock } from '../../../../hal/clock/sim.ts';
import { SimScsiTarget } from '../../../../hal/scsi/sim.ts';
import { SimWatchdog } from '../../../../hal/watchdog/sim.ts';
import type { ControllerId } from '../../../../firmware/cluster/codes.ts';
import { otherController } from '../../../../firmware/cluster/codes.ts';
import { Membership } from '../../../../firmware/cluster/membership.ts';
import type { Heartbeat } from '../../../../firmware/cluster/message.ts';
import type { HeartbeatPath } from '../../../../firmware/cluster/heartbeat-paths.ts';
import { DEFAULT_TIMING, type HeartbeatTiming } from '../../../../firmware/cluster/timing.ts';
import { FailoverCore, type TransitionRecord } from '../../../../firmware/failover/core.ts';
import { DEFAULT_STOP_BUDGET_MS, minTakeoverWaitMs } from '../../../../firmware/failover/lease.ts';
import { membershipPeerView } from '../../../../firmware/failover/peer-view.ts';
import type { GroupSpec } from '../../../../firmware/failover/placement.ts';
import { failedGroupsHealth, wireRole } from '../../../../firmware/failover/wire.ts';
import { ControllerClock } from './controller-clock.ts';
import { GroupLedger, SimGroupRunner } from './group-runner.ts';
import { LinkDevice } from './link-device.ts';
import { ScsiFencer } from './scsi-fencer.ts';

export const SIM_IO_TIMEOUT_MS = 300;
const PATHS: readonly HeartbeatPath[] = ['serial', 'net', 'disk'];

export interface SimOptions {
  readonly policy: 'active-standby' | 'active-active';
  readonly groups: readonly GroupSpec[];
  readonly autoFailback?: { readonly enabled: boolean; readonly delayMs: number };
  readonly fenceDelayMs?: number;
  /** Hardware watchdog timeout in seconds; null: no watchdog. */
  readonly watchdogS?: number | null;
  readonly timing?: HeartbeatTiming;
  /** Time from a reset to the new process starting. */
  readonly rebootMs?: number;
  readonly quirks?: 'spc4' | 'tgt';
  /** FailoverSettings.failureTimeoutMs (0: until cleanup). */
  readonly failureTimeoutMs?: number;
}

export type Operator =
  'switchover' | 'failback' | 'maintenance-on' | 'maintenance-off' | 'forced-takeover' | 'cleanup';

export interface LogEntry extends TransitionRecord {
  readonly controller: ControllerId;
}

interface Node {
  readonly id: ControllerId;
  readonly boot: number;
  readonly clock: ControllerClock;
  readonly membership: Membership;
  readonly core: FailoverCore;
  readonly link: LinkDevice;
  readonly watchdog: SimWatchdog | null;
  seq: number;
  /** When this process last took in a heartbeat from the peer (any path). */
  lastHeardMs: number | undefined;
}

export class SimCluster {
  readonly clock = new SimClock();
  readonly target: SimScsiTarget;
  readonly ledger = new GroupLedger();
  readonly log: LogEntry[] = [];
  /** Invariant (c) breaches, found as they happen. */
  readonly violations: string[] = [];
  readonly opts: Required<SimOptions>;
  readonly takeoverWaitMs: number;
  readonly cut: Record<'serial' | 'net', boolean> = { serial: false, net: false };
  readonly diskUp: Record<ControllerId, boolean> = { A: true, B: true };
  private readonly nodes: Partial<Record<ControllerId, Node>> = {};
  private boots = 0;
  /** Last time anything that (b) depends on changed. */
  lastChangeMs = 0;

  constructor(opts: SimOptions) {
    this.opts = {
      autoFailback: { enabled: false, delayMs: 0 },
      fenceDelayMs: 1000,
      watchdogS: null,
      timing: DEFAULT_TIMING,
      rebootMs: 2000,
      quirks: 'spc4',
      failureTimeoutMs: 600_000,
      ...opts,
    };
    this.target = new SimScsiTarget({ clock: this.clock, quirks: this.opts.quirks });
    const t = this.opts.timing;
    this.takeoverWaitMs = minTakeoverWaitMs({
      intervalMs: t.intervalMs,
      deadtimeMs: t.deadtimeMs,
      ioTimeoutMs: SIM_IO_TIMEOUT_MS,
      stopBudgetMs: DEFAULT_STOP_BUDGET_MS,
      watchdogTimeoutMs: this.opts.watchdogS === null ? null : this.opts.watchdogS * 1000,
    });
  }

  /** Worst case from the last change until every group runs (invariant b). */
  get availabilityBoundMs(): number {
    const t = this.opts.timing;
    const starts = 200 * this.opts.groups.length;
    const reboot = this.opts.watchdogS === null ? 0 : this.opts.watchdogS * 1000 + this.opts.rebootMs;
    return (
      t.initdeadMs + this.takeoverWaitMs + this.opts.fenceDelayMs + 2 * t.deadtimeMs + starts + reboot + 2000
    );
  }

  node(id: ControllerId): Node | undefined {
    return this.nodes[id];
  }

  isRunning(id: ControllerId): boolean {
    return this.nodes[id] !== undefined;
  }

  isStalled(id: ControllerId): boolean {
    return this.nodes[id]?.clock.isStalled ?? false;
  }

  /** Start a controller process (first boot or after a crash). */
  boot(id: ControllerId): void {
    if (this.nodes[id] !== undefined) return;
    this.lastChangeMs = this.clock.monotonicMs();
    const boot = ++this.boots;
    const clock = new ControllerClock(this.clock);
    const membership = new Membership({ clock, timing: this.opts.timing, paths: PATHS });
    const link = new LinkDevice(this.target.connect(`iqn.2026-01.tandem:${id}`), clock);
    link.up = this.diskUp[id];
    const fencer = new ScsiFencer(link, id, otherController(id));
    const watchdog =
      this.opts.watchdogS === null ? null : new SimWatchdog({ clock: this.clock, name: `wd-${id}` });
    const o = this.opts;
    const core = new FailoverCore(
      {
        clock,
        fencer,
        runner: new SimGroupRunner(id, this.ledger, clock),
        peer: membershipPeerView(membership),
        watchdog,
      },
      {
        self: id,
        policy: o.policy,
        groups: o.groups,
        timing: o.timing,
        autoFailback: o.autoFailback,
        fenceDelayMs: o.fenceDelayMs,
        takeoverWaitMs: this.takeoverWaitMs,
        watchdogTimeoutS: o.watchdogS ?? 0,
        failureTimeoutMs: o.failureTimeoutMs,
      },
    );
    const node: Node = { id, boot, clock, membership, core, link, watchdog, seq: 0, lastHeardMs: undefined };
    this.nodes[id] = node;
    core.onTransition((r) => this.onTransition(node, r));
    core.onChange(() => this.send(node));
    watchdog?.on('fired', () => {
      if (this.nodes[id]?.boot !== boot) return;
      this.crash(id);
      this.clock.after(this.opts.rebootMs, () => this.boot(id));
    });
    membership.start();
    clock.every(this.opts.timing.intervalMs, () => this.send(node));
    void core.start();
  }

  /** Power loss or process death: resources vanish, the PR key stays. */
  crash(id: ControllerId): void {
    const n = this.nodes[id];
    if (n === undefined) return;
    this.lastChangeMs = this.clock.monotonicMs();
    n.core.stop();
    n.membership.stop();
    n.clock.kill();
    this.ledger.dropAll(id);
    delete this.nodes[id];
  }

  stall(id: ControllerId): void {
    this.nodes[id]?.clock.stall();
    this.lastChangeMs = this.clock.monotonicMs();
  }

  resume(id: ControllerId): void {
    this.nodes[id]?.clock.resume();
    this.lastChangeMs = this.clock.monotonicMs();
  }

  setDisk(id: ControllerId, up: boolean): void {
    this.diskUp[id] = up;
    const n = this.nodes[id];
    if (n !== undefined) n.link.up = up;
    this.lastChangeMs = this.clock.monotonicMs();
  }

  cutPath(path: 'serial' | 'net', cut: boolean): void {
    this.cut[path] = cut;
    this.lastChangeMs = this.clock.monotonicMs();
  }

  command(id: ControllerId, op: Operator, groups?: readonly string[]): void {
    const n = this.nodes[id];
    if (n === undefined) return;
    n.clock.run(() => {
      if (op === 'cleanup') n.core.clearFailures(groups);
      else n.core.command(op, groups);
    });
    this.lastChangeMs = this.clock.monotonicMs();
  }

  /** From now on, starts of `group` on controller `id` fail (true) or work again (false). */
  breakStarts(id: ControllerId, group: string, broken: boolean): void {
    const key = `${id}/${group}`;
    if (broken) this.ledger.brokenStarts.add(key);
    else this.ledger.brokenStarts.delete(key);
    this.lastChangeMs = this.clock.monotonicMs();
  }

  /** The group's monitor gave up on controller `id` (what GroupMonitor reports after its restarts). */
  failGroup(id: ControllerId, group: string): void {
    const n = this.nodes[id];
    if (n === undefined || !n.core.status().groups.includes(group)) return;
    n.clock.run(() => n.core.dispatch({ type: 'group-failed', groups: [group], detail: 'sim monitor' }));
    this.lastChangeMs = this.clock.monotonicMs();
  }

  async run(ms: number): Promise<void> {
    await this.clock.advance(ms);
  }

  /** Controllers that hold write access to the group right now (invariant a). */
  writers(group: string): ControllerId[] {
    return this.ledger
      .holdersOf(group)
      .filter((id) => this.diskUp[id] && this.target.pr.accessAllowed(`iqn.2026-01.tandem:${id}`, true));
  }

  /** A controller that could serve: running, not stalled, not self-fenced, with its disk. */
  healthyWithDisk(id: ControllerId): boolean {
    const n = this.nodes[id];
    return n !== undefined && !n.clock.isStalled && n.core.state !== 'self-fenced' && this.diskUp[id];
  }

  private send(from: Node): void {
    const to = this.nodes[otherController(from.id)];
    if (to === undefined || this.nodes[from.id] !== from) return;
    const s = from.core.status();
    from.seq++;
    const msg: Heartbeat = {
      boxId: 1,
      controller: from.id,
      incarnation: BigInt(from.boot),
      seq: from.seq,
      senderMonoMs: this.clock.monotonicMs(),
      role: wireRole(s.state, s.groups.length > 0),
      state: s.state,
      groups: s.groups,
      configVersion: 1,
      health: {
        seesPeer: from.membership.seenMask(),
        diskAccess: s.diskAccess,
        resources: failedGroupsHealth(s.failed),
      },
    };
    for (const path of PATHS) {
      const blocked =
        path === 'disk' ? !(this.diskUp[from.id] && this.diskUp[to.id]) : path === 'lan' || this.cut[path];
      if (blocked) continue;
      to.clock.after(0, () => {
        to.lastHeardMs = this.clock.monotonicMs();
        to.membership.heartbeat(path, msg);
      });
    }
  }

  private onTransition(node: Node, r: TransitionRecord): void {
    this.log.push({ controller: node.id, ...r });
    if (r.to === 'self-fenced' && r.from !== 'self-fenced') this.lastChangeMs = r.atMs;
    // Invariant (c): a takeover (fencing) only once the peer has been silent
    // on every path for deadtime, as this process saw it.
    if (r.to === 'fencing' && r.from !== 'fencing') {
      const silence = node.lastHeardMs === undefined ? Infinity : r.atMs - node.lastHeardMs;
      if (silence < this.opts.timing.deadtimeMs) {
        this.violations.push(
          `(c) ${node.id} started fencing at ${r.atMs} ms after hearing the peer ${silence} ms before`,
        );
      }
    }
  }
}
