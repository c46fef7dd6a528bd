// PostgreSQL as the lab sees it from outside the firmware: the postmaster
// running in a controller's namespaces, found from /proc (not from the
// firmware's own records), and killed as a crash would end it.
import { readFileSync } from 'node:fs';
import { netnsPath } from './netns.ts';
import { nsInode, pidsInNamespace } from './procs.ts';
import type { Controller } from './topology.ts';

function field(pid: number, name: 'comm' | 'ppid'): string | null {
  try {
    if (name === 'comm') return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command name, which may itself hold spaces and parentheses.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] ?? null;
  } catch {
    return null;
  }
}

/** The postmaster in controller `c`'s network namespace: a `postgres` process whose parent is not one. */
export async function postmasterIn(c: Controller): Promise<number | null> {
  const ino = nsInode(netnsPath(c));
  if (ino === null) return null;
  for (const pid of await pidsInNamespace('net', ino)) {
    if (field(pid, 'comm') !== 'postgres') continue;
    const ppid = Number(field(pid, 'ppid'));
    if (Number.isInteger(ppid) && field(ppid, 'comm') !== 'postgres') return pid;
  }
  return null;
}

/** SIGKILLs the postmaster in `c` (its backends then exit); returns its pid, or null if none ran. */
export async function killPostgres(c: Controller): Promise<number | null> {
  const pid = await postmasterIn(c);
  if (pid === null) return null;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return null;
  }
  return pid;
}
