// One controller's view of the shared SimClock. A process stall holds every
// callback (timers, message deliveries, I/O completions) until resume, as an
// event loop that stopped would; a crash drops them for good. Periodic timers
// fire once after a stall, as setInterval does in Node.
import type { Clock, TimerHandle } from '../../../../hal/clock/clock.ts';
import type { SimClock } from '../../../../hal/clock/sim.ts';

export class ControllerClock implements Clock {
  private readonly base: SimClock;
  private stalled = false;
  private dead = false;
  private deferred: (() => void)[] = [];
  private readonly handles = new Set<TimerHandle>();

  constructor(base: SimClock) {
    this.base = base;
  }

  get isStalled(): boolean {
    return this.stalled;
  }

  monotonicMs(): number {
    return this.base.monotonicMs();
  }

  wallMs(): number {
    return this.base.wallMs();
  }

  after(ms: number, fn: () => void): TimerHandle {
    const h = this.base.after(ms, () => {
      this.handles.delete(h);
      this.run(fn);
    });
    this.handles.add(h);
    return h;
  }

  every(ms: number, fn: () => void): TimerHandle {
    let queued = false;
    const h = this.base.every(ms, () => {
      if (this.dead) return;
      if (!this.stalled) return fn();
      if (queued) return;
      queued = true;
      this.deferred.push(() => {
        queued = false;
        fn();
      });
    });
    this.handles.add(h);
    return h;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }

  /** Run `fn` as this process (an I/O completion or a received message). */
  run(fn: () => void): void {
    if (this.dead) return;
    if (this.stalled) this.deferred.push(fn);
    else fn();
  }

  stall(): void {
    this.stalled = true;
  }

  resume(): void {
    if (!this.stalled) return;
    this.stalled = false;
    const queued = this.deferred;
    this.deferred = [];
    for (const fn of queued) this.run(fn);
  }

  kill(): void {
    this.dead = true;
    this.deferred = [];
    for (const h of this.handles) h.cancel();
    this.handles.clear();
  }
}
