// What the LCD says when it has no status to show: never stale data. The
// daemon's Last Will (its process is gone), the local broker out of reach
// (the firmware may be fine; the panel cannot tell), or no status yet.
import { utcMinute } from './text.ts';
import type { Layout } from './types.ts';

export type Offline =
  | { readonly kind: 'waiting' }
  | { readonly kind: 'firmware-down'; readonly sinceWallMs: number }
  | { readonly kind: 'unavailable'; readonly sinceWallMs: number };

/** "HH:MM UTC" of a wall-clock time (the date is not worth a line on a 16x2). */
const hhmm = (ms: number): string => utcMinute(ms).slice(11);

export function offlineLayout(o: Offline, controller: string): Layout {
  switch (o.kind) {
    case 'waiting':
      return {
        wide: [`Tandem controller ${controller}`, 'waiting for status', 'from the firmware', ''],
        narrow: [`Tandem ctrl ${controller}`, 'waiting status'],
      };
    case 'firmware-down':
      return {
        wide: [
          `FIRMWARE DOWN (${controller})`,
          `since ${hhmm(o.sinceWallMs)}`,
          'daemon not running',
          'peer takes over',
        ],
        narrow: [`FIRMWARE DOWN ${controller}`, `since ${hhmm(o.sinceWallMs)}`],
      };
    case 'unavailable':
      return {
        wide: [
          'STATUS UNAVAILABLE',
          `since ${hhmm(o.sinceWallMs)}`,
          'local broker down',
          'firmware may be fine',
        ],
        narrow: ['NO STATUS', `since ${hhmm(o.sinceWallMs)}`],
      };
  }
}
