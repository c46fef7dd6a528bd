// The buzzer's and LEDs' timed patterns as data: a period and the spans
// within it that are on, counted from an anchor (when the pattern began, so
// its first beep or flash is at once). Pure: whether a pattern is on at an
// instant, and when it next changes, so a driver can sleep until then.

export interface Pattern {
  /** 0: steady (on for good). */
  readonly periodMs: number;
  /** [start, end) spans within the period that are on. */
  readonly on: readonly (readonly [number, number])[];
}

export const STEADY: Pattern = { periodMs: 0, on: [] };
/** Critical alarm on the buzzer: 1 s on, 1 s off (issue #14). */
export const CRITICAL_BEEP: Pattern = { periodMs: 2000, on: [[0, 1000]] };
/** Major (error) alarm on the buzzer: three short beeps every 10 s (issue #14); 150 ms each, 150 ms apart. */
export const MAJOR_BEEPS: Pattern = {
  periodMs: 10_000,
  on: [
    [0, 150],
    [300, 450],
    [600, 750],
  ],
};
/** LEDs: blinking at 1 Hz (a major alarm on the fault LED, standby that cannot take over, identify). */
export const BLINK: Pattern = { periodMs: 1000, on: [[0, 500]] };
/** Status LED while a takeover, fence or release is under way: 2 Hz, Dell's "busy". */
export const BUSY: Pattern = { periodMs: 500, on: [[0, 250]] };
/** The one long beep of a takeover. */
export const TAKEOVER_BEEP_MS = 1500;

/** Whether `p`, begun at `anchorMs`, is on at `nowMs`. */
export function isOn(p: Pattern, anchorMs: number, nowMs: number): boolean {
  if (p.periodMs === 0) return true;
  const t = phase(p, anchorMs, nowMs);
  return p.on.some(([start, end]) => t >= start && t < end);
}

/** The first instant after `nowMs` at which `p` switches (Infinity for a steady one). */
export function nextEdgeMs(p: Pattern, anchorMs: number, nowMs: number): number {
  if (p.periodMs === 0) return Infinity;
  const t = phase(p, anchorMs, nowMs);
  const edges = p.on.flatMap(([start, end]) => [start, end]).filter((e) => e > t);
  const next = edges.length > 0 ? Math.min(...edges) : p.periodMs + (p.on[0]?.[0] ?? 0);
  return nowMs + (next - t);
}

/** Where in its period the pattern is (before the anchor counts as its start). */
function phase(p: Pattern, anchorMs: number, nowMs: number): number {
  return Math.max(0, nowMs - anchorMs) % p.periodMs;
}
