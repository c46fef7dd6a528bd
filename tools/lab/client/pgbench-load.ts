// A background write load for the takeover bench: PostgreSQL's own pgbench
// (TPC-B-like transactions: three UPDATEs and an INSERT each), run in
// tdm-client against the VIP at a fixed rate (`-R`), so that the crash
// happens with that much WAL written since the last checkpoint. It is not
// expected to survive the crash: its connections die with the old holder,
// and it is stopped after the measurement. What it achieved before the fault
// is read from its per-second progress lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { netnsPath } from '../netns.ts';
import { tryRun } from '../run.ts';
import { ADDR, POSTGRES_BIN, POSTGRES_PORT } from '../topology.ts';

const PGBENCH = join(POSTGRES_BIN, 'pgbench');
/** Clients and threads: enough for 1000 tps with group commit on this lab's disk. */
const CLIENTS = 8;
const THREADS = 2;
/** pgbench's scale: 100,000 accounts a unit; 1 is 16 MB, well inside the data volume. */
const SCALE = 1;

function target(): string[] {
  return ['-h', ADDR.lanVip, '-p', String(POSTGRES_PORT), '-U', 'postgres'];
}

function inClient(args: readonly string[]): string[] {
  return [`--net=${netnsPath('client')}`, '--', PGBENCH, ...args];
}

/** (Re)creates pgbench's tables through the VIP. */
export async function initPgbench(): Promise<void> {
  const r = await tryRun('nsenter', inClient(['-i', '-q', '-s', String(SCALE), ...target(), 'postgres']), {
    timeoutMs: 120_000,
  });
  if (r.code !== 0) throw new Error(`pgbench -i exited ${r.code}: ${r.stderr.slice(-500)}`);
}

export class PgbenchLoad {
  private readonly child: ChildProcess;
  private readonly rates: number[] = [];
  private readonly errors: string[] = [];

  readonly tps: number;

  private constructor(tps: number) {
    this.tps = tps;
    this.child = spawn(
      'nsenter',
      inClient([
        '-n',
        '-R',
        String(tps),
        '-c',
        String(CLIENTS),
        '-j',
        String(THREADS),
        '-T',
        '600',
        '-P',
        '1',
        ...target(),
        'postgres',
      ]),
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    // Progress lines ("progress: 3.0 s, 199.0 tps, lat ...") go to stderr.
    const lines = (l: string): void => {
      const m = /^progress: [\d.]+ s, ([\d.]+) tps/.exec(l);
      if (m?.[1] !== undefined) this.rates.push(Number(m[1]));
      else if (this.errors.length < 20) this.errors.push(l);
    };
    if (this.child.stderr) createInterface({ input: this.child.stderr }).on('line', lines);
    if (this.child.stdout) createInterface({ input: this.child.stdout }).on('line', lines);
  }

  /**
   * Starts the load and waits `warmMs`. Fails when pgbench stopped or did not
   * reach half the asked rate (the lab's disk is the limit near 1000 tps on
   * this machine); what it did reach is the caller's to report.
   */
  static async start(tps: number, warmMs: number): Promise<PgbenchLoad> {
    const load = new PgbenchLoad(tps);
    await new Promise((r) => setTimeout(r, warmMs));
    const achieved = load.achievedTps();
    if (load.child.exitCode !== null || !(achieved >= tps * 0.5)) {
      await load.stop();
      throw new Error(
        `pgbench at ${tps} tps: ${achieved} tps achieved over ${warmMs} ms; ${load.errors.slice(-5).join(' | ')}`,
      );
    }
    return load;
  }

  /** The mean of its per-second rates so far (NaN before the first). */
  achievedTps(): number {
    const r = this.rates.slice(1); // the first second includes the connects
    return r.length === 0 ? NaN : Math.round(r.reduce((a, b) => a + b, 0) / r.length);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((r) => this.child.once('close', () => r()));
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(t);
  }
}
