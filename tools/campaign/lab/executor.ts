// The campaign's executor in the lab: the PostgreSQL pair (tools/lab/client/
// pg-pair.ts) under the client's inserts, faults injected and healed with
// the lab's own verbs, and the observers (ARP capture, mount and group
// sampler, the client's record) that judge what happened. All along it does
// what the box's hardware would: a controller whose firmware died is reset
// (the watchdog's job on a box), one powered off boots again and starts its
// firmware, keeping its state as a disk would.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { readLog, restartDaemon } from '../../lab/configs/daemons.ts';
import { labFiles } from '../../lab/files.ts';
import { degrade, undegrade } from '../../lab/degrade.ts';
import { cut, heal } from '../../lab/faults.ts';
import { fillVolume, unfill } from '../../lab/fill.ts';
import { firmwarePid, killFirmware, stallFirmware } from '../../lab/firmware.ts';
import { isPoweredOn, powerOff, powerOn } from '../../lab/power.ts';
import { killPostgres } from '../../lab/postgres.ts';
import { setSerialMode } from '../../lab/serial.ts';
import { starve, unstarve } from '../../lab/starve.ts';
import { tgtRestart } from '../../lab/tgt.ts';
import { CONTROLLERS, type Controller } from '../../lab/topology.ts';
import {
  GROUP,
  PG_MOUNT,
  pgConfigFile,
  resetPair,
  startPgDaemon,
  tandemctl,
} from '../../lab/client/pg-pair.ts';
import { timedConfigFile, type BeatTiming } from '../../lab/configs/timing.ts';
import { errorMessage } from '../../../hal/errors.ts';
import type { Executor } from '../executor.ts';
import type { Fault } from '../menu.ts';
import type { FinalTable, LogLine, Observations } from '../observations.ts';
import type { Step } from '../plan.ts';
import { ArpWatch } from './arp-watch.ts';
import { Recorder } from './recorder.ts';
import { Sampler } from './sampler.ts';
import { StateTail } from './state-tail.ts';

/** The client must have written without a failure for this long before the pair counts as settled. */
const SETTLED_WRITES_MS = 1000;
/** A controller left self-fenced this long without its watchdog resetting it is reset by the lab. */
const SELF_FENCED_RESET_MS = 10_000;
/** Powered on without firmware this long (the lab's watchdog resets in 1 s, a boot starts it in less): reset. */
const FIRMWARE_GONE_RESET_MS = 3000;
const SETTLE_POLL_MS = 200;
/** Every action the executor took, with its time (the lab's run dir: gone with `lab down`). */
export const ACTIONS_LOG = join(labFiles.runDir, 'campaign-actions.log');
/** From power-on to one active (PostgreSQL up) and one standby: initdead and a first PostgreSQL start. */
const PAIR_START_MS = 120_000;

export class LabExecutor implements Executor {
  private readonly sampler = new Sampler(GROUP, PG_MOUNT, `${PG_MOUNT}/pgdata`);
  private readonly arp = new ArpWatch();
  private recorder: Recorder | null = null;
  private readonly actions: LogLine[] = [];
  /** In-flight stalls (a stall resumes by itself; heal waits for it). */
  private readonly stalls = new Map<Controller, Promise<void>>();
  private readonly injectedAt = new Map<Fault, number>();
  private fillPending = false;
  /** Controllers a poweroff fault keeps off until its heal. */
  private readonly heldOff = new Set<Controller>();
  /** Since when each controller, powered on, has had no firmware running. */
  private readonly goneSince: Record<Controller, number | undefined> = { A: undefined, B: undefined };
  private reconciling = false;
  private closed = false;
  private hardware: NodeJS.Timeout | null = null;
  /**
   * What the observers handed to the judges so far: a judge that saw
   * nothing would find nothing, so a test checks that each observer saw.
   */
  readonly seen = { arp: 0, mountedSamples: 0, inserts: 0 };
  private readonly states: Readonly<Record<Controller, StateTail>> = {
    A: new StateTail('A'),
    B: new StateTail('B'),
  };
  /** When the lab last started each controller's firmware: a state logged before it is the old run's. */
  private readonly startedAt: Record<Controller, number> = { A: 0, B: 0 };

