// The simulated box: controllers A and B, each the very controller the
// daemon runs (controller/build.ts), on a sim platform: a null-modem
// SimSerialCable, a SimDatagramNetwork for the private link, a SimScsiTarget
// holding the shared LUN (witness slots and persistent reservations, SPC-4
// or tgt's quirks), a SimWatchdog each if configured, dummy resources in a
// shared ledger. Faults an operator or a test can pull: path cuts (both
// sides, or one controller's SAS path), process stalls, kills, power loss.
// `npm start` runs it on the system clock; the golden scenarios and the
// property suite on virtual time.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../hal/clock/clock.ts';
import { SimDatagramNetwork } from '../../hal/net/datagram-sim.ts';
import { SimLan, SimNetControl } from '../../hal/net/sim.ts';
import { SimScsiTarget, type SimQuirks } from '../../hal/scsi/sim.ts';
import { SimSerialCable } from '../../hal/serial/sim.ts';
import { SimWatchdog } from '../../hal/watchdog/sim.ts';
import { AlarmManager } from '../alarms/alarm-manager.ts';
import { otherController, type ControllerId } from '../cluster/codes.ts';
import { LAB_TIMING, type HeartbeatTiming } from '../cluster/timing.ts';
import type { TandemConfig } from '../config/schema.ts';
import { defaultConfig } from '../config/validate.ts';
import { buildController } from '../controller/build.ts';
import type { Controller } from '../controller/controller.ts';
import type { Platform } from '../controller/platform.ts';
import { sharedTransport, type SharedDisk } from '../fencing/shared-transport.ts';
import { EventLog } from '../events/event-log.ts';
import { openStateDatabase } from '../events/state-db.ts';
import type { LoggedEvent } from '../events/types.ts';
import { SimProcess } from './process.ts';
import { ResourceLedger, type LedgerTiming } from './resource-ledger.ts';

export const SIM_FAULT_PATHS = ['serial', 'net', 'disk'] as const;
export type SimFaultPath = (typeof SIM_FAULT_PATHS)[number];

const PRIVATE: Readonly<Record<ControllerId, string>> = { A: '198.18.1.1', B: '198.18.1.2' };
/** A fixed demo key: the sim never leaves this process. */
const SIM_KEY = '5a'.repeat(32);

export interface SimBoxOptions {
  readonly clock: Clock;
  readonly timing?: HeartbeatTiming;
  readonly boxId?: string;
  /** Resource groups (config groups[]); none by default, so both stay standby. */
  readonly groups?: TandemConfig['groups'];
  /** Failover settings over the embedded defaults (the watchdog is off unless given). */
  readonly failover?: Partial<TandemConfig['failover']>;
  /** The enclosure's PR semantics: SPC-4 (LIO) or tgt's quirks. */
  readonly quirks?: SimQuirks;
  /** Time from a watchdog reset to the new process starting (default 2000 ms). */
  readonly rebootMs?: number;
  /** How long dummy resources take to start and stop. */
  readonly resourceTiming?: LedgerTiming;
  /** Told about every event either controller logs. */
  readonly onEvent?: (controller: ControllerId, event: LoggedEvent) => void;
}

interface Running {
  readonly controller: Controller;
  readonly process: SimProcess;
  readonly boot: number;
  /** The I_T nexus of this process's session to the shared LUN. */
  readonly nexus: string;
}

interface Slot {
  running: Running | undefined;
  readonly events: EventLog;
  readonly alarms: AlarmManager;
}

export class SimBox {
  readonly clock: Clock;
  readonly boxId: string;
  readonly timing: HeartbeatTiming;
  readonly cable: SimSerialCable;
  readonly network: SimDatagramNetwork;
  readonly target: SimScsiTarget;
  readonly ledger: ResourceLedger;
  /** Each controller's state dir. */
  readonly stateRoot: string;
  private readonly slots: Record<ControllerId, Slot>;
  private readonly onEvent: SimBoxOptions['onEvent'];
  private readonly config: TandemConfig;
  private readonly rebootMs: number;
  private readonly lan: SimLan;
  private readonly sasCut: Record<ControllerId, boolean> = { A: false, B: false };
  private boots = 0;
  private readonly listeners = new Set<(c: ControllerId, controller: Controller | undefined) => void>();

