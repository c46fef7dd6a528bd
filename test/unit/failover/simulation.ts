// The deterministic simulation: the simulated box (firmware/sim/box.ts), i.e.
// both controllers exactly as the daemon builds them (real heartbeat
// encoding and HMAC, membership, reservation manager, witness slots, resource
// groups of dummy resources), on one virtual clock, with the faults the
// golden scenarios and the property suite pull, and the invariants they
// check. It holds no model of a controller: every decision is the product's.
import { SimClock } from '../../../hal/clock/sim.ts';
import type { ControllerId } from '../../../firmware/cluster/codes.ts';
import { LAB_TIMING, type HeartbeatTiming } from '../../../firmware/cluster/timing.ts';
import type { ControllerState } from '../../../firmware/core/states.ts';
import type { TransitionRecord } from '../../../firmware/failover/machine.ts';
import { failoverSettings } from '../../../firmware/controller/failover-settings.ts';
import type { GroupSpec } from '../../../firmware/failover/placement.ts';
import { SimBox } from '../../../firmware/sim/box.ts';

export interface SimOptions {
  readonly policy: 'active-standby' | 'active-active';
  readonly groups: readonly GroupSpec[];
  readonly autoFailback?: { readonly enabled: boolean; readonly delayMs: number };
  readonly fenceDelayMs?: number;
  /** Hardware watchdog timeout in seconds; null: no watchdog. */
  readonly watchdogS?: number | null;
  /** failover.watchdog.marginMs: the sim's watchdog resets exactly at its timeout, so any margin must do. */
  readonly watchdogMarginMs?: number;
  readonly timing?: HeartbeatTiming;
  /** Time from a watchdog reset to the new process starting. */
  readonly rebootMs?: number;
  readonly quirks?: 'spc4' | 'tgt';
  /** failover.failureTimeoutMs (0: until cleanup). */
  readonly failureTimeoutMs?: number;
  /** A start fails while the other controller still holds the resource (ResourceLedger.exclusive). */
  readonly exclusiveStarts?: boolean;
}

export type Operator =
  'switchover' | 'failback' | 'maintenance-on' | 'maintenance-off' | 'forced-takeover' | 'cleanup';

export interface LogEntry extends TransitionRecord {
  readonly controller: ControllerId;
}

export class Simulation {
  readonly clock = new SimClock();
  readonly box: SimBox;
  readonly log: LogEntry[] = [];
  /** Invariant (c) breaches, found as they happen. */
  readonly violations: string[] = [];
  readonly opts: Required<SimOptions>;
  readonly takeoverWaitMs: number;
  /** Last time anything that (b) depends on changed. */
  lastChangeMs = 0;
  /** An operator forced a takeover: it skips the lease wait on purpose. */
  forcedTakeover = false;
  private readonly sasCut: Record<ControllerId, boolean> = { A: false, B: false };
  /** The nexus of each controller's latest session (its key's owner on the LUN). */
  private readonly nexus: Partial<Record<ControllerId, string>> = {};

