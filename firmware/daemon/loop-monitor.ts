// Measures event-loop lag (how late a short periodic timer fires). The
// watchdog is petted only while the lag is below a limit, so a daemon whose
// loop is wedged stops petting and the hardware resets the controller.
import { performance } from 'node:perf_hooks';

export class LoopMonitor {
  private readonly periodMs: number;
  private timer: NodeJS.Timeout | undefined;
  private expected = 0;
  /** Lag of the latest tick, ms. */
  lastLagMs = 0;
  maxLagMs = 0;

  constructor(periodMs = 100) {
    this.periodMs = periodMs;
  }

  start(onTick: (lagMs: number) => void): void {
    this.expected = performance.now() + this.periodMs;
    this.timer = setInterval(() => {
      const now = performance.now();
      this.lastLagMs = Math.max(0, now - this.expected);
      this.maxLagMs = Math.max(this.maxLagMs, this.lastLagMs);
      this.expected = now + this.periodMs;
      onTick(this.lastLagMs);
    }, this.periodMs);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
