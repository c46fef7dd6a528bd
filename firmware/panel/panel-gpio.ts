// The panel's GPIO lines through hal/gpio's GpioChip contract: the buzzer and
// the four LED elements as outputs (off at start), the four buttons as inputs
// with edge detection on both edges and the kernel's debounce. It turns edges
// into logical presses (undoing active-low) stamped with the kernel's
// monotonic time, and writes an output only when its level changes.
import type { GpioChip, GpioEdgeEvent, GpioInput, GpioOutput } from '../../hal/gpio/gpio.ts';
import type { TandemConfig } from '../config/schema.ts';
import { OUTPUTS, type Indicators, type Output } from './indicators.ts';
import type { PanelKey } from './types.ts';

export type PanelGpioWiring = TandemConfig['panel']['gpio'];

export interface ButtonEdge {
  readonly key: PanelKey;
  readonly pressed: boolean;
  /** CLOCK_MONOTONIC ms, from the kernel's event timestamp. */
  readonly atMs: number;
}

export interface PanelGpioHandlers {
  button(edge: ButtonEdge): void;
  /** A line's event stream failed, or a level could not be read back after lost events. */
  error(err: Error): void;
}

const KEYS: readonly PanelKey[] = ['up', 'down', 'enter', 'mute'];

/** Each output's line in the wiring. */
function outputLine(w: PanelGpioWiring, o: Output): number {
  return o === 'buzzer' ? w.buzzer : w.leds[o];
}

/** Shown by gpioinfo as the line's consumer. */
const consumer = (what: string): string => `tandem-panel-${what}`;

export class PanelGpio {
  private readonly outputs: ReadonlyMap<Output, GpioOutput>;
  private readonly inputs: readonly GpioInput[];
  /** What each output was last set to (all off at request). */
  private readonly levels = new Map<Output, boolean>();

  private constructor(outputs: Map<Output, GpioOutput>, inputs: GpioInput[]) {
    this.outputs = outputs;
    this.inputs = inputs;
    for (const o of OUTPUTS) this.levels.set(o, false);
  }

  /** Requests every line; on any failure releases those already held and throws. */
  static async open(
    chip: GpioChip,
    wiring: PanelGpioWiring,
    handlers: PanelGpioHandlers,
  ): Promise<PanelGpio> {
    const outputs = new Map<Output, GpioOutput>();
    const inputs: GpioInput[] = [];
    try {
      for (const o of OUTPUTS) {
        outputs.set(
          o,
          await chip.requestOutput(outputLine(wiring, o), { consumer: consumer(o), initial: false }),
        );
      }
      for (const key of KEYS) {
        const input = await chip.requestInput(wiring.buttons[key], {
          consumer: consumer(key),
          edge: 'both',
          debounceUs: wiring.buttons.debounceMs * 1000,
        });
        inputs.push(input);
        watch(input, key, wiring.buttons.activeLow, handlers);
      }
    } catch (err) {
      await Promise.allSettled([...outputs.values(), ...inputs].map((l) => l.release()));
      throw err;
    }
    return new PanelGpio(outputs, inputs);
  }

  /** Sets the outputs whose level differs from the last one set. */
  async apply(ind: Indicators): Promise<void> {
    for (const o of OUTPUTS) {
      if (this.levels.get(o) === ind[o]) continue;
      await this.outputs.get(o)?.set(ind[o]);
      this.levels.set(o, ind[o]);
    }
  }

  /** Everything off, every line released (a panel that stops leaves no LED lit, no buzzer sounding). */
  async close(): Promise<void> {
    const off = [...this.outputs.values()].map(async (out) => {
      try {
        await out.set(false);
      } finally {
        await out.release();
      }
    });
    await Promise.allSettled([...off, ...this.inputs.map((i) => i.release())]);
  }
}

/** Edges of one button as presses and releases; after lost events, the level read back. */
function watch(input: GpioInput, key: PanelKey, activeLow: boolean, h: PanelGpioHandlers): void {
  let seqno = 0;
  input.on('edge', (e: GpioEdgeEvent) => {
    const atMs = Number(e.timestampNs) / 1e6;
    const lost = e.seqno !== seqno + 1;
    seqno = e.seqno;
    h.button({ key, pressed: (e.edge === 'rising') !== activeLow, atMs });
    // A gap means the kernel's queue overflowed: the level now is what counts.
    if (lost && seqno > 1)
      input.get().then(
        (level) => h.button({ key, pressed: level !== activeLow, atMs }),
        (err: unknown) => h.error(err instanceof Error ? err : new Error(String(err))),
      );
  });
  input.on('error', (err) => h.error(err));
}
