// The outage the client saw in a step: the longest span between two
// consecutive acknowledged inserts that overlaps the step's window. The span
// opening at the last acknowledgement before the window counts, so an outage
// that began just before the injection is measured whole. With no
// acknowledgement at all the whole window is the outage. A client inserting
// every few ms shows a few ms on a quiet step: that is its resolution.
import type { InsertAttempt } from './observations.ts';

export function clientOutageMs(inserts: readonly InsertAttempt[], from: number, to: number): number {
  const acks = inserts
    .filter((i) => i.ok)
    .map((i) => i.t)
    .sort((a, b) => a - b);
  const lastBefore = acks.filter((t) => t <= from).at(-1);
  const inside = acks.filter((t) => t > from && t <= to);
  let prev = lastBefore ?? from;
  let longest = 0;
  for (const t of inside) {
    longest = Math.max(longest, t - prev);
    prev = t;
  }
  // Up to the window's end: an outage still open at `to` counts to `to`.
  return Math.max(longest, to - prev);
}
