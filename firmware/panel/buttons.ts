// From button edges (after the kernel's debounce) to what the panel acts on:
// Up, Down and Mute act when pressed; Enter acts when released, so that
// holding it can mean something else: held HOLD_MS it is a hold (the
// deliberate gesture that confirms a switchover) and its release then does
// nothing. A button held past STUCK_MS is stuck (a jammed key, a shorted
// line): reported once, ignored until it is released, and its release is
// reported too, so the panel process can raise and clear PANEL_FAULT. Pure:
// edges carry their kernel timestamps; `tick` says what time alone brings.
import type { PanelKey } from './types.ts';

/** Enter held this long confirms (issue #14: "Enter held for 3 s"). */
export const HOLD_MS = 3000;
/** A button held longer than this is stuck (issue #14: "more than 30 s"). */
export const STUCK_MS = 30_000;

export type ButtonEvent =
  | { readonly kind: 'press'; readonly key: PanelKey; readonly atMs: number }
  | { readonly kind: 'hold'; readonly key: 'enter'; readonly atMs: number }
  | { readonly kind: 'stuck'; readonly key: PanelKey; readonly atMs: number }
  | { readonly kind: 'unstuck'; readonly key: PanelKey; readonly atMs: number };

interface Held {
  readonly since: number;
  held: boolean;
  stuck: boolean;
}

export class ButtonModel {
  private readonly down = new Map<PanelKey, Held>();

  /** A debounced edge: `pressed` is the logical state (active-low already undone). */
  edge(key: PanelKey, pressed: boolean, atMs: number): ButtonEvent[] {
    // Time up to the edge first: a hold or stick that happened before it is reported before it.
    const out = this.tick(atMs);
    const h = this.down.get(key);
    if (pressed) {
      if (h !== undefined) return out; // a lost release: still held since the first press
      this.down.set(key, { since: atMs, held: false, stuck: false });
      if (key !== 'enter') out.push({ kind: 'press', key, atMs });
      return out;
    }
    if (h === undefined) return out; // a release without its press (lost, or held at start)
    this.down.delete(key);
    if (h.stuck) out.push({ kind: 'unstuck', key, atMs });
    else if (key === 'enter' && !h.held) out.push({ kind: 'press', key, atMs });
    return out;
  }

  /** What time alone brings by `nowMs`: Enter reaching the hold, a button becoming stuck. */
  tick(nowMs: number): ButtonEvent[] {
    const out: ButtonEvent[] = [];
    for (const [key, h] of this.down) {
      if (key === 'enter' && !h.held && !h.stuck && nowMs - h.since >= HOLD_MS) {
        h.held = true;
        out.push({ kind: 'hold', key, atMs: h.since + HOLD_MS });
      }
      if (!h.stuck && nowMs - h.since > STUCK_MS) {
        h.stuck = true;
        out.push({ kind: 'stuck', key, atMs: nowMs });
      }
    }
    return out;
  }

  /** When `tick` next has something to say (Infinity: nothing held). */
  nextDeadlineMs(): number {
    let next = Infinity;
    for (const [key, h] of this.down) {
      if (key === 'enter' && !h.held) next = Math.min(next, h.since + HOLD_MS);
      // "More than" 30 s: the first millisecond past it.
      if (!h.stuck) next = Math.min(next, h.since + STUCK_MS + 1);
    }
    return next;
  }

  /** Buttons reported stuck and not yet released. */
  stuck(): PanelKey[] {
    return [...this.down].filter(([, h]) => h.stuck).map(([k]) => k);
  }
}
