// The buzzer, LEDs and buttons on a Clock: the indicator model's levels are
// written at each pattern edge (a timer to the next one, none while steady),
// and button edges become key presses, holds and stuck reports, with a timer
// for the hold and stuck deadlines. Writes are queued one at a time, so a
// slow line never sees two sets at once, and a failed write is reported, not
// thrown: the panel process raises PANEL_FAULT and carries on.
import type { Clock, TimerHandle } from '../../hal/clock/clock.ts';
import { ButtonModel, type ButtonEvent } from './buttons.ts';
import { IndicatorModel, type FirmwareView, type Indicators } from './indicators.ts';
import type { ButtonEdge } from './panel-gpio.ts';

export interface PanelIoOptions {
  readonly clock: Clock;
  /** Where the levels go: PanelGpio.apply (or a fake). */
  readonly apply: (levels: Indicators) => Promise<void>;
  readonly onButton: (event: ButtonEvent) => void;
  readonly onError: (err: Error) => void;
}

export class PanelIo {
  private readonly o: PanelIoOptions;
  private readonly indicators = new IndicatorModel();
  private readonly buttons = new ButtonModel();
  private patternTimer: TimerHandle | null = null;
  private buttonTimer: TimerHandle | null = null;
  private writes: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(options: PanelIoOptions) {
    this.o = options;
  }

  /** A new view of the firmware (each status, its Last Will, the broker lost). */
  update(view: FirmwareView): void {
    if (this.stopped) return;
    this.indicators.update(view, this.o.clock.monotonicMs());
    this.render();
  }

  /**
   * A debounced edge from PanelGpio. Timed by this Clock on arrival, not by
   * the kernel's stamp: CLOCK_MONOTONIC and the Clock's base differ (the
   * system clock is performance.now()), and the hold and stuck deadlines run
   * on the Clock; arrival is within milliseconds of the edge.
   */
  edge(e: ButtonEdge): void {
    if (this.stopped) return;
    this.deliver(this.buttons.edge(e.key, e.pressed, this.o.clock.monotonicMs()));
    this.scheduleButtons();
  }

  /** Buttons reported stuck and not released since. */
  stuck(): ReturnType<ButtonModel['stuck']> {
    return this.buttons.stuck();
  }

  /** No more timers or writes; resolves when the last write queued has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.patternTimer?.cancel();
    this.buttonTimer?.cancel();
    await this.writes;
  }

  private render(): void {
    const now = this.o.clock.monotonicMs();
    const levels = this.indicators.at(now);
    this.writes = this.writes.then(() =>
      this.o.apply(levels).catch((err: unknown) => this.o.onError(asError(err))),
    );
    this.patternTimer?.cancel();
    this.patternTimer = null;
    const next = this.indicators.nextChangeMs(now);
    if (Number.isFinite(next))
      this.patternTimer = this.o.clock.after(Math.max(0, next - now), () => {
        this.patternTimer = null;
        if (!this.stopped) this.render();
      });
  }

  private scheduleButtons(): void {
    this.buttonTimer?.cancel();
    this.buttonTimer = null;
    const now = this.o.clock.monotonicMs();
    const next = this.buttons.nextDeadlineMs();
    if (!Number.isFinite(next)) return;
    this.buttonTimer = this.o.clock.after(Math.max(0, next - now), () => {
      this.buttonTimer = null;
      if (this.stopped) return;
      this.deliver(this.buttons.tick(this.o.clock.monotonicMs()));
      this.scheduleButtons();
    });
  }

  private deliver(events: readonly ButtonEvent[]): void {
    for (const e of events) {
      try {
        this.o.onButton(e);
      } catch (err) {
        this.o.onError(asError(err));
      }
    }
  }
}

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));
