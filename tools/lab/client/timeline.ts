// What a controller's firmware logged since a fault, as offsets from it: the
// takeover bench prints this per trial so a slow step is visible by name.
import { readLog, type LogLine } from '../configs/daemons.ts';
import type { Controller } from '../topology.ts';

export function timelineSince(
  c: Controller,
  t0: number,
  max = 40,
  keep: (l: LogLine) => boolean = () => true,
): string[] {
  return readLog(c)
    .filter((l) => l.ts >= t0 && keep(l))
    .slice(0, max)
    .map((l) => `  ${c} +${String(l.ts - t0).padStart(5)} ms ${l.code} ${l.message}`);
}
