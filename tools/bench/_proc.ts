// What the footprint bench reads of a process in /proc, and the arithmetic
// on it. The parsers and sums are pure (test/unit/bench/proc.test.ts); the
// readers below them only fetch the text. (The leading underscore keeps
// this helper out of `npm run bench`'s list.)
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ProcStat {
  /** utime + stime (stat(5) fields 14 and 15), in clock ticks: the process's own CPU, not its children's. */
  readonly cpuTicks: number;
  /** When it started (field 22), in clock ticks after boot. */
  readonly startTicks: number;
}

function tick(fields: readonly string[], index: number, field: number): number {
  const v = fields[index];
  if (v === undefined || !/^[0-9]+$/.test(v)) throw new Error(`/proc stat: field ${field} is ${v}`);
  return Number(v);
}

export function parseStat(text: string): ProcStat {
  // The command name (field 2) is in parentheses and may hold spaces or ')':
  // count the fields from after the last ')'. Index 0 is then field 3.
  const close = text.lastIndexOf(')');
  if (close < 0) throw new Error('/proc stat: no command name');
  const fields = text.slice(close + 2).split(' ');
  return {
    cpuTicks: tick(fields, 11, 14) + tick(fields, 12, 15),
    startTicks: tick(fields, 19, 22),
  };
}

/** VmRSS of /proc/PID/status, in kB (the kernel's kB are KiB). */
export function parseRssKb(status: string): number {
  const m = /^VmRSS:\s+([0-9]+) kB$/m.exec(status);
  // A zombie or a kernel thread has no VmRSS: never report it as 0.
  if (m?.[1] === undefined) throw new Error('/proc status: no VmRSS line');
  return Number(m[1]);
}

/** Seconds since boot, the first number of /proc/uptime. */
export function parseUptime(text: string): number {
  const v = Number(text.split(' ')[0]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`/proc/uptime: ${text.trim()}`);
  return v;
}

/** Percent of one core used between two readings `wallMs` apart. */
export function cpuPercent(before: number, after: number, clkTck: number, wallMs: number): number {
  if (!(wallMs > 0) || !(clkTck > 0)) throw new Error(`cpuPercent: wall ${wallMs} ms, ${clkTck} ticks/s`);
  if (after < before) throw new Error(`cpuPercent: CPU time went back (${before} -> ${after} ticks)`);
  return ((after - before) / clkTck / (wallMs / 1000)) * 100;
}

/**
 * Wall-clock ms at which a process started: its age is uptime minus its
 * start, both after boot (CLOCK_BOOTTIME on current kernels), and now is
 * read at the same moment as uptime. Resolution: one tick (10 ms) of each.
 */
export function startedAtMs(startTicks: number, uptimeS: number, clkTck: number, nowMs: number): number {
  const ageMs = (uptimeS - startTicks / clkTck) * 1000;
  if (ageMs < -1000 / clkTck) throw new Error(`process started ${-ageMs} ms in the future`);
  return nowMs - Math.max(0, ageMs);
}

/** kB as MB (MiB, as /proc counts) with one decimal. */
export const megabytes = (kb: number): number => Math.round((kb / 1024) * 10) / 10;

export const twoDecimals = (v: number): number => Math.round(v * 100) / 100;

export function readStat(pid: number): ProcStat {
  return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

export function readRssKb(pid: number): number {
  return parseRssKb(readFileSync(`/proc/${pid}/status`, 'utf8'));
}

/** When `pid` started, wall-clock ms (see startedAtMs). */
export function readStartedAtMs(pid: number, clkTck: number): number {
  const { startTicks } = readStat(pid);
  const uptime = parseUptime(readFileSync('/proc/uptime', 'utf8'));
  return startedAtMs(startTicks, uptime, clkTck, Date.now());
}

/** The command line of `pid`, its arguments as given. */
export function readCmdline(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
}

/** Clock ticks per second (USER_HZ): the unit of /proc/PID/stat's times. */
export function clockTicks(): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile('getconf', ['CLK_TCK'], { timeout: 5000 }, (err, stdout) => {
      const v = Number(String(stdout).trim());
      if (err !== null || !Number.isInteger(v) || v <= 0)
        reject(new Error(`getconf CLK_TCK: ${err?.message ?? String(stdout).trim()}`));
      else resolve(v);
    });
  });
}
