// The PostgreSQL agent: the database on the shared volume, run as its own
// user. Start is pg_ctl start -w, which judges a failed start, but only looks
// at the server every 100 ms; the agent also reads postmaster.pid every
// READY_POLL_MS and calls the start done as soon as the server says `ready`
// there (what pg_ctl waits for), leaving pg_ctl to finish on its own: a
// takeover or switchover is that much shorter. Stop is a fast shutdown, then
// an immediate one, then SIGKILL, because a slow stop delays the failover it is part of. Monitor runs a real
// query over the Unix socket: a postmaster that exists but cannot answer is
// not healthy.
//
// postmaster.pid on a shared volume is a trap after failover: it names a pid
// of the OTHER controller, which may by chance be alive here, and postgres
// then refuses to start. Whether a postmaster of ours is running is therefore
// decided locally: the pid must be alive here with its working directory in
// our data directory (the postmaster chdirs there). Otherwise the file is
// stale: any backends a killed postmaster left behind here (also in that
// directory) are killed first, so removing the file can never let a new
// postmaster share the data with old processes; then the file goes.
import { constants } from 'node:fs';
import { access, readFile, readdir, readlink, realpath, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { ActionContext, ActionTimeouts, ResourceAgent } from '../agent.ts';
import { DEFAULT_TIMEOUTS } from '../agent.ts';
import type { CommandResult } from '../command.ts';
import { describeCommand, lastLine } from '../command.ts';
import { readTailBounded } from '../../core/bounded-read.ts';
import { fail, ok } from '../ocf.ts';
import type { OcfResult } from '../ocf.ts';

/** How often a start reads postmaster.pid for the server's `ready`. */
const READY_POLL_MS = 10;
/** postmaster.pid's line with the server's status (PostgreSQL 10 and later: LOCK_FILE_LINE_PM_STATUS). */
const PM_STATUS_LINE = 7;

/** How much of the server log's end is read to find why it failed. */
const LOG_TAIL_BYTES = 64 * 1024;

export interface PostgresConfig {
  readonly name: string;
  readonly dataDir: string;
  readonly user: string;
  readonly binDir: string;
  readonly socketDir: string;
  readonly port: number;
  /** pg_ctl's server log; default <dataDir>/tandem-server.log (it travels with the data). */
  readonly logFile?: string;
  /** Budget of the fast shutdown before the immediate one. */
  readonly fastStopTimeoutMs: number;
  readonly queryTimeoutMs: number;
  readonly monitorIntervalMs: number;
  readonly timeouts?: Partial<ActionTimeouts>;
}

export interface PostgresTools {
  readonly runuser: string;
  /** Makes the socket directory with its owner (coreutils' or BusyBox's install). */
  readonly install: string;
  readonly proc: string;
}

export const LINUX_PG_TOOLS: PostgresTools = {
  runuser: '/usr/sbin/runuser',
  install: '/usr/bin/install',
  proc: '/proc',
};

export class PostgresAgent implements ResourceAgent {
  readonly type = 'postgresql';
  readonly name: string;
  readonly timeouts: ActionTimeouts;
  readonly monitorIntervalMs: number;
  private readonly config: PostgresConfig;
  private readonly tools: PostgresTools;
  private readonly logFile: string;

  constructor(config: PostgresConfig, tools: PostgresTools = LINUX_PG_TOOLS) {
    this.config = config;
    this.tools = tools;
    this.name = config.name;
    this.monitorIntervalMs = config.monitorIntervalMs;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...config.timeouts };
    this.logFile = config.logFile ?? join(config.dataDir, 'tandem-server.log');
  }

  async validate(): Promise<OcfResult> {
    for (const tool of [this.tools.runuser, this.bin('pg_ctl'), this.bin('psql')]) {
      try {
        await access(tool, constants.X_OK);
      } catch {
        return fail('not-installed', `${tool} is missing`);
      }
    }
    // The data directory lives on the shared volume, mounted only while the
    // group runs here, so it is checked at start, not here.
    return ok();
  }

  async start(ctx: ActionContext): Promise<OcfResult> {
    const { dataDir } = this.config;
    try {
      await access(join(dataDir, 'PG_VERSION'));
    } catch {
      return fail('not-configured', `no PostgreSQL cluster in ${dataDir} (is the volume mounted?)`);
    }
    const pid = await this.localPostmaster();
    if (pid !== null) {
      const q = await this.query(ctx);
      return q === null ? ok(`already running (pid ${pid})`) : fail('generic-error', `running but ${q}`);
    }
    const orphans = await this.killOrphans(ctx);
    if (orphans.length > 0)
      return fail('generic-error', `backends ${orphans.join(', ')} of a dead postmaster survive SIGKILL`);
    const stale = await this.removeStalePidFile();
    // The socket directory is on tmpfs, gone at every boot; on the box no
    // init script makes it (Debian's postgresql-common would, on a server).
    const made = await ctx.exec(this.tools.install, [
      '-d',
      '-o',
      this.config.user,
      '-m',
      '2775',
      this.config.socketDir,
    ]);
    if (made.kind !== 'exited' || made.code !== 0)
      return fail('generic-error', `socket directory ${this.config.socketDir}: ${describeCommand(made)}`);
    await this.removeStaleSocketLock();
    const seconds = String(Math.max(1, Math.floor(this.timeouts.start / 1000) - 2));
    const pgCtl = this.asUser(ctx, this.bin('pg_ctl'), [
      'start',
      '-w',
      '-t',
      seconds,
      '-D',
      dataDir,
      '-l',
      this.logFile,
    ]);
    const watch = { done: false };
    const first = await Promise.race([
      pgCtl.then((r) => ({ kind: 'pg_ctl' as const, r })),
      this.ready(ctx, watch).then(() => ({ kind: 'ready' as const })),
    ]);
    watch.done = true;
    const started = stale ? `started (removed a stale postmaster.pid: ${stale})` : 'started';
    if (first.kind === 'ready') return ok(started);
    const r = first.r;
    if (r.kind !== 'exited' || r.code !== 0) {
      return fail('generic-error', `pg_ctl start ${describeCommand(r)}; server log: ${await this.logTail()}`);
    }
    return ok(started);
  }

  async stop(ctx: ActionContext): Promise<OcfResult> {
    const pid = await this.localPostmaster();
    if (pid === null) return ok('not running');
    const pgCtl = this.bin('pg_ctl');
    const fastSeconds = String(Math.max(1, Math.floor(this.config.fastStopTimeoutMs / 1000)));
    const fast = await this.asUser(
      ctx,
      pgCtl,
      ['stop', '-w', '-m', 'fast', '-t', fastSeconds, '-D', this.config.dataDir],
      {
        timeoutMs: this.config.fastStopTimeoutMs + 2000,
      },
    );
    if (fast.kind === 'exited' && fast.code === 0) return ok('stopped (fast)');
    const immediate = await this.asUser(
      ctx,
      pgCtl,
      ['stop', '-w', '-m', 'immediate', '-t', '10', '-D', this.config.dataDir],
      {
        timeoutMs: 12_000,
      },
    );
    if (immediate.kind === 'exited' && immediate.code === 0) {
      return ok(`stopped (immediate; fast stop ${describeCommand(fast)})`);
    }
    // Last resort: SIGKILL the postmaster and every process still in the data directory.
    const left = await this.killOrphans(ctx);
    if (left.length > 0)
      return fail('generic-error', `postmaster ${pid} or its backends (${left.join(', ')}) survived SIGKILL`);
    return ok(`killed postmaster ${pid} (immediate stop ${describeCommand(immediate)})`);
  }

  async monitor(ctx: ActionContext): Promise<OcfResult> {
    const problem = await this.query(ctx);
    if (problem === null) return ok();
    if ((await this.localPostmaster()) === null) return fail('not-running', 'no postmaster running here');
    return fail('generic-error', problem);
  }

  /** The drill's crash: SIGKILL our own postmaster (never a pid postmaster.pid names from the other controller). */
  async crash(): Promise<OcfResult> {
    const pid = await this.localPostmaster();
    if (pid === null) return fail('not-running', 'no postmaster of ours runs here');
    try {
      process.kill(pid, 'SIGKILL');
    } catch (err) {
      return fail('generic-error', `cannot kill postmaster ${pid}: ${(err as Error).message}`);
    }
    return ok(`killed postmaster ${pid} (SIGKILL)`);
  }

  /** null when `select 1` answered 1; otherwise what went wrong. */
  private async query(ctx: ActionContext): Promise<string | null> {
    const { socketDir, port, user, queryTimeoutMs } = this.config;
    const r = await this.asUser(
      ctx,
      this.bin('psql'),
      [
        '-X',
        '-A',
        '-t',
        '-w',
        '-h',
        socketDir,
        '-p',
        String(port),
        '-U',
        user,
        '-d',
        'postgres',
        '-c',
        'select 1',
      ],
      {
        timeoutMs: queryTimeoutMs,
        env: { PGCONNECT_TIMEOUT: String(Math.max(2, Math.ceil(queryTimeoutMs / 1000))) },
      },
    );
    if (r.kind === 'exited' && r.code === 0 && r.stdout.trim() === '1') return null;
    return `query "select 1" ${describeCommand(r)}`;
  }

  private asUser(
    ctx: ActionContext,
    file: string,
    args: readonly string[],
    options: { timeoutMs?: number; env?: Record<string, string> } = {},
  ): Promise<CommandResult> {
    return ctx.exec(this.tools.runuser, ['-u', this.config.user, '--', file, ...args], {
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', ...options.env },
      cwd: '/',
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
  }

  /** The pid of a postmaster running on THIS controller for our data directory, or null. */
  private async localPostmaster(): Promise<number | null> {
    const pid = await this.pidFromFile();
    if (pid === null) return null;
    try {
      const cwd = await readlink(join(this.tools.proc, String(pid), 'cwd'));
      return cwd === (await realpath(this.config.dataDir)) ? pid : null;
    } catch {
      return null; // no such process here (or the volume is gone)
    }
  }

  /** Processes here whose working directory is our data directory. */
  private async processesInDataDir(): Promise<number[]> {
    let dir: string;
    try {
      dir = await realpath(this.config.dataDir);
    } catch {
      return [];
    }
    const pids: number[] = [];
    for (const entry of await readdir(this.tools.proc)) {
      if (!/^\d+$/.test(entry)) continue;
      const cwd = await readlink(join(this.tools.proc, entry, 'cwd')).catch(() => '');
      if (cwd === dir) pids.push(Number(entry));
    }
    return pids;
  }

  /** SIGKILL every process in the data directory; returns those still alive after 5 s. */
  private async killOrphans(ctx: ActionContext): Promise<number[]> {
    let pids = await this.processesInDataDir();
    for (let i = 0; i < 50 && pids.length > 0; i++) {
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
      await ctx.clock.sleep(100);
      pids = await this.processesInDataDir();
    }
    return pids;
  }

  private async pidFromFile(): Promise<number | null> {
    try {
      const first =
        (await readFile(join(this.config.dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0] ?? '';
      return /^[1-9]\d{0,9}$/.test(first.trim()) ? Number(first.trim()) : null;
    } catch {
      return null;
    }
  }

  /**
   * Resolves once postmaster.pid says `ready` and names a postmaster of ours
   * (the start made sure none ran before it); never if watch.done is set first.
   */
  private async ready(ctx: ActionContext, watch: { done: boolean }): Promise<void> {
    const file = join(this.config.dataDir, 'postmaster.pid');
    for (;;) {
      await ctx.clock.sleep(READY_POLL_MS);
      if (watch.done || ctx.signal.aborted) return new Promise<void>(() => undefined);
      const lines = (await readFile(file, 'utf8').catch(() => '')).split('\n');
      if (lines[PM_STATUS_LINE]?.trim() === 'ready' && (await this.localPostmaster()) !== null) return;
    }
  }

  /** Removes postmaster.pid when no local postmaster owns it; returns the pid it named. */
  private async removeStalePidFile(): Promise<string> {
    const pid = await this.pidFromFile();
    if (pid === null) return '';
    await unlink(join(this.config.dataDir, 'postmaster.pid')).catch(() => undefined);
    return `pid ${pid}`;
  }

  /**
   * The socket's lock file in socketDir (tmpfs, per controller) outlives a
   * killed postmaster; postgres refuses to start while the pid in it exists,
   * and a killed postmaster can linger as a zombie. Remove it unless a live
   * postgres process holds it.
   */
  private async removeStaleSocketLock(): Promise<void> {
    const lock = join(this.config.socketDir, `.s.PGSQL.${this.config.port}.lock`);
    let pid: string;
    try {
      pid = ((await readFile(lock, 'utf8')).split('\n')[0] ?? '').trim();
    } catch {
      return;
    }
    if (/^\d+$/.test(pid) && (await this.isLivePostgres(pid))) return;
    await unlink(lock).catch(() => undefined);
    await unlink(join(this.config.socketDir, `.s.PGSQL.${this.config.port}`)).catch(() => undefined);
  }

  private async isLivePostgres(pid: string): Promise<boolean> {
    try {
      const stat = await readFile(join(this.tools.proc, pid, 'stat'), 'utf8');
      const m = /^\d+ \((.*)\) (\S)/.exec(stat);
      return m?.[1] === 'postgres' && m[2] !== 'Z';
    } catch {
      return false;
    }
  }

  private async logTail(): Promise<string> {
    try {
      // Only the log's tail is read, however large the log has grown.
      return serverLogReason((await readTailBounded(this.logFile, LOG_TAIL_BYTES)).toString('utf8'));
    } catch {
      return `(cannot read ${this.logFile})`;
    }
  }

  private bin(name: string): string {
    return join(this.config.binDir, name);
  }
}

/**
 * Why the server failed, from its log's tail: the last FATAL/PANIC/ERROR
 * line, not the "shut down" that follows it, with the HINT after it (which
 * names e.g. the pid another postmaster runs as); else the last line.
 */
export function serverLogReason(tail: string): string {
  const lines = tail.split('\n').slice(-50);
  const at = lines.findLastIndex((l) => /\b(FATAL|PANIC|ERROR):/.test(l));
  if (at < 0) return lastLine(lines.join('\n')) || '(empty)';
  const hint = /\bHINT:\s*(.*)$/.exec(lines[at + 1] ?? '')?.[1];
  return hint === undefined ? (lines[at] ?? '') : `${lines[at]} (${hint})`;
}
