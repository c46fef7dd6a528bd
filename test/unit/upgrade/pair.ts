// Two controllers' upgrade services (firmware/upgrade/service.ts: trial,
// agent, runner) over their own SimBootSlots and state dirs, on one
// SimClock: the peer channel calls the other's peerOp (through JSON, as on
// the wire), the groups and their switchover are a small fake, and a reboot
// stops that controller's service, power-cycles its slots and starts a new
// service with the firmware version of the slot that booted.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimBootSlots } from '../../../hal/boot/sim.ts';
import { SimClock } from '../../../hal/clock/sim.ts';
import { otherController, type ControllerId } from '../../../firmware/cluster/codes.ts';
import type { PeerUpgradeOp } from '../../../firmware/commands/context.ts';
import type { Outcome } from '../../../firmware/commands/define.ts';
import type { EventInput } from '../../../firmware/events/types.ts';
import type { GroupStatus } from '../../../firmware/status/snapshot.ts';
import type { Plan } from '../../../firmware/upgrade/documents.ts';
import { UpgradeService } from '../../../firmware/upgrade/service.ts';
import { report, settle } from './fixtures.ts';

export const FROM = '0.1.0';
export const TO = '0.2.0';
export const REBOOT_MS = 30_000;
export const SWITCHOVER_MS = 3000;

export interface Ctl {
  readonly id: ControllerId;
  readonly sim: SimBootSlots;
  readonly dir: string;
  service: UpgradeService | null;
  version: string;
  boots: number;
  /** Health as the status report shows it (each rule of health.ts), changeable by a test. */
  health: { peerState?: 'alive' | 'suspect' | 'dead'; pathsUp?: number; diskAccess?: boolean };
  readonly fellBack: string[];
}

type Group = { -readonly [K in keyof GroupStatus]: GroupStatus[K] };

export interface Move {
  readonly by: ControllerId;
  readonly groups: readonly string[];
  readonly fromVersion: string;
  readonly toVersion: string;
}

export class Pair {
  readonly clock = new SimClock();
  readonly root = mkdtempSync(join(tmpdir(), 'tandem-upgrade-'));
  readonly bundle = join(this.root, 'tandem-0.2.0.raucb');
  readonly groups: Group[] = [
    { name: 'db', preferred: 'A', owner: 'A', state: 'running', failedOn: [] },
    { name: 'files', preferred: 'A', owner: 'A', state: 'running', failedOn: [] },
  ];
  readonly switchovers: Move[] = [];
  /** Every event of both, in order, as "A CODE message". */
  readonly events: string[] = [];
  readonly ctl: Record<ControllerId, Ctl>;

  constructor() {
    writeFileSync(this.bundle, 'a signed bundle');
    const make = (id: ControllerId): Ctl => {
      const sim = new SimBootSlots({ version: FROM });
      sim.addBundle(this.bundle, { compatible: 'tandem-controller', version: TO });
      return {
        id,
        sim,
        dir: join(this.root, id),
        service: null,
        version: FROM,
        boots: 0,
        health: {},
        fellBack: [],
      };
    };
    this.ctl = { A: make('A'), B: make('B') };
  }

  async start(): Promise<void> {
    await this.boot('A', false);
    await this.boot('B', false);
    await this.run(5000);
  }

  close(): void {
    for (const c of Object.values(this.ctl)) void c.service?.stop();
    rmSync(this.root, { recursive: true, force: true });
  }

  svc(id: ControllerId): UpgradeService {
    const s = this.ctl[id].service;
    if (s === null) throw new Error(`controller ${id} is down`);
    return s;
  }

  plan(id: ControllerId): Plan | null {
    return this.ctl[id].service?.runner.current() ?? null;
  }

  codes(id?: ControllerId): string[] {
    return this.events
      .filter((e) => id === undefined || e.startsWith(`${id} `))
      .map((e) => e.split(' ').slice(0, 2).join(' '));
  }

  /** Moves the SimClock on in 1 s steps, real I/O finishing between them. */
  async run(ms: number, until?: () => boolean): Promise<boolean> {
    for (let t = 0; t < ms; t += 1000) {
      await settle();
      if (until?.()) return true;
      await this.clock.advance(1000);
    }
    await settle();
    return until?.() ?? true;
  }

  private async boot(id: ControllerId, powerCycle: boolean): Promise<void> {
    const c = this.ctl[id];
    if (powerCycle) c.sim.powerCycle();
    const s = await c.sim.status();
    c.version = s.slots.find((x) => x.name === s.booted)?.version ?? FROM;
    c.boots++;
    const service = new UpgradeService({
      self: id,
      clock: this.clock,
      slots: c.sim,
      stateDir: c.dir,
      firmwareVersion: c.version,
      peer: { run: (name, args) => this.peerRun(id, name, args) },
      probes: { webPort: null, panelPidFile: null },
      groups: () => this.groups.map((g) => ({ ...g })),
      switchover: (groups) => this.switchover(id, groups),
      log: (e: EventInput) => this.events.push(`${id} ${e.code} ${e.message}`),
      raiseFellBack: (m) => c.fellBack.push(m),
      reboot: (why) => this.reboot(id, why),
      trialDeadlineMs: 120_000,
    });
    service.useReport(() => Promise.resolve(this.reportOf(id)));
    c.service = service;
    await service.start();
  }

  reportOf(id: ControllerId) {
    const c = this.ctl[id];
    const peerUp = this.ctl[otherController(id)].service !== null;
    return report(id, {
      peerState: c.health.peerState ?? (peerUp ? 'alive' : 'dead'),
      pathsUp: c.health.pathsUp ?? (peerUp ? 3 : 0),
      diskAccess: c.health.diskAccess ?? true,
      groups: this.groups,
    });
  }

  /** As the peer channel runs the two commands the runner sends: upgrade-status and upgrade-peer. */
  private async peerRun(from: ControllerId, name: string, args: object): Promise<Outcome> {
    const to = this.ctl[otherController(from)].service;
    if (to === null) return { ok: false, error: 'the peer does not answer' };
    if (name === 'upgrade-status')
      return { ok: true, data: JSON.parse(JSON.stringify(await to.status())) as unknown };
    const op = args as PeerUpgradeOp;
    // As commands/rolling-upgrade.ts's upgrade-peer hands it on: the plan travels as JSON text.
    const wire = JSON.parse(JSON.stringify(op)) as PeerUpgradeOp;
    const r = await to.peerOp(
      wire.op === 'plan' && typeof wire.plan === 'string'
        ? { op: 'plan', plan: JSON.parse(wire.plan) as unknown }
        : wire,
    );
    return JSON.parse(JSON.stringify(r)) as Outcome;
  }

  private switchover(by: ControllerId, names: readonly string[]): void {
    const to = otherController(by);
    this.switchovers.push({
      by,
      groups: [...names],
      fromVersion: this.ctl[by].version,
      toVersion: this.ctl[to].version,
    });
    for (const g of this.groups)
      if (names.includes(g.name) && g.owner === by) {
        g.state = 'stopping';
        this.clock.after(SWITCHOVER_MS, () => {
          g.owner = to;
          g.state = 'running';
        });
      }
  }

  private reboot(id: ControllerId, why: string): void {
    const c = this.ctl[id];
    this.events.push(`${id} REBOOT ${why}`);
    void c.service?.stop();
    c.service = null;
    // Its groups fail over to the peer (not a switchover of the upgrade's).
    for (const g of this.groups)
      if (g.owner === id) {
        g.owner = otherController(id);
        g.state = 'running';
      }
    this.clock.after(REBOOT_MS, () => void this.boot(id, true));
  }
}
