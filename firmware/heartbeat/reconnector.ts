// Opens a transport and, whenever it is lost or fails to open, tries again
// after an exponential backoff (initial x 2^n, capped, with jitter so the two
// controllers do not retry in lock step). Never throws: failures are reported.
import type { Clock, TimerHandle } from '../../hal/clock/clock.ts';
import { errorMessage } from '../../hal/errors.ts';

export interface ReconnectorOptions {
  readonly clock: Clock;
  readonly open: () => Promise<void>;
  readonly onUp: () => void;
  readonly onDown: (detail: string, retryInMs: number) => void;
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly random?: () => number;
}

export class Reconnector {
  private readonly o: ReconnectorOptions;
  private attempts = 0;
  private timer: TimerHandle | undefined;
  private opening = false;
  private stopped = true;
  private isUp = false;

  constructor(options: ReconnectorOptions) {
    this.o = options;
  }

  get up(): boolean {
    return this.isUp;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.attempt();
  }

  /** The open transport failed: report it and reopen later. */
  lost(err: unknown): void {
    if (this.stopped || !this.isUp) return;
    this.isUp = false;
    this.attempts = 0;
    this.retryLater(err);
  }

  stop(): void {
    this.stopped = true;
    this.isUp = false;
    this.timer?.cancel();
    this.timer = undefined;
  }

  delayFor(attempt: number): number {
    const initial = this.o.initialDelayMs ?? 250;
    const max = this.o.maxDelayMs ?? 5000;
    const base = Math.min(max, initial * 2 ** Math.min(attempt, 20));
    const r = (this.o.random ?? Math.random)();
    return Math.round(base * (0.8 + 0.4 * r));
  }

  private attempt(): void {
    if (this.stopped || this.opening) return;
    this.opening = true;
    this.o.open().then(
      () => {
        this.opening = false;
        if (this.stopped) return;
        this.attempts = 0;
        this.isUp = true;
        this.o.onUp();
      },
      (err: unknown) => {
        this.opening = false;
        this.retryLater(err);
      },
    );
  }

  private retryLater(err: unknown): void {
    if (this.stopped) return;
    const delay = this.delayFor(this.attempts++);
    this.o.onDown(errorMessage(err), delay);
    this.timer?.cancel();
    this.timer = this.o.clock.after(delay, () => {
      this.timer = undefined;
      this.attempt();
    });
  }
}