  constructor(opts: SimOptions) {
    this.opts = {
      autoFailback: { enabled: false, delayMs: 0 },
      fenceDelayMs: 1000,
      watchdogS: null,
      watchdogMarginMs: 500,
      timing: LAB_TIMING,
      rebootMs: 2000,
      quirks: 'spc4',
      failureTimeoutMs: 600_000,
      exclusiveStarts: false,
      ...opts,
    };
    const o = this.opts;
    this.box = new SimBox({
      clock: this.clock,
      timing: o.timing,
      quirks: o.quirks,
      rebootMs: o.rebootMs,
      groups: o.groups.map((g) => ({
        name: g.name,
        preferred: g.preferred,
        // One dummy resource named after its group; the hooks record moves (ResourceLedger.moves).
        resources: [{ type: 'dummy', name: g.name, monitorIntervalMs: 1000 }],
        hooks: (['pre-failover', 'pre-failback'] as const).map((event) => ({
          event,
          command: ['/usr/bin/true'],
          timeoutMs: 5000,
          onFailure: 'warn',
        })),
      })),
      failover: {
        policy: o.policy,
        autoFailback: o.autoFailback,
        fenceDelayMs: o.fenceDelayMs,
        failureTimeoutMs: o.failureTimeoutMs,
        watchdog: {
          enabled: o.watchdogS !== null,
          timeoutS: o.watchdogS ?? 10,
          marginMs: o.watchdogMarginMs,
        },
      },
    });
    this.box.ledger.exclusive = o.exclusiveStarts;
    this.box.onController((id, controller) => {
      if (controller === undefined) return;
      this.nexus[id] = this.box.nexus(id);
      controller.failover.onTransition((r) => this.onTransition(id, r));
      // A watchdog reset reboots on its own: that is a change too.
      this.lastChangeMs = this.clock.monotonicMs();
    });
    const settings = failoverSettings(this.box.configOf('A'), 'A', o.timing);
    this.takeoverWaitMs = settings.takeoverWaitMs;
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

  state(id: ControllerId): ControllerState | undefined {
    return this.box.controller(id)?.failover.state;
  }

  isRunning(id: ControllerId): boolean {
    return this.box.controller(id) !== undefined;
  }

  isStalled(id: ControllerId): boolean {
    return this.box.process(id)?.isStalled ?? false;
  }

  /** Start a controller process (first boot or after a crash). */
  boot(id: ControllerId): void {
    if (this.isRunning(id)) return;
    this.changed();
    this.box.boot(id);
  }

  /** Power loss: the process and everything it ran are gone; the PR key stays. */
  crash(id: ControllerId): void {
    if (!this.isRunning(id)) return;
    this.changed();
    void this.box.powerOff(id);
  }

  stall(id: ControllerId): void {
    this.box.stall(id);
    this.changed();
  }

  resume(id: ControllerId): void {
    this.box.resume(id);
    this.changed();
  }

  /** One controller's own path to the shared disk. */
  setDisk(id: ControllerId, up: boolean): void {
    this.sasCut[id] = !up;
    this.box.setSasPath(id, !up);
    this.changed();
  }

  cutPath(path: 'serial' | 'net', cut: boolean): void {
    if (cut) this.box.cut(path);
    else this.box.heal(path);
    this.changed();
  }

  command(id: ControllerId, op: Operator, groups?: readonly string[]): void {
    const c = this.box.controller(id);
    const proc = this.box.process(id);
    if (c === undefined || proc === undefined) return;
    if (op === 'forced-takeover') this.forcedTakeover = true;
    proc.run(() => {
      if (op === 'cleanup') void c.cleanup(groups);
      else c.failover.command(op, groups);
    });
    this.changed();
  }

  /** From now on, starts of `group` on controller `id` fail (true) or work again (false). */
  breakStarts(id: ControllerId, group: string, broken: boolean): void {
    const key = `${id}/${group}`;
    if (broken) this.box.ledger.brokenStarts.add(key);
    else this.box.ledger.brokenStarts.delete(key);
    this.changed();
  }

  /**
   * The group's monitor gave up on controller `id` (what GroupMonitor reports
   * after its restarts); only a group that runs there has a monitor.
   */
  failGroup(id: ControllerId, group: string): void {
    const c = this.box.controller(id);
    const proc = this.box.process(id);
    const runs = c?.groupStatus().some((g) => g.name === group && g.owner === id && g.state === 'running');
    if (c === undefined || proc === undefined || runs !== true) return;
    proc.run(() => c.groupFailed(group, 'sim monitor'));
    this.changed();
  }

  async run(ms: number): Promise<void> {
    await this.clock.advance(ms);
  }

  /** Controllers that hold write access to the group right now (invariant a). */
  writers(group: string): ControllerId[] {
    return this.holders(group).filter((id) => {
      const nexus = this.nexus[id];
      return !this.sasCut[id] && nexus !== undefined && this.box.target.pr.accessAllowed(nexus, true);
    });
  }

  /** Controllers that run (or are starting or stopping) the group's resource right now. */
  holders(group: string): ControllerId[] {
    return this.box.ledger.holdersOf(group);
  }

  /** Is the controller's latest session still registered (its key on the LUN)? */
  registered(id: ControllerId): boolean {
    const nexus = this.nexus[id];
    return nexus !== undefined && this.box.target.pr.isRegistered(nexus);
  }

  /** A controller that could serve: running, not stalled, not self-fenced, with its disk. */
  healthyWithDisk(id: ControllerId): boolean {
    return this.isRunning(id) && !this.isStalled(id) && this.state(id) !== 'self-fenced' && !this.sasCut[id];
  }

  async stop(): Promise<void> {
    await this.box.stop();
  }

  private changed(): void {
    this.lastChangeMs = this.clock.monotonicMs();
  }

  private onTransition(id: ControllerId, r: TransitionRecord): void {
    this.log.push({ controller: id, ...r });
    if (r.to === 'self-fenced' && r.from !== 'self-fenced') this.lastChangeMs = r.atMs;
    // Invariant (c): a takeover (fencing) only once the peer has been silent
    // on every path for deadtime, as this process saw it.
    if (r.to === 'fencing' && r.from !== 'fencing') {
      const rt = this.box.controller(id)?.runtime;
      const heard = rt?.paths.map((p) => rt.lastHeardMs(p) ?? -Infinity) ?? [];
      const last = Math.max(-Infinity, ...heard);
      const silence = r.atMs - last;
      if (silence < this.opts.timing.deadtimeMs) {
        this.violations.push(
          `(c) ${id} started fencing at ${r.atMs} ms after hearing the peer ${silence} ms before`,
        );
      }
    }
  }
}

/** Both controllers booted with one group, db, preferred on A; resolves once A is active and B standby. */
export async function dbPair(): Promise<Simulation> {
  const sim = new Simulation({ policy: 'active-standby', groups: [{ name: 'db', preferred: 'A' }] });
  sim.boot('A');
  sim.boot('B');
  await sim.run(15_000);
  const states = `A ${sim.state('A')}, B ${sim.state('B')}`;
  if (states !== 'A active, B standby') throw new Error(`the pair did not form: ${states}`);
  return sim;
}