  /**
   * Both controllers power-cycled and started at once: the pair settles with
   * one of them active (usually the preferred A; which one does not matter
   * to a campaign), the client inserting every 50 ms.
   */
  static async create(timing: BeatTiming): Promise<LabExecutor> {
    await resetPair();
    const x = new LabExecutor();
    x.sampler.start();
    for (const c of CONTROLLERS) {
      x.startedAt[c] = Date.now();
      // A restart later keeps the live copy, so the timing holds throughout.
      await startPgDaemon(c, timedConfigFile(pgConfigFile(c), timing, 'campaign'));
    }
    const deadline = Date.now() + PAIR_START_MS;
    while (x.runner() === null || !x.pairFormed()) {
      if (Date.now() > deadline) {
        await x.close();
        throw new Error(
          `the pair did not form within ${PAIR_START_MS} ms: A ${x.stateOf('A')}, B ${x.stateOf('B')}`,
        );
      }
      await x.sleep(SETTLE_POLL_MS);
    }
    x.hardware = setInterval(() => x.hardwareTick(), SETTLE_POLL_MS);
    x.recorder = await Recorder.start();
    x.note(`pair up: ${x.runner() ?? '?'} runs db; client inserting every 50 ms`);
    return x;
  }

  private pairFormed(): boolean {
    const states = CONTROLLERS.map((c) => this.stateOf(c));
    return states.includes('active') && states.includes('standby');
  }

  now(): number {
    return Date.now();
  }

  sleep(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
  }

  private note(text: string): void {
    const t = Date.now();
    this.actions.push({ t, source: 'lab', text });
    // Also on disk, whole: the report keeps only the lines around a violation.
    appendFileSync(ACTIONS_LOG, `${new Date(t).toISOString()} ${text}\n`);
  }

  private runner(): Controller | null {
    const on = this.sampler.latestRunners();
    return on.length === 1 ? (on[0] ?? null) : null;
  }

  /** Runs a lab action; a refusal (a controller already off, no PostgreSQL to kill) is logged, not fatal. */
  private async act(what: string, fn: () => Promise<unknown>): Promise<void> {
    try {
      const r = await fn();
      this.note(typeof r === 'string' ? `${what}: ${r.trim().slice(0, 200)}` : what);
    } catch (err) {
      this.note(`${what} failed: ${errorMessage(err).slice(0, 300)}`);
    }
  }

  /** An operator command on the first controller whose firmware runs (the other may be the fault's target). */
  private async operator(args: string[]): Promise<void> {
    const live = CONTROLLERS.filter((c) => isPoweredOn(c) && firmwarePid(c) !== null);
    if (live.length === 0) return this.note(`tandemctl ${args.join(' ')}: no controller runs its firmware`);
    const c = live.find((x) => x === this.runner()) ?? live[0] ?? 'A';
    await this.act(`tandemctl ${args.join(' ')} on ${c}`, () => tandemctl(c, ...args));
  }

