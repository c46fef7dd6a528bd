// The simulated box: controllers A and B, each the very ControllerNode the
// daemon runs, wired to sim drivers (a null-modem SimSerialCable, a
// SimDatagramNetwork for the private link, a SimScsiTarget holding the
// witness LUN), with fault hooks an operator or a test can pull.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../hal/clock/clock.ts';
import { SimLan, SimNetControl } from '../../hal/net/sim.ts';
import { SimDatagramNetwork } from '../../hal/net/datagram-sim.ts';
import { SimScsiTarget } from '../../hal/scsi/sim.ts';
import { SimSerialCable } from '../../hal/serial/sim.ts';
import { AlarmManager } from '../alarms/alarm-manager.ts';
import type { ControllerId } from '../cluster/codes.ts';
import { DEFAULT_TIMING, type HeartbeatTiming } from '../cluster/timing.ts';
import { EventLog } from '../events/event-log.ts';
import { openStateDatabase } from '../events/state-db.ts';
import type { LoggedEvent } from '../events/types.ts';
import { boxNumber } from '../daemon/identity.ts';
import { ControllerNode } from '../daemon/node.ts';
import type { FailoverHost } from '../daemon/failover/host.ts';
import { wireFailover } from '../daemon/failover/wiring.ts';
import type { TandemConfig } from '../config/schema.ts';
import { defaultConfig } from '../config/validate.ts';
import { createCommandRunner } from '../resources/command.ts';
import { DiskPath } from '../heartbeat/disk-path.ts';
import { SerialPath } from '../heartbeat/serial-path.ts';
import { UdpPath } from '../heartbeat/udp-path.ts';

export const SIM_FAULT_PATHS = ['serial', 'net', 'disk'] as const;
export type SimFaultPath = (typeof SIM_FAULT_PATHS)[number];

const PRIVATE: Readonly<Record<ControllerId, string>> = { A: '198.18.1.1', B: '198.18.1.2' };
const SIM_PORT = 7788;
const WITNESS = { baseLba: 2048n, sectorCount: 16n };
/** A fixed demo key: the sim never leaves this process. */
const SIM_KEY = new Uint8Array(32).fill(0x5a);

export interface SimBoxOptions {
  readonly clock: Clock;
  readonly timing?: HeartbeatTiming;
  readonly boxId?: string;
  /** Resource groups (config groups[]); none by default, so both stay standby. */
  readonly groups?: TandemConfig['groups'];
  /** Told about every event either controller logs. */
  readonly onEvent?: (controller: ControllerId, event: LoggedEvent) => void;
}

interface Slot {
  node: ControllerNode | undefined;
  failover: FailoverHost | undefined;
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
  private readonly slots: Record<ControllerId, Slot>;
  private readonly onEvent: SimBoxOptions['onEvent'];
  /** Embedded defaults plus the groups; no watchdog in the sim. */
  private readonly config: TandemConfig;
  private readonly lan: SimLan;
  /** Each controller's state dir (dummy resources keep their files there). */
  readonly stateRoot: string;
  private readonly nodeListeners = new Set<(c: ControllerId, node: ControllerNode | undefined) => void>();

  constructor(options: SimBoxOptions) {
    this.clock = options.clock;
    this.boxId = options.boxId ?? 'sim-box';
    this.timing = options.timing ?? DEFAULT_TIMING;
    this.onEvent = options.onEvent;
    this.cable = new SimSerialCable({ clock: this.clock, pathA: '/dev/sim-ttyA', pathB: '/dev/sim-ttyB' });
    this.network = new SimDatagramNetwork({ clock: this.clock });
    this.target = new SimScsiTarget({ clock: this.clock, blocks: 8192, serial: 'SIMENCL1' });
    this.slots = { A: this.slot('A'), B: this.slot('B') };
    const config = defaultConfig();
    this.config = {
      ...config,
      box: { ...config.box, id: this.boxId },
      failover: { ...config.failover, watchdog: { ...config.failover.watchdog, enabled: false } },
      groups: [...(options.groups ?? [])],
    };
    this.lan = new SimLan({ clock: this.clock });
    this.stateRoot = mkdtempSync(join(tmpdir(), 'tandem-sim-'));
  }

  /** The controller's failover host, while it runs. */
  failover(c: ControllerId): FailoverHost | undefined {
    return this.slots[c].failover;
  }

  stateDir(c: ControllerId): string {
    return join(this.stateRoot, c);
  }

  start(): void {
    this.boot('A');
    this.boot('B');
  }