  constructor(options: SimBoxOptions) {
    this.clock = options.clock;
    this.boxId = options.boxId ?? 'sim-box';
    this.timing = options.timing ?? LAB_TIMING;
    this.onEvent = options.onEvent;
    this.rebootMs = options.rebootMs ?? 2000;
    this.cable = new SimSerialCable({ clock: this.clock, pathA: '/dev/sim-ttyA', pathB: '/dev/sim-ttyB' });
    this.network = new SimDatagramNetwork({ clock: this.clock });
    this.target = new SimScsiTarget({
      clock: this.clock,
      blocks: 8192,
      serial: 'SIMENCL1',
      quirks: options.quirks ?? 'spc4',
    });
    this.ledger = new ResourceLedger(options.resourceTiming);
    this.lan = new SimLan({ clock: this.clock });
    this.config = simConfig(this.boxId, this.timing, options);
    this.slots = { A: this.slot('A'), B: this.slot('B') };
    this.stateRoot = mkdtempSync(join(tmpdir(), 'tandem-sim-'));
  }

  /** The controller, while its process runs. */
  controller(c: ControllerId): Controller | undefined {
    return this.slots[c].running?.controller;
  }

  /** The controller's process, while it runs (stalls, kills). */
  process(c: ControllerId): SimProcess | undefined {
    return this.slots[c].running?.process;
  }

  /** The I_T nexus the running controller's session acts as (who may write under the reservation). */
  nexus(c: ControllerId): string | undefined {
    return this.slots[c].running?.nexus;
  }

  /** The config controller `c` runs with. */
  configOf(c: ControllerId): TandemConfig {
    return controllerConfig(this.config, c);
  }

  stateDir(c: ControllerId): string {
    return join(this.stateRoot, c);
  }

  alarms(c: ControllerId): AlarmManager {
    return this.slots[c].alarms;
  }

  events(c: ControllerId): EventLog {
    return this.slots[c].events;
  }

  /** Told when a controller is booted or killed (e.g. to re-attach a status publisher). */
  onController(listener: (c: ControllerId, controller: Controller | undefined) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    this.boot('A');
    this.boot('B');
  }

  /** Cut a path for both controllers ('disk': the enclosure goes offline). */
  cut(path: SimFaultPath): void {
    this.setPath(path, true);
  }

  heal(path: SimFaultPath): void {
    this.setPath(path, false);
  }

  /** Cut or heal one controller's own SAS path; the other still reaches the enclosure. */
  setSasPath(c: ControllerId, cut: boolean): void {
    this.sasCut[c] = cut;
    this.target.setOffline(cut, initiatorOf(c));
  }

  /** Stall the controller's process (SIGSTOP); nothing of it runs until resume. */
  stall(c: ControllerId): void {
    this.process(c)?.stall();
  }

  resume(c: ControllerId): void {
    this.process(c)?.resume();
  }

  /** The controller's firmware dies at once: no goodbye on any path; its resources stay as they are. */
  kill(c: ControllerId): Promise<void> {
    const r = this.slots[c].running;
    if (r === undefined) return Promise.resolve();
    this.slots[c].running = undefined;
    r.process.kill();
    for (const l of this.listeners) l(c, undefined);
    return Promise.resolve();
  }

  /** Power loss: the firmware dies and everything it ran is gone (the PR key stays on the LUN). */
  async powerOff(c: ControllerId): Promise<void> {
    await this.kill(c);
    this.ledger.dropAll(c);
  }

  /** Kill and boot again (a new incarnation). */
  async restart(c: ControllerId): Promise<void> {
    await this.kill(c);
    this.boot(c);
  }

  async stop(): Promise<void> {
    await this.kill('A');
    await this.kill('B');
    for (const s of Object.values(this.slots)) s.events.close();
    rmSync(this.stateRoot, { recursive: true, force: true });
  }

