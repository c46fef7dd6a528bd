// A simulated hardware watchdog on a Clock, with the semantics of Linux's
// watchdog core: single open (EBUSY), opening arms it, SETTIMEOUT validates
// against the hardware range (EINVAL), may round, and pings; the countdown
// firing is latched (`fired`, 'fired' event) because the real one resets the
// board; only a magic close disarms, and never with nowayout.
import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '../clock/clock.ts';
import { HalError } from '../errors.ts';
import { SyscallError, errnoValue } from '../ioctl/errors.ts';
import { validateTimeoutSeconds } from './timeout.ts';
import { MAX_TIMEOUT_S, MIN_TIMEOUT_S } from './uapi.ts';
import type { Watchdog } from './watchdog.ts';

export interface SimWatchdogOptions {
  clock: Clock;
  name?: string;
  /** CONFIG_WATCHDOG_NOWAYOUT: once armed, nothing disarms it. */
  nowayout?: boolean;
  /** Timeout in force at open; softdog's default is 60 s. */
  defaultTimeoutS?: number;
  /** The hardware's range; requests outside it get EINVAL. */
  minTimeoutS?: number;
  maxTimeoutS?: number;
  /** Hardware step: a granted timeout is rounded up to a multiple of it. */
  granularityS?: number;
}

export type SimWatchdogEvents = { fired: [atMs: number] };

export class SimWatchdog extends EventEmitter<SimWatchdogEvents> implements Watchdog {
  readonly description: string;
  readonly nowayout: boolean;
  /** Latched when the countdown expired: the board would have been reset. */
  fired = false;
  firedAtMs: number | null = null;
  keepalives = 0;
  private readonly clock: Clock;
  private readonly min: number;
  private readonly max: number;
  private readonly granularity: number;
  private timeoutS: number;
  private isOpen = false;
  private countdown: TimerHandle | null = null;

  constructor(options: SimWatchdogOptions) {
    super();
    this.clock = options.clock;
    this.description = options.name ?? 'sim-watchdog';
    this.nowayout = options.nowayout ?? false;
    this.min = options.minTimeoutS ?? MIN_TIMEOUT_S;
    this.max = options.maxTimeoutS ?? MAX_TIMEOUT_S;
    this.granularity = options.granularityS ?? 1;
    this.timeoutS = options.defaultTimeoutS ?? 60;
    if (!(
      this.min >= MIN_TIMEOUT_S &&
      this.min <= this.timeoutS &&
      this.timeoutS <= this.max &&
      this.max <= MAX_TIMEOUT_S
    )) {
      throw new RangeError(`need ${MIN_TIMEOUT_S} <= min <= default <= max <= ${MAX_TIMEOUT_S}`);
    }
    if (!Number.isInteger(this.granularity) || this.granularity < 1)
      throw new RangeError('granularityS must be a positive integer');
  }

  /** True while the countdown runs (armed), whether or not the device is open. */
  get armed(): boolean {
    return this.countdown !== null;
  }

  open(): Promise<void> {
    return Promise.resolve().then(() => {
      this.checkAlive();
      if (this.isOpen) throw new SyscallError('open', errnoValue('EBUSY'), this.description);
      this.isOpen = true;
      // Opening starts a stopped watchdog; an already armed one (closed
      // without the magic) keeps its countdown: reopening buys no time.
      if (this.countdown === null) this.restart();
    });
  }

  keepalive(): Promise<void> {
    return Promise.resolve().then(() => {
      this.checkOpen();
      this.keepalives++;
      this.restart();
    });
  }

  setTimeoutSeconds(seconds: number): Promise<number> {
    return Promise.resolve().then(() => {
      this.checkOpen();
      validateTimeoutSeconds(this.description, seconds);
      if (seconds < this.min || seconds > this.max) {
        throw new SyscallError('ioctl(WDIOC_SETTIMEOUT)', errnoValue('EINVAL'), this.description);
      }
      let granted = Math.ceil(seconds / this.granularity) * this.granularity;
      if (granted > this.max) granted -= this.granularity;
      this.timeoutS = granted;
      // As in watchdog_dev.c, SETTIMEOUT falls through to a keepalive.
      this.restart();
      return granted;
    });
  }

  getTimeoutSeconds(): Promise<number> {
    return Promise.resolve().then(() => {
      this.checkOpen();
      return this.timeoutS;
    });
  }

  close(magic: boolean): Promise<void> {
    return Promise.resolve().then(() => {
      this.checkOpen();
      this.isOpen = false;
      if (magic && !this.nowayout) {
        this.countdown?.cancel();
        this.countdown = null;
      }
    });
  }

  private restart(): void {
    this.countdown?.cancel();
    this.countdown = this.clock.after(this.timeoutS * 1000, () => {
      this.countdown = null;
      this.fired = true;
      this.firedAtMs = this.clock.monotonicMs();
      this.emit('fired', this.firedAtMs);
    });
  }

  private checkAlive(): void {
    if (this.fired)
      throw new HalError('disconnected', this.description, 'watchdog fired: the controller has been reset');
  }

  private checkOpen(): void {
    this.checkAlive();
    if (!this.isOpen) throw new HalError('not-open', this.description, 'watchdog is not open');
  }
}