  async inject(_step: Step, f: Fault): Promise<void> {
    this.injectedAt.set(f, Date.now());
    switch (f.kind) {
      case 'kill':
        return this.act(`kill ${f.controller}`, () => Promise.resolve(killFirmware(f.controller)));
      case 'poweroff':
        this.heldOff.add(f.controller);
        return this.act(`poweroff ${f.controller}`, () => powerOff(f.controller));
      case 'stall': {
        const c = f.controller;
        this.note(`stall ${c} ${f.ms} ms`);
        this.stalls.set(
          c,
          stallFirmware(c, f.ms).catch((err: unknown) =>
            this.note(`stall ${c} failed: ${errorMessage(err)}`),
          ),
        );
        return;
      }
      case 'cut':
        for (const l of f.links) await this.act(`cut ${l}`, () => cut(l));
        return;
      case 'serial-mode':
        return this.act(`serial-mode ${JSON.stringify(f.mode)}`, () => setSerialMode(f.mode));
      case 'degrade':
        return this.act(`degrade ${f.link} loss ${f.lossPct}% dup ${f.duplicatePct}%`, () =>
          degrade(f.link, { lossPct: f.lossPct, duplicatePct: f.duplicatePct }),
        );
      case 'kill-postgres': {
        const c = this.runner();
        if (c === null) return this.note('kill-postgres: no controller runs db');
        return this.act(`kill-postgres ${c}`, () =>
          killPostgres(c).then((pid) => `postmaster ${pid ?? 'none'}`),
        );
      }
      case 'fill-volume': {
        const c = this.runner();
        if (c === null) return this.note('fill-volume: no controller runs db');
        this.fillPending = true;
        return this.act(`fill ${c} to ${f.pct}%`, () =>
          fillVolume(c, PG_MOUNT, f.pct).then((b) => `${b} bytes`),
        );
      }
      case 'restart-tgtd':
        return this.act('restart-tgtd', () => tgtRestart());
      case 'starve':
        return this.act(`starve ${f.controller} ${f.what} x${f.workers}`, () =>
          Promise.resolve(starve(f.controller, f.what, f.workers)),
        );
      case 'switchover':
        return this.operator(['switchover', GROUP]);
      case 'maintenance':
        return this.operator(['maintenance', 'on']);
    }
  }

  private async waitSince(f: Fault, ms: number): Promise<void> {
    const left = (this.injectedAt.get(f) ?? Date.now()) + ms - Date.now();
    if (left > 0) await this.sleep(left);
  }

  async heal(_step: Step, f: Fault): Promise<void> {
    switch (f.kind) {
      case 'kill':
        // The watchdog resets it and it boots again (the lab's watchdog, then reconcile()).
        return;
      case 'poweroff':
        await this.waitSince(f, f.offMs);
        // The hardware loop boots it now (reconcile()).
        this.heldOff.delete(f.controller);
        return;
      case 'stall':
        await this.stalls.get(f.controller);
        this.stalls.delete(f.controller);
        return;
      case 'cut':
        for (const l of f.links) await this.act(`heal ${l}`, () => heal(l));
        return;
      case 'serial-mode':
        return this.act('serial-mode pass', () => setSerialMode({ kind: 'pass' }));
      case 'degrade':
        return this.act(`undegrade ${f.link}`, () => undegrade(f.link));
      case 'kill-postgres':
      case 'restart-tgtd':
      case 'switchover':
        return;
      case 'fill-volume':
        return this.unfill();
      case 'starve':
        return this.act(`unstarve ${f.controller}`, () => unstarve(f.controller));
      case 'maintenance':
        await this.waitSince(f, f.ms);
        for (const c of CONTROLLERS)
          if (isPoweredOn(c) && firmwarePid(c) !== null)
            await this.act(`tandemctl maintenance off on ${c}`, () => tandemctl(c, 'maintenance', 'off'));
        return;
    }
  }

  /** The filler goes wherever the volume is mounted now; if nowhere, settle() tries again. */
  private async unfill(): Promise<void> {
    const mounted = this.sampler.mounts.at(-1)?.mounted;
    const where = CONTROLLERS.filter((c) => mounted?.[c] === true);
    for (const c of where) await this.act(`unfill ${c}`, () => unfill(c, PG_MOUNT));
    if (where.length > 0) this.fillPending = false;
  }

  /**
   * What the box's hardware does, all the time (a board reboots after a
   * watchdog reset whether or not a fault is being healed): a controller that
   * is off boots and starts its firmware, unless a poweroff fault holds it
   * off; one whose firmware has been gone longer than the watchdog would
   * allow is reset; one left self-fenced without the watchdog's reset is too.
   */
  private async reconcile(): Promise<void> {
    for (const c of CONTROLLERS) {
      if (this.stalls.has(c) || this.heldOff.has(c)) continue;
      if (isPoweredOn(c) && firmwarePid(c) === null) {
        this.goneSince[c] ??= Date.now();
        if (Date.now() - this.goneSince[c] > FIRMWARE_GONE_RESET_MS)
          await this.act(`reset ${c} (its firmware is gone)`, () => powerOff(c));
      } else this.goneSince[c] = undefined;
      if (!isPoweredOn(c)) {
        await this.act(`poweron ${c}`, () => powerOn(c));
        this.startedAt[c] = Date.now();
        await this.act(`start ${c}`, () => restartDaemon(c));
        continue;
      }
      const last = this.states[c].latest();
      // Only this run's state: the old run's last line says self-fenced until the new one logs.
      const thisRun = last !== null && last.ts >= this.startedAt[c];
      if (thisRun && last.to === 'self-fenced' && Date.now() - last.ts > SELF_FENCED_RESET_MS) {
        await this.act(`reset ${c} (self-fenced for ${SELF_FENCED_RESET_MS} ms, no watchdog reset)`, () =>
          powerOff(c),
        );
      }
    }
  }

