// Starving a controller with stress-ng, started inside its namespaces so that
// a power-off ends it like everything else there. The lab's controllers
// share the machine's CPUs, memory and disk, so a starved "controller" loads
// its peer too: what differs is that the load dies with it.
import { rmSync } from 'node:fs';
import { labFiles } from './files.ts';
import { controllerNsenterArgs } from './mountns.ts';
import { requirePoweredOn } from './power.ts';
import { livePid, spawnDetached, stopPidFile } from './procs.ts';
import type { Controller } from './topology.ts';

export const STARVABLE = ['cpu', 'memory', 'io'] as const;
export type Starvable = (typeof STARVABLE)[number];

export function isStarvable(s: string): s is Starvable {
  return (STARVABLE as readonly string[]).includes(s);
}

/** stress-ng's stressors for each kind: busy loops, page-touching allocators, and writers that sync. */
function stressors(what: Starvable, workers: number): string[] {
  switch (what) {
    case 'cpu':
      return ['--cpu', String(workers)];
    case 'memory':
      return ['--vm', String(workers), '--vm-bytes', '256M'];
    case 'io':
      return ['--hdd', String(workers), '--hdd-bytes', '64M', '--temp-path', '/tmp'];
  }
}

export function starve(c: Controller, what: Starvable, workers: number): number {
  requirePoweredOn(c);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64)
    throw new RangeError(`workers must be 1..64, got ${workers}`);
  if (livePid(labFiles.starvePid(c)) !== null) throw new Error(`controller ${c} is already starved`);
  return spawnDetached(
    'nsenter',
    [...controllerNsenterArgs(c), '--', 'stress-ng', ...stressors(what, workers), '--quiet'],
    { pidFile: labFiles.starvePid(c), logFile: labFiles.starveLog(c) },
  );
}

export async function unstarve(c: Controller): Promise<void> {
  await stopPidFile(labFiles.starvePid(c), 1000);
  rmSync(labFiles.starvePid(c), { force: true });
}