  /** Start the controller's firmware (first boot, or after a kill or power loss). */
  boot(c: ControllerId): void {
    if (this.slots[c].running !== undefined) return;
    const boot = ++this.boots;
    const proc = new SimProcess(this.clock);
    const session = this.target.connect(initiatorOf(c));
    proc.atKill(() => void session.close());
    const device = proc.scsi(session);
    const shared: SharedDisk = {
      device,
      // Witness and fencer share the one session (one registration).
      transport: () => sharedTransport(device, () => Promise.resolve()),
      ready: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
    const watchdog = this.config.failover.watchdog.enabled
      ? new SimWatchdog({ clock: this.clock, name: `wd-${c}` })
      : null;
    watchdog?.on('fired', () => {
      // The board resets: if this process (or none) still holds the slot.
      const now = this.slots[c].running;
      if (now !== undefined && now.boot !== boot) return;
      void this.powerOff(c).then(() => this.clock.after(this.rebootMs, () => this.boot(c)));
    });
    const platform: Platform = {
      clock: proc,
      serialLink: () => proc.serial(c === 'A' ? this.cable.a : this.cable.b),
      datagramSocket: () => proc.datagrams(this.network.createSocket()),
      sharedDisk: shared,
      watchdog,
      run: this.ledger.runner(c),
      net: new SimNetControl(this.lan, c, 'lan0', c === 'A' ? '02:00:00:00:00:0a' : '02:00:00:00:00:0b'),
      dummyStore: this.ledger.store(c, proc),
      stateDir: this.stateDir(c),
      incarnation: BigInt(boot),
    };
    const built = buildController({
      config: this.configOf(c),
      self: c,
      platform,
      events: this.slots[c].events,
      alarms: this.slots[c].alarms,
    });
    if (!built.ok) throw new RangeError(`sim box config: ${built.error}`);
    const controller = built.value.controller;
    // The peer's requests see what the sim console's do (alarms, events).
    controller.servePeerWith(
      controller.commands.with({ alarms: this.slots[c].alarms, events: this.slots[c].events }),
    );
    this.slots[c].running = { controller, process: proc, boot, nexus: session.nexus };
    // As the daemon: leftovers of a killed process are stopped before the first heartbeat.
    void controller.recoverAtBoot().then(() => {
      if (proc.isDead) return;
      return controller.start();
    });
    for (const l of this.listeners) l(c, controller);
  }

  private setPath(path: SimFaultPath, cut: boolean): void {
    switch (path) {
      case 'serial':
        if (cut) this.cable.cut();
        else this.cable.heal();
        return;
      case 'net':
        if (cut) this.network.cut(PRIVATE.A, PRIVATE.B);
        else this.network.heal(PRIVATE.A, PRIVATE.B);
        return;
      case 'disk':
        this.target.setOffline(cut);
        return;
    }
  }

  private slot(c: ControllerId): Slot {
    const db = openStateDatabase(':memory:');
    const events = new EventLog({ db, clock: this.clock });
    if (this.onEvent !== undefined) {
      const onEvent = this.onEvent;
      events.subscribe((e) => onEvent(c, e));
    }
    return { running: undefined, events, alarms: new AlarmManager({ db, clock: this.clock, events }) };
  }
}

function initiatorOf(c: ControllerId): string {
  return `iqn.2026-01.invalid.tandem:sim-${c.toLowerCase()}`;
}

/** Embedded defaults with the sim's box, key, timing, groups and failover settings; no watchdog unless asked. */
function simConfig(boxId: string, timing: HeartbeatTiming, o: SimBoxOptions): TandemConfig {
  const d = defaultConfig();
  return {
    ...d,
    box: { ...d.box, id: boxId },
    cluster: {
      ...d.cluster,
      key: SIM_KEY,
      heartbeat: { ...d.cluster.heartbeat, ...timing },
      disk: { ...d.cluster.disk, witnessLba: 2048, witnessSectors: 16, lun: 1 },
    },
    failover: {
      ...d.failover,
      watchdog: { ...d.failover.watchdog, enabled: false },
      ...o.failover,
    },
    groups: [...(o.groups ?? [])],
  };
}

/** Each controller's own addresses on the private link. */
function controllerConfig(cfg: TandemConfig, c: ControllerId): TandemConfig {
  return {
    ...cfg,
    cluster: {
      ...cfg.cluster,
      network: {
        ...cfg.cluster.network,
        enabled: true,
        localAddress: PRIVATE[c],
        peerAddress: PRIVATE[otherController(c)],
      },
      lan: { ...cfg.cluster.lan, enabled: false },
    },
  };
}
