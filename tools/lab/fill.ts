// Filling the data volume where a controller has it mounted: one filler file
// (fallocate, so it takes the blocks at once) beside the PostgreSQL data,
// sized so the file system reaches the asked percentage; `unfill` removes it.
import { join } from 'node:path';
import { controllerNsenterArgs } from './mountns.ts';
import { run, tryRun } from './run.ts';
import type { Controller } from './topology.ts';

export const FILLER = 'lab-filler';

function inside(c: Controller, cmd: readonly string[]): readonly string[] {
  return [...controllerNsenterArgs(c), '--', ...cmd];
}

/** Fills the file system mounted at `mountpoint` in `c` to `pct` percent; returns the filler's size in bytes. */
export async function fillVolume(c: Controller, mountpoint: string, pct: number): Promise<number> {
  if (!Number.isInteger(pct) || pct < 1 || pct > 100) throw new RangeError(`pct must be 1..100, got ${pct}`);
  const df = await run('nsenter', inside(c, ['df', '-B1', '--output=size,avail', mountpoint]));
  const [size, avail] = (df.trim().split('\n')[1] ?? '').trim().split(/\s+/).map(Number);
  if (size === undefined || avail === undefined || !Number.isFinite(size) || !Number.isFinite(avail))
    throw new Error(`df of ${mountpoint} in ${c}: cannot read ${JSON.stringify(df)}`);
  const want = Math.max(0, Math.min(avail, Math.ceil((size * pct) / 100) - (size - avail)));
  if (want === 0) return 0;
  // At 100 % fallocate of every free block fails; fall back to what fits.
  const r = await tryRun('nsenter', inside(c, ['fallocate', '-l', String(want), join(mountpoint, FILLER)]));
  if (r.code !== 0)
    await tryRun('nsenter', inside(c, ['fallocate', '-l', String(want - 65536), join(mountpoint, FILLER)]));
  return want;
}

/** Removes the filler if `c` has the volume mounted; true if the file is gone there. */
export async function unfill(c: Controller, mountpoint: string): Promise<boolean> {
  const r = await tryRun('nsenter', inside(c, ['rm', '-f', join(mountpoint, FILLER)]));
  return r.code === 0;
}
