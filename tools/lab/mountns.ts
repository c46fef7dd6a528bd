// Each controller's persistent mount namespace. A namespace handle is an nsfs
// bind mount on a file in labFiles.nsDir; that directory must itself be a
// private mount, or the bind would propagate into the namespace it names
// (which the kernel refuses, as a loop).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { labFiles } from './files.ts';
import { isMountPoint } from './mountinfo.ts';
import { netnsPath } from './netns.ts';
import { run, tryRun } from './run.ts';
import type { Controller } from './topology.ts';

async function ensureNsDir(): Promise<void> {
  mkdirSync(labFiles.nsDir, { recursive: true });
  if (!isMountPoint(labFiles.nsDir)) {
    await run('mount', ['--bind', labFiles.nsDir, labFiles.nsDir]);
    await run('mount', ['--make-private', labFiles.nsDir]);
  }
}

export function mountNsExists(c: Controller): boolean {
  return isMountPoint(labFiles.mntNs(c));
}

/** nsenter arguments that put a command into a controller's net+mount namespaces. */
export function controllerNsenterArgs(c: Controller): string[] {
  return [`--net=${netnsPath(c)}`, `--mount=${labFiles.mntNs(c)}`];
}

/**
 * A fresh mount namespace, as after a power-on: slave of the root one (so it
 * sees what the root mounts, but its own mounts stay its own), with a sysfs
 * showing its own network namespace's interfaces and its own /run/postgresql.
 */
export async function createMountNs(c: Controller): Promise<void> {
  await ensureNsDir();
  if (mountNsExists(c)) return;
  writeFileSync(labFiles.mntNs(c), '');
  await run('unshare', [`--mount=${labFiles.mntNs(c)}`, '--propagation', 'slave', 'true']);
  const inside = ['nsenter', ...controllerNsenterArgs(c), '--'];
  const nsexec = (...args: string[]) => run(inside[0] ?? 'nsenter', [...inside.slice(1), ...args]);
  await nsexec('umount', '--lazy', '/sys');
  await nsexec('mount', '-t', 'sysfs', 'sysfs', '/sys');
  mkdirSync('/run/postgresql', { recursive: true });
  const ids =
    (await run('id', ['-u', 'postgres'])).trim() + ':' + (await run('id', ['-g', 'postgres'])).trim();
  const [uid, gid] = ids.split(':');
  await nsexec(
    'mount',
    '-t',
    'tmpfs',
    '-o',
    `mode=2775,uid=${uid},gid=${gid},size=16m`,
    'tmpfs',
    '/run/postgresql',
  );
}

/** Drops the handle: once no process is left inside, its mounts vanish. */
export async function destroyMountNs(c: Controller): Promise<void> {
  if (mountNsExists(c)) await run('umount', [labFiles.mntNs(c)]);
  rmSync(labFiles.mntNs(c), { force: true });
}

export async function releaseNsDir(): Promise<void> {
  for (let i = 0; i < 5 && isMountPoint(labFiles.nsDir); i++) {
    await tryRun('umount', [labFiles.nsDir]);
  }
}
