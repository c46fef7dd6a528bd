// The LCD as the panel process drives it: frames in, only changed cells out
// (LcdScreen), the backlight word applied when it changes. A write the
// backpack does not acknowledge (or a stuck bus) marks the display faulty:
// the fault is reported once (the process raises PANEL_FAULT), and the
// display is started again from scratch after a backoff (1 s doubling to
// 30 s), since the HD44780's 0x3 start-up nibbles resynchronise it from any
// half-written state. Frames that arrive meanwhile replace each other; the
// newest is drawn once the display is back. Every minute the whole display
// memory is rewritten (about 330 bus writes): a cell corrupted by noise on
// the ribbon cable would otherwise stay wrong until its text changed.
import type { Clock, TimerHandle } from '../../hal/clock/clock.ts';
import type { Frame } from '../../hal/lcd/screen.ts';
import { LcdScreen } from '../../hal/lcd/screen.ts';
import type { CharacterLcd } from '../../hal/lcd/lcd.ts';
import { errorMessage } from '../../hal/errors.ts';
import { backoffDelay } from '../telemetry/backoff.ts';
import type { Backlight } from './types.ts';

const RETRY = { baseMs: 1000, maxMs: 30_000 };
const FULL_REDRAW_MS = 60_000;

export interface DisplayOptions {
  readonly lcd: CharacterLcd;
  readonly clock: Clock;
  /** The display went faulty (with why) or recovered (null). */
  readonly onFault: (detail: string | null) => void;
}

export class PanelDisplay {
  private readonly o: DisplayOptions;
  private readonly screen: LcdScreen;
  private started = false;
  private faulty = false;
  private attempt = 0;
  private retry: TimerHandle | null = null;
  private busy = false;
  private wanted: { frame: Frame; backlight: Backlight } | null = null;
  private lit: boolean | null = null;
  private fullAt = 0;
  private stopped = false;
  /** Called after each frame reaches the display (the bench times it). */
  onDrawn: ((frame: Frame) => void) | null = null;

  constructor(options: DisplayOptions) {
    this.o = options;
    this.screen = new LcdScreen(options.lcd);
  }

  /** Show this frame as soon as the display can take it. */
  show(frame: Frame, backlight: Backlight): void {
    this.wanted = { frame, backlight };
    this.pump();
  }

  stop(): void {
    this.stopped = true;
    this.retry?.cancel();
    this.retry = null;
  }

  private pump(): void {
    if (this.busy || this.faulty || this.stopped || this.wanted === null) return;
    const job = this.wanted;
    this.wanted = null;
    this.busy = true;
    this.draw(job.frame, job.backlight)
      .then(() => {
        if (this.attempt > 0) this.o.onFault(null);
        this.attempt = 0;
        this.onDrawn?.(job.frame);
      })
      .catch((err: unknown) => this.fail(err, job))
      .finally(() => {
        this.busy = false;
        this.pump();
      });
  }

  private async draw(frame: Frame, backlight: Backlight): Promise<void> {
    if (!this.started) {
      this.lit = null;
      await this.screen.init();
      this.started = true;
      this.fullAt = this.o.clock.monotonicMs();
    } else if (this.o.clock.monotonicMs() - this.fullAt >= FULL_REDRAW_MS) {
      this.screen.invalidate();
      this.lit = null;
      this.fullAt = this.o.clock.monotonicMs();
    }
    const on = backlight === 'on';
    if (this.lit !== on) {
      await this.o.lcd.setBacklight(on);
      this.lit = on;
    }
    await this.screen.render(frame);
  }

  private fail(err: unknown, job: { frame: Frame; backlight: Backlight }): void {
    this.started = false;
    if (this.stopped) return; // the bus closed under a last draw: nothing to report
    this.faulty = true;
    this.wanted ??= job;
    this.attempt += 1;
    if (this.attempt === 1) this.o.onFault(`${this.o.lcd.description}: ${errorMessage(err)}`);
    this.retry = this.o.clock.after(backoffDelay(this.attempt, RETRY), () => {
      this.retry = null;
      this.faulty = false;
      this.pump();
    });
  }
}
