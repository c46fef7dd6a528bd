// The mount and group observer: every 50 ms, one round reads both
// controllers' mount tables back to back (is the data volume mounted there?)
// and whether a live postmaster runs there on it. A controller's mount table
// is read through a sentinel process kept inside its mount namespace (a
// namespace has no mountinfo of its own, only its processes do); a power-off
// kills the sentinel with everything else, and a new one is started only in
// the namespace of the next power-on, checked by inode, so a stale sentinel
// can never keep an old namespace and its mounts alive.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { labFiles } from '../../lab/files.ts';
import { controllerNsenterArgs, mountNsExists } from '../../lab/mountns.ts';
import { isPoweredOn } from '../../lab/power.ts';
import { nsInode } from '../../lab/procs.ts';
import { CONTROLLERS, type Controller } from '../../lab/topology.ts';
import type { GroupSample, MountSample } from '../observations.ts';

export const SAMPLE_MS = 50;

interface Sentinel {
  readonly child: ChildProcess;
  readonly mntIno: number;
}

function nsInodeOf(pid: number): number | null {
  return nsInode(`/proc/${pid}/ns/mnt`);
}

function mountedIn(pid: number, mountpoint: string): boolean {
  try {
    // Field 5 of each mountinfo line is the mount point (escaped; ours has no space).
    return readFileSync(`/proc/${pid}/mountinfo`, 'utf8')
      .split('\n')
      .some((l) => l.split(' ')[4] === mountpoint);
  } catch {
    return false;
  }
}

/** A live postmaster named by postmaster.pid on the mounted volume, seen through the sentinel's root. */
function postgresIn(pid: number, dataDir: string): boolean {
  let text: string;
  try {
    text = readFileSync(join(`/proc/${pid}/root`, dataDir, 'postmaster.pid'), 'utf8').slice(0, 64);
  } catch {
    return false;
  }
  const pm = Number(text.split('\n')[0]);
  if (!Number.isInteger(pm) || pm <= 0) return false;
  try {
    return readFileSync(`/proc/${pm}/comm`, 'utf8').trim() === 'postgres' && nsInodeOf(pm) === nsInodeOf(pid);
  } catch {
    return false;
  }
}

export class Sampler {
  readonly mounts: MountSample[] = [];
  readonly groups: GroupSample[] = [];
  private readonly sentinels = new Map<Controller, Sentinel>();
  private timer: NodeJS.Timeout | null = null;
  private readonly group: string;
  private readonly mountpoint: string;
  private readonly dataDir: string;

  constructor(group: string, mountpoint: string, dataDir: string) {
    this.group = group;
    this.mountpoint = mountpoint;
    this.dataDir = dataDir;
  }

  start(): void {
    this.timer = setInterval(() => this.round(), SAMPLE_MS);
  }

  private sentinel(c: Controller): Sentinel | null {
    const handle = mountNsExists(c) ? nsInode(labFiles.mntNs(c)) : null;
    const s = this.sentinels.get(c);
    const pid = s?.child.pid;
    const alive = s !== undefined && s.child.exitCode === null && s.child.signalCode === null;
    if (s !== undefined && alive && handle === s.mntIno && pid !== undefined) return s;
    if (s !== undefined) {
      s.child.kill('SIGKILL');
      this.sentinels.delete(c);
    }
    if (handle === null || !isPoweredOn(c)) return null;
    const child = spawn('nsenter', [...controllerNsenterArgs(c), '--', 'sleep', 'infinity'], {
      stdio: 'ignore',
    });
    child.on('error', () => undefined);
    // It is a sentinel only once it is inside: until then this round reads nothing of c.
    this.sentinels.set(c, { child, mntIno: handle });
    return null;
  }

  private round(): void {
    const t = Date.now();
    const mounted: Record<Controller, boolean> = { A: false, B: false };
    const on: Controller[] = [];
    for (const c of CONTROLLERS) {
      const s = this.sentinel(c);
      const pid = s?.child.pid;
      if (s === undefined || s === null || pid === undefined || nsInodeOf(pid) !== s.mntIno) continue;
      mounted[c] = mountedIn(pid, this.mountpoint);
      if (mounted[c] && postgresIn(pid, this.dataDir)) on.push(c);
    }
    this.mounts.push({ t, mounted });
    this.groups.push({ t, group: this.group, on });
  }

  /** The group's runners in the latest round. */
  latestRunners(): readonly Controller[] {
    return this.groups.at(-1)?.on ?? [];
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    for (const s of this.sentinels.values()) s.child.kill('SIGKILL');
    this.sentinels.clear();
  }
}
