// Small text helpers shared by the screens: the layouts stay strings, and
// hal/lcd's scrollWindow fits each line into the frame at draw time.
import { Frame, scrollWindow } from '../../hal/lcd/screen.ts';
import type { LcdGeometry } from '../../hal/lcd/lcd.ts';
import type { Layout } from './types.ts';

/** Scroll one cell per this many ms: slow enough to read a word at a glance. */
export const SCROLL_STEP_MS = 500;

/** `left` and `right` at the two ends of a `width`-cell line, or one line to scroll when they do not fit. */
export function spread(left: string, right: string, width: number): string {
  const gap = width - Array.from(left).length - Array.from(right).length;
  return gap >= 1 ? left + ' '.repeat(gap) + right : `${left} ${right}`;
}

/** Wall-clock ms as "YYYY-MM-DD HH:MM UTC": the panel has no zone setting, UTC is unambiguous. */
export function utcMinute(ms: number): string {
  if (!Number.isFinite(ms)) return 'unknown time';
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * The layout drawn into a frame of `geometry`: the wide lines on 4 rows, the
 * narrow ones otherwise; a line longer than the width scrolls with `tick`.
 * Characters outside the ROM (control characters too) become '?' in Frame.text.
 */
export function draw(layout: Layout, geometry: LcdGeometry, tick: number): Frame {
  const frame = new Frame(geometry);
  const lines = geometry.rows >= 4 ? layout.wide : layout.narrow;
  for (let row = 0; row < geometry.rows; row++) {
    frame.text(row, 0, scrollWindow(lines[row] ?? '', geometry.columns, tick), geometry.columns);
  }
  return frame;
}
