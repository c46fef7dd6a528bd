// Notices stalls of this process: a timer that fires late by more than a
// margin means our own event loop did not run in between (a GC pause, a
// starved CPU, slow synchronous work, SIGSTOP). Membership uses it so that
// silence we could not have heard, because we were not running, is not
// counted as the peer's (docs/heartbeat.md, Stalls of our own).
//
// A tick every `tickMs`; a tick due at d that runs at r > d + margin records
// the stall [d, r]. That is a lower bound of the real stall (it may have
// begun up to one tick earlier), so it never excuses more than happened.
import type { Clock, TimerHandle } from '../../hal/clock/clock.ts';

export interface Stall {
  readonly startMs: number;
  readonly endMs: number;
}

export interface StallWatchOptions {
  readonly clock: Clock;
  readonly tickMs: number;
  /** A tick later than this is a stall; shorter delays are scheduling jitter. */
  readonly marginMs: number;
  /** Stalls that ended longer ago than this are forgotten. */
  readonly keepMs: number;
}

export class StallWatch {
  private readonly o: StallWatchOptions;
  private timer: TimerHandle | undefined;
  private nextDueMs = 0;
  private stalls: Stall[] = [];
  private readonly listeners = new Set<(s: Stall) => void>();

  constructor(options: StallWatchOptions) {
    if (!(options.tickMs > 0)) throw new RangeError(`tickMs must be > 0, got ${options.tickMs}`);
    this.o = options;
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.arm();
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** Told of each stall as it ends. */
  on(listener: (s: Stall) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Total stalled time after `sinceMs` (the stalls recorded so far). */
  stalledSince(sinceMs: number): number {
    let total = 0;
    for (const s of this.stalls) total += Math.max(0, s.endMs - Math.max(s.startMs, sinceMs));
    return total;
  }

  /** When the latest stall ended, if it ended after `sinceMs`. */
  lastEndAfter(sinceMs: number): number | undefined {
    const last = this.stalls.at(-1);
    return last !== undefined && last.endMs > sinceMs ? last.endMs : undefined;
  }

  /**
   * Record a stall now, as the tick would: for a caller that learns of one
   * first (a timer of its own that fired late), so the verdict it is about
   * to give already knows.
   */
  check(): void {
    const now = this.o.clock.monotonicMs();
    if (this.timer === undefined || now - this.nextDueMs <= this.o.marginMs) return;
    this.record({ startMs: this.nextDueMs, endMs: now });
    this.arm();
  }

  private arm(): void {
    this.timer?.cancel();
    this.nextDueMs = this.o.clock.monotonicMs() + this.o.tickMs;
    this.timer = this.o.clock.after(this.o.tickMs, () => {
      this.timer = undefined;
      const now = this.o.clock.monotonicMs();
      if (now - this.nextDueMs > this.o.marginMs) this.record({ startMs: this.nextDueMs, endMs: now });
      this.arm();
    });
  }

  private record(s: Stall): void {
    this.stalls = this.stalls.filter((x) => x.endMs > s.endMs - this.o.keepMs);
    this.stalls.push(s);
    for (const l of this.listeners) l(s);
  }
}