  node(c: ControllerId): ControllerNode | undefined {
    return this.slots[c].node;
  }

  alarms(c: ControllerId): AlarmManager {
    return this.slots[c].alarms;
  }

  events(c: ControllerId): EventLog {
    return this.slots[c].events;
  }

  /** Told when a controller is booted or killed (e.g. to re-attach a status publisher). */
  onNode(listener: (c: ControllerId, node: ControllerNode | undefined) => void): () => void {
    this.nodeListeners.add(listener);
    return () => this.nodeListeners.delete(listener);
  }

  cut(path: SimFaultPath): void {
    switch (path) {
      case 'serial':
        this.cable.cut();
        return;
      case 'net':
        this.network.cut(PRIVATE.A, PRIVATE.B);
        return;
      case 'disk':
        this.target.setOffline(true);
        return;
    }
  }

  heal(path: SimFaultPath): void {
    switch (path) {
      case 'serial':
        this.cable.heal();
        return;
      case 'net':
        this.network.heal(PRIVATE.A, PRIVATE.B);
        return;
      case 'disk':
        this.target.setOffline(false);
        return;
    }
  }

  /** The controller's firmware dies at once (no goodbye on any path). */
  async kill(c: ControllerId): Promise<void> {
    const node = this.slots[c].node;
    if (node === undefined) return;
    const failover = this.slots[c].failover;
    this.slots[c].node = undefined;
    this.slots[c].failover = undefined;
    await failover?.stop();
    await node.stop();
    for (const l of this.nodeListeners) l(c, undefined);
  }

  /** Boot the controller again (a new incarnation). */
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

  private slot(c: ControllerId): Slot {
    const db = openStateDatabase(':memory:');
    const events = new EventLog({ db, clock: this.clock });
    if (this.onEvent !== undefined) {
      const onEvent = this.onEvent;
      events.subscribe((e) => onEvent(c, e));
    }
    return {
      node: undefined,
      failover: undefined,
      events,
      alarms: new AlarmManager({ db, clock: this.clock, events }),
    };
  }

  private boot(c: ControllerId): void {
    if (this.slots[c].node !== undefined) return;
    const peer: ControllerId = c === 'A' ? 'B' : 'A';
    const link = c === 'A' ? this.cable.a : this.cable.b;
    // One nexus for the witness and the fencer: only a registered nexus may
    // write under the reservation (firmware/fencing/shared-transport.ts).
    const nexus = this.target.connect(`sim-${c}`);
    const shared = {
      description: nexus.description,
      execute: nexus.execute.bind(nexus),
      close: () => Promise.resolve(),
    };
    const node = new ControllerNode({
      clock: this.clock,
      boxId: this.boxId,
      self: c,
      key: SIM_KEY,
      timing: this.timing,
      events: this.slots[c].events,
      alarms: this.slots[c].alarms,
      configVersion: 0,
      failoverDriven: true,
      drivers: [
        new SerialPath({ link, clock: this.clock }),
        new UdpPath({
          path: 'net',
          clock: this.clock,
          makeSocket: () => this.network.createSocket(),
          localAddress: PRIVATE[c],
          peerAddress: PRIVATE[peer],
          port: SIM_PORT,
        }),
        new DiskPath({
          clock: this.clock,
          transport: {
            description: `sim://SIMENCL1/${c}`,
            open: () => Promise.resolve(shared),
          },
          area: WITNESS,
          self: c,
          boxId: boxNumber(this.boxId),
          key: SIM_KEY,
          intervalMs: this.timing.intervalMs,
          deadtimeMs: this.timing.deadtimeMs,
        }),
      ],
    });
    const failover = wireFailover({
      node,
      config: this.config,
      timing: this.timing,
      clock: this.clock,
      events: this.slots[c].events,
      alarms: this.slots[c].alarms,
      device: nexus,
      lun: 1,
      watchdog: null,
      run: createCommandRunner(this.clock),
      net: new SimNetControl(this.lan, c, 'lan0', c === 'A' ? '02:00:00:00:00:0a' : '02:00:00:00:00:0b'),
      stateDir: this.stateDir(c),
    });
    this.slots[c].node = node;
    this.slots[c].failover = failover;
    // As the daemon: leftovers of a killed process are stopped before the first heartbeat.
    void failover.recoverAtBoot().then(() => {
      if (this.slots[c].node !== node) return; // killed meanwhile
      node.start();
      return failover.start();
    });
    for (const l of this.nodeListeners) l(c, node);
  }
}
