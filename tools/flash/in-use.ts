// Whether a target is in use: the block device or any of its partitions
// mounted (by major:minor in mountinfo, or by its node as the mount's source,
// which is how btrfs shows), held by device-mapper or md, or a swap area; for
// a regular file, any loop device backing onto it, the same way. Writing
// under a mounted filesystem corrupts it, so this is refused even with --force.
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { DevNumber, Target } from './target.ts';

export interface Roots {
  readonly proc: string;
  readonly sys: string;
}
const LINUX: Roots = { proc: '/proc', sys: '/sys' };

interface Node {
  readonly name: string;
  readonly dev: string; // "major:minor"
  readonly sysDir: string;
}

function readTrim(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The disk and its partitions (sysfs subdirectories holding a `partition` file). */
function diskAndPartitions(sysDir: string): Node[] {
  const own = readTrim(join(sysDir, 'dev'));
  const nodes: Node[] = own === undefined ? [] : [{ name: basename(sysDir), dev: own, sysDir }];
  for (const entry of readdirSync(sysDir, { withFileTypes: true })) {
    const dir = join(sysDir, entry.name);
    if (!entry.isDirectory() || !existsSync(join(dir, 'partition'))) continue;
    const dev = readTrim(join(dir, 'dev'));
    if (dev !== undefined) nodes.push({ name: entry.name, dev, sysDir: dir });
  }
  return nodes;
}

/** Loop devices whose backing file is `file`. */
function loopsBacking(file: string, roots: Roots): Node[] {
  const block = join(roots.sys, 'block');
  const found: Node[] = [];
  for (const name of readdirSync(block)) {
    if (!/^loop\d+$/.test(name)) continue;
    const backing = readTrim(join(block, name, 'loop', 'backing_file'));
    if (backing !== undefined && backing.replace(/ \(deleted\)$/, '') === file) {
      found.push(...diskAndPartitions(realpathSync(join(block, name))));
    }
  }
  return found;
}

function unescapeMountinfo(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Each way the target is in use, as a sentence; empty when it is free. */
export function targetUses(target: Target, roots: Roots = LINUX): string[] {
  let nodes: Node[];
  switch (target.kind) {
    case 'missing':
      return [];
    case 'file':
      nodes = loopsBacking(target.path, roots);
      break;
    case 'block': {
      const d: DevNumber = target.rdev;
      nodes = diskAndPartitions(realpathSync(join(roots.sys, 'dev', 'block', `${d.major}:${d.minor}`)));
      break;
    }
  }
  const byDev = new Map(nodes.map((n) => [n.dev, n]));
  const byPath = new Map(nodes.map((n) => [`/dev/${n.name}`, n]));
  const uses: string[] = [];
  for (const line of readFileSync(join(roots.proc, 'self', 'mountinfo'), 'utf8').split('\n')) {
    const fields = line.split(' ');
    const dash = fields.indexOf('-');
    if (fields.length < 5 || dash < 0) continue;
    const source = unescapeMountinfo(fields[dash + 2] ?? '');
    const node = byDev.get(fields[2] ?? '') ?? byPath.get(source);
    if (node !== undefined)
      uses.push(`/dev/${node.name} is mounted on ${unescapeMountinfo(fields[4] ?? '')}`);
  }
  for (const n of nodes) {
    const holders = readdirSafe(join(n.sysDir, 'holders'));
    if (holders.length > 0)
      uses.push(`/dev/${n.name} is held by ${holders.map((h) => `/dev/${h}`).join(', ')}`);
  }
  const swaps = readTrim(join(roots.proc, 'swaps')) ?? '';
  for (const line of swaps.split('\n').slice(1)) {
    const node = byPath.get(unescapeMountinfo(line.split(/\s+/)[0] ?? ''));
    if (node !== undefined) uses.push(`/dev/${node.name} is in use as swap`);
  }
  return uses;
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
