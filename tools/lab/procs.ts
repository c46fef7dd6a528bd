// Processes the lab owns: detached daemons with pid files, and finding every
// process inside a namespace (a power-off must kill all of them).
import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { readlink } from 'node:fs/promises';
import { LabError } from './errors.ts';
import { sleep } from './run.ts';

export function readPid(pidFile: string): number | null {
  let text: string;
  try {
    text = readFileSync(pidFile, 'utf8').trim();
  } catch {
    return null;
  }
  // A pid file is outside input: accept only a plain positive integer.
  if (!/^[1-9][0-9]{0,9}$/.test(text)) return null;
  return Number(text);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers kill(0) but is gone for our purposes.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return procState(stat) !== 'Z';
  } catch {
    return false;
  }
}

/** The one-letter state (R, S, T, Z...) from /proc/PID/stat. */
function procState(stat: string): string {
  const close = stat.lastIndexOf(')');
  return stat.slice(close + 2, close + 3);
}

export function processState(pid: number): string | null {
  try {
    return procState(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

export function livePid(pidFile: string): number | null {
  const pid = readPid(pidFile);
  return pid !== null && isAlive(pid) ? pid : null;
}

export interface DetachedOptions {
  readonly pidFile: string;
  readonly logFile: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** Starts a daemon in its own process group, output to a log, pid to a file. */
export function spawnDetached(cmd: string, args: readonly string[], opts: DetachedOptions): number {
  const log = openSync(opts.logFile, 'a');
  try {
    const child = spawn(cmd, args, {
      detached: true,
      stdio: ['ignore', log, log],
      env: opts.env ?? process.env,
    });
    if (child.pid === undefined) throw new LabError('command-failed', `could not start ${cmd}`);
    child.unref();
    writeFileSync(opts.pidFile, `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/** Signals a process group (our daemons lead their own), falling back to the pid. */
export function signalGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; waits until the process is gone. */
export async function stopPid(pid: number, graceMs = 2000): Promise<void> {
  signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(25);
  if (isAlive(pid)) signalGroup(pid, 'SIGKILL');
  const hard = Date.now() + 2000;
  while (isAlive(pid) && Date.now() < hard) await sleep(25);
}

export async function stopPidFile(pidFile: string, graceMs = 2000): Promise<void> {
  const pid = livePid(pidFile);
  if (pid !== null) await stopPid(pid, graceMs);
  try {
    unlinkSync(pidFile);
  } catch {
    // not there
  }
}

/** Namespace identity of a handle such as /run/netns/tdm-a: "net:[4026...]". */
export function nsInode(handle: string): number | null {
  try {
    return statSync(handle).ino;
  } catch {
    return null;
  }
}

/** Pids whose namespace of `kind` has inode `ino`. */
export async function pidsInNamespace(kind: 'net' | 'mnt', ino: number): Promise<number[]> {
  const want = `${kind}:[${ino}]`;
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      if ((await readlink(`/proc/${entry}/ns/${kind}`)) === want) out.push(pid);
    } catch {
      // exited meanwhile, or a kernel thread
    }
  }
  return out;
}

/** SIGKILLs every process in the namespaces until none is left. */
export async function killAllIn(
  namespaces: readonly { kind: 'net' | 'mnt'; ino: number }[],
): Promise<number> {
  let killed = 0;
  for (let round = 0; round < 50; round++) {
    const pids = new Set<number>();
    for (const ns of namespaces) for (const p of await pidsInNamespace(ns.kind, ns.ino)) pids.add(p);
    const live = [...pids].filter(isAlive);
    if (live.length === 0) return killed;
    for (const p of live) {
      try {
        process.kill(p, 'SIGKILL');
        killed++;
      } catch {
        // gone
      }
    }
    await sleep(20);
  }
  throw new LabError('timeout', 'processes in the namespace survived SIGKILL');
}
