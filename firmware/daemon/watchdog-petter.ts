// Pets the hardware watchdog from the loop monitor's tick, only while the
// loop is healthy (lag below the limit). Stopping disarms it with the magic
// close; a crash leaves it armed, which is the point.
import type { Watchdog } from '../../hal/watchdog/watchdog.ts';
import type { Extension } from '../core/extension.ts';
import { LoopMonitor } from './loop-monitor.ts';

export class WatchdogPetter implements Extension {
  readonly name = 'watchdog';
  private readonly wd: Watchdog;
  private readonly timeoutS: number;
  private readonly maxLagMs: number;
  private readonly monitor = new LoopMonitor(100);
  private readonly onUnhealthy: (lagMs: number) => void;
  private petting = false;

  constructor(options: {
    watchdog: Watchdog;
    timeoutS: number;
    maxLagMs: number;
    onUnhealthy: (lagMs: number) => void;
  }) {
    this.wd = options.watchdog;
    this.timeoutS = options.timeoutS;
    this.maxLagMs = options.maxLagMs;
    this.onUnhealthy = options.onUnhealthy;
  }

  async start(): Promise<void> {
    await this.wd.open();
    await this.wd.setTimeoutSeconds(this.timeoutS);
    this.monitor.start((lag) => {
      if (lag > this.maxLagMs) {
        this.onUnhealthy(lag);
        return;
      }
      if (this.petting) return;
      this.petting = true;
      this.wd.keepalive().then(
        () => (this.petting = false),
        () => (this.petting = false),
      );
    });
  }

  async stop(): Promise<void> {
    this.monitor.stop();
    await this.wd.close(true);
  }
}