  private hardwareTick(): void {
    if (this.reconciling || this.closed) return;
    this.reconciling = true;
    this.reconcile()
      .catch((err: unknown) => this.note(`reconcile failed: ${errorMessage(err)}`))
      .finally(() => (this.reconciling = false));
  }

  /** This run's state of `c`'s firmware, or null (not running, or nothing logged since its start). */
  private stateOf(c: Controller): string | null {
    if (firmwarePid(c) === null) return null;
    const s = this.states[c].latest();
    return s === null || s.ts < this.startedAt[c] ? null : s.to;
  }

  /**
   * One runner, one controller active and the other standby, and the client
   * writing without a failure for a second, all since `since` (the heal):
   * what was true before the heal says nothing of the recovery.
   */
  private settled(since: number): boolean {
    if (Date.now() - since < SETTLED_WRITES_MS || this.runner() === null) return false;
    if (!this.pairFormed()) return false;
    this.recorder?.drain();
    const from = Date.now() - SETTLED_WRITES_MS;
    const window = (this.recorder?.inserts ?? []).filter((i) => i.t >= from);
    // One insert per 50 ms when all is well: half of them is a second of writing, not a lucky one.
    return window.length >= SETTLED_WRITES_MS / 100 && window.every((i) => i.ok);
  }

  async settle(_step: Step, deadline: number): Promise<void> {
    const healedAt = Date.now();
    while (Date.now() < deadline) {
      if (this.fillPending) await this.unfill();
      if (this.settled(healedAt)) return;
      await this.sleep(SETTLE_POLL_MS);
    }
  }

  observe(from: number, to: number): Promise<Observations> {
    this.recorder?.drain();
    const within = <T extends { readonly t: number }>(xs: T[]): T[] => {
      // Records before `from` are never asked for again: dropped, so hours of samples do not pile up.
      const keep = xs.filter((x) => x.t > from);
      xs.splice(0, xs.length, ...keep);
      return keep.filter((x) => x.t <= to);
    };
    if (!this.arp.alive()) this.note('the ARP capture died: dual VIP is not observed from here on');
    const obs: Observations = {
      arp: within(this.arp.replies),
      mounts: within(this.sampler.mounts),
      inserts: within(this.recorder?.inserts ?? []),
      groups: within(this.sampler.groups),
    };
    this.seen.arp += obs.arp.length;
    this.seen.mountedSamples += obs.mounts.filter((m) => m.mounted.A || m.mounted.B).length;
    this.seen.inserts += obs.inserts.length;
    return Promise.resolve(obs);
  }

  logs(from: number, to: number): Promise<readonly LogLine[]> {
    const fw = CONTROLLERS.flatMap((c) =>
      readLog(c)
        .filter((l) => l.ts >= from && l.ts <= to)
        .map((l) => ({ t: l.ts, source: c, text: `${l.code} ${l.message}` })),
    );
    const lab = this.actions.filter((l) => l.t >= from && l.t <= to);
    return Promise.resolve([...fw, ...lab].sort((a, b) => a.t - b.t));
  }

  finalTable(): Promise<FinalTable> {
    if (this.recorder === null) throw new Error('the client never started');
    return this.recorder.finalTable();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.hardware !== null) clearInterval(this.hardware);
    this.sampler.stop();
    this.arp.stop();
    await this.recorder?.stop();
  }
}
