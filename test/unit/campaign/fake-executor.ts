// A fake box for the campaign loop's unit test: its own clock (no timers),
// one group `db`, a client inserting every 50 ms and observers sampling at
// the same pace. It behaves well (moves the group only when the runner is
// killed, powered off or stalled beyond deadtime, or on a switchover) unless
// a misbehaviour is switched on. Not a stand-in for the lab run.
import type { Executor } from '../../../tools/campaign/executor.ts';
import type { Controller, Fault } from '../../../tools/campaign/menu.ts';
import type {
  ArpReply,
  FinalTable,
  GroupSample,
  InsertAttempt,
  LogLine,
  MountSample,
  Observations,
} from '../../../tools/campaign/observations.ts';
import type { Step } from '../../../tools/campaign/plan.ts';

export interface Misbehaviour {
  /** Moves the group on every cut, whatever it cut (issue 18's finding). */
  readonly moveOnCut?: boolean;
  /** Mounts on both controllers for a while after each move. */
  readonly dualMountOnMove?: boolean;
  /** Drops this row id from the final table. */
  readonly loseRow?: number;
}

const TICK_MS = 50;
const OUTAGE_MS = 1500;
const MAC: Readonly<Record<Controller, string>> = { A: '02:00:00:00:00:0a', B: '02:00:00:00:00:0b' };

export class FakeBox implements Executor {
  t = 1_764_720_000_000;
  runner: Controller = 'A';
  private failUntil = 0;
  private dualUntil = 0;
  private nextId = 1;
  readonly arp: ArpReply[] = [];
  readonly mounts: MountSample[] = [];
  readonly inserts: InsertAttempt[] = [];
  readonly groups: GroupSample[] = [];
  readonly log: LogLine[] = [];
  readonly injected: Fault[] = [];

  private readonly bad: Misbehaviour;

  constructor(bad: Misbehaviour = {}) {
    this.bad = bad;
    this.tick();
  }

  now(): number {
    return this.t;
  }

  private tick(): void {
    const other: Controller = this.runner === 'A' ? 'B' : 'A';
    const dual = this.t < this.dualUntil;
    this.mounts.push({
      t: this.t,
      mounted: { A: this.runner === 'A' || dual, B: this.runner === 'B' || dual },
    });
    this.groups.push({ t: this.t, group: 'db', on: [this.runner] });
    const ok = this.t >= this.failUntil;
    // The VIP answers once the new runner has it up; during a dual mount, both answer.
    if (ok || dual) this.arp.push({ t: this.t, mac: MAC[this.runner] });
    if (dual) this.arp.push({ t: this.t + 1, mac: MAC[other] });
    this.inserts.push(ok ? { t: this.t, id: this.nextId++, ok } : { t: this.t, id: 0, ok, error: 'timeout' });
  }

  sleep(ms: number): Promise<void> {
    const end = this.t + ms;
    while (this.t + TICK_MS <= end) {
      this.t += TICK_MS;
      this.tick();
    }
    this.t = end;
    return Promise.resolve();
  }

  private move(why: string): void {
    this.runner = this.runner === 'A' ? 'B' : 'A';
    this.failUntil = this.t + OUTAGE_MS;
    if (this.bad.dualMountOnMove === true) this.dualUntil = this.t + 200;
    this.log.push({ t: this.t, source: this.runner, text: `<b>takeover</b> of db: ${why}` });
  }

  inject(_step: Step, f: Fault): Promise<void> {
    this.injected.push(f);
    this.log.push({ t: this.t, source: 'lab', text: `inject ${f.kind}` });
    switch (f.kind) {
      case 'kill':
      case 'poweroff':
        if (f.controller === this.runner) this.move(f.kind);
        break;
      case 'stall':
        if (f.controller === this.runner && f.ms > 1200) this.move('stall');
        break;
      case 'switchover':
        this.move('switchover');
        break;
      case 'cut':
        if (this.bad.moveOnCut === true) this.move('cut');
        break;
      case 'serial-mode':
      case 'degrade':
      case 'kill-postgres':
      case 'fill-volume':
      case 'restart-tgtd':
      case 'starve':
      case 'maintenance':
        break;
    }
    return Promise.resolve();
  }

  heal(_step: Step, f: Fault): Promise<void> {
    this.log.push({ t: this.t, source: 'lab', text: `heal ${f.kind}` });
    return Promise.resolve();
  }

  async settle(_step: Step, deadline: number): Promise<void> {
    // Converged once the client is back: a well-behaved box returns early.
    const settled = Math.max(this.t, this.failUntil, this.dualUntil) + 500;
    await this.sleep(Math.max(0, Math.min(deadline, settled) - this.t));
  }

  observe(from: number, to: number): Promise<Observations> {
    const within = <T extends { t: number }>(xs: readonly T[]): T[] =>
      xs.filter((x) => x.t > from && x.t <= to);
    return Promise.resolve({
      arp: within(this.arp),
      mounts: within(this.mounts),
      inserts: within(this.inserts),
      groups: within(this.groups),
    });
  }

  logs(from: number, to: number): Promise<readonly LogLine[]> {
    return Promise.resolve(this.log.filter((l) => l.t >= from && l.t <= to));
  }

  finalTable(): Promise<FinalTable> {
    const ids = this.inserts.filter((i) => i.ok && i.id !== this.bad.loseRow).map((i) => i.id);
    return Promise.resolve({ t: this.t, ids });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
