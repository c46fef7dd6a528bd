import type { Clock, TimerHandle } from './clock.ts';

interface PendingTimer {
  id: number;
  due: number;
  period: number | null;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A virtual clock. Time moves only when a test calls advance(), and timers
 * fire in due order (ties by creation order), so a run is exactly repeatable.
 * One SimClock is shared by every simulated controller in a scenario.
 */
export class SimClock implements Clock {
  private now = 0;
  private readonly wallOrigin: number;
  private nextId = 1;
  private timers: PendingTimer[] = [];

  constructor(wallOriginMs = Date.UTC(2026, 0, 1)) {
    this.wallOrigin = wallOriginMs;
  }

  monotonicMs(): number {
    return this.now;
  }

  wallMs(): number {
    return this.wallOrigin + this.now;
  }

  after(ms: number, fn: () => void): TimerHandle {
    return this.schedule(ms, null, fn);
  }

  every(ms: number, fn: () => void): TimerHandle {
    if (!(ms > 0)) throw new RangeError(`every(): period must be > 0 ms, got ${ms}`);
    return this.schedule(ms, ms, fn);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }

  /** Number of timers still pending. */
  pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /**
   * Move time forward by `ms`, firing every timer that falls due on the way,
   * and letting promise continuations run between timers so async code that
   * awaits sleep() progresses as it would in real time.
   */
  async advance(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new RangeError(`advance(): ms must be >= 0, got ${ms}`);
    const end = this.now + ms;
    for (;;) {
      await flushMicrotasks();
      const next = this.earliest();
      if (next === undefined || next.due > end) break;
      this.now = Math.max(this.now, next.due);
      if (next.period === null) {
        next.cancelled = true;
      } else {
        next.due += next.period;
      }
      this.timers = this.timers.filter((t) => !t.cancelled);
      next.fn();
    }
    this.now = end;
    await flushMicrotasks();
  }

  private earliest(): PendingTimer | undefined {
    let best: PendingTimer | undefined;
    for (const t of this.timers) {
      if (t.cancelled) continue;
      if (best === undefined || t.due < best.due || (t.due === best.due && t.id < best.id)) best = t;
    }
    return best;
  }

  private schedule(ms: number, period: number | null, fn: () => void): TimerHandle {
    const timer: PendingTimer = {
      id: this.nextId++,
      due: this.now + Math.max(0, ms),
      period,
      fn,
      cancelled: false,
    };
    this.timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }
}

/** Let queued promise continuations run; several rounds cover await chains. */
async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}
