// The panel's devices, opened from its config: the LCD on its I2C bus and
// the buttons, buzzer and LEDs on the GPIO chip, either the board's (Linux
// drivers) or simulated ones (--sim: the datasheet-faithful HD44780 behind a
// PCF8574, and a GPIO chip whose lines a test drives and reads). A GPIO chip
// that cannot be opened leaves the LCD working: the fault is reported and
// the panel runs without buttons and lights.
import type { Clock } from '../../hal/clock/clock.ts';
import { errorMessage } from '../../hal/errors.ts';
import type { GpioChip } from '../../hal/gpio/gpio.ts';
import { LinuxGpioChip } from '../../hal/gpio/linux.ts';
import { SimGpioChip } from '../../hal/gpio/sim.ts';
import { SimPcf8574Hd44780 } from '../../hal/i2c/hd44780.ts';
import type { I2cBus } from '../../hal/i2c/i2c.ts';
import { LinuxI2cBus } from '../../hal/i2c/linux.ts';
import { SimI2cBus } from '../../hal/i2c/sim.ts';
import type { LcdGeometry } from '../../hal/lcd/lcd.ts';
import { Pcf8574Lcd } from '../../hal/lcd/pcf8574.ts';
import type { TandemConfig } from '../config/schema.ts';
import type { ButtonEvent } from './buttons.ts';
import { PanelDisplay } from './display.ts';
import type { Indicators } from './indicators.ts';
import { PanelGpio } from './panel-gpio.ts';
import { PanelIo } from './panel-io.ts';
import type { PanelKey } from './types.ts';

export type PanelPart = 'lcd' | 'gpio' | 'button';

/** What a person sees on a simulated panel: the LCD's lines, the backlight, the LEDs and buzzer. */
export interface PanelLook extends Partial<Indicators> {
  readonly lcd: readonly string[];
  readonly backlight: boolean;
  /** Wall-clock ms when it was seen. */
  readonly t: number;
}

export interface HardwareOptions {
  readonly cfg: TandemConfig['panel'];
  readonly clock: Clock;
  readonly sim: boolean;
  readonly onButton: (e: ButtonEvent) => void;
  readonly onFault: (part: PanelPart, detail: string | null) => void;
  /** Sim only: where each change of the display, LEDs or buzzer is reported. */
  readonly report: ((look: PanelLook) => void) | null;
}

export interface PanelHardware {
  readonly geometry: LcdGeometry;
  readonly display: PanelDisplay;
  readonly io: PanelIo | null;
  /** Sim only: "press KEY" / "release KEY". */
  readonly simKey: ((line: string) => void) | null;
  close(): Promise<void>;
}

const KEYS: readonly PanelKey[] = ['up', 'down', 'enter', 'mute'];

export async function openPanelHardware(o: HardwareOptions): Promise<PanelHardware> {
  const { cfg, clock } = o;
  const geometry: LcdGeometry = { columns: cfg.lcd.columns, rows: cfg.lcd.rows };
  let bus: I2cBus;
  let hd: SimPcf8574Hd44780 | null = null;
  if (o.sim) {
    const simBus = new SimI2cBus({ clock, name: 'sim-i2c' });
    hd = new SimPcf8574Hd44780(clock, geometry);
    simBus.attach(cfg.lcd.address, hd);
    bus = simBus;
  } else {
    // An absent adapter is an LCD fault (reported, retried), not a reason to
    // exit: the keys and LEDs may still work, and an upgrade's health check
    // counts this process as alive.
    bus = LinuxI2cBus.whenPresent(cfg.lcd.bus);
  }
  const lcd = new Pcf8574Lcd({
    bus,
    clock,
    address: cfg.lcd.address,
    pins: cfg.lcd.pins,
    backlightActiveLow: cfg.lcd.backlightActiveLow,
    geometry,
  });
  const display = new PanelDisplay({ lcd, clock, onFault: (d) => o.onFault('lcd', d) });

  // The sim reports what a person would see: the HD44780's memory, the lines' levels.
  let seen = '';
  let levels: Indicators | null = null;
  const report = (): void => {
    if (o.report === null || hd === null) return;
    const state = { lcd: hd.lines(), backlight: hd.backlight, ...(levels ?? {}) };
    const text = JSON.stringify(state);
    if (text === seen) return;
    seen = text;
    o.report({ ...state, t: clock.wallMs() });
  };
  display.onDrawn = report;

  let chip: GpioChip | null = null;
  let gpio: PanelGpio | null = null;
  let io: PanelIo | null = null;
  try {
    if (o.sim) {
      const sim = new SimGpioChip({ clock, lines: 64, name: 'sim-gpiochip' });
      // Released buttons idle at the pull-ups' level (high when a press pulls low).
      for (const k of KEYS) sim.drive(cfg.gpio.buttons[k], cfg.gpio.buttons.activeLow);
      chip = sim;
    } else {
      chip = LinuxGpioChip.open(cfg.gpio.chip);
    }
    const panelIo = new PanelIo({
      clock,
      apply: async (l) => {
        await gpio?.apply(l);
        levels = l;
        report();
      },
      onButton: (e) => {
        if (e.kind === 'stuck') o.onFault('button', `${e.key} held over 30 s: ignored until released`);
        else if (e.kind === 'unstuck') o.onFault('button', null);
        o.onButton(e);
      },
      onError: (err) => o.onFault('gpio', errorMessage(err)),
    });
    gpio = await PanelGpio.open(chip, cfg.gpio, {
      button: (edge) => panelIo.edge(edge),
      error: (err) => o.onFault('gpio', errorMessage(err)),
    });
    io = panelIo;
  } catch (err) {
    // The HAL's errors name the chip already.
    o.onFault('gpio', errorMessage(err));
  }

  const simChip = chip instanceof SimGpioChip ? chip : null;
  const simKey =
    simChip === null
      ? null
      : (text: string): void => {
          const [verb, key] = text.split(/\s+/);
          if ((verb !== 'press' && verb !== 'release') || !KEYS.includes(key as PanelKey)) return;
          const pressed = verb === 'press';
          // A pressed button pulls its line low when the board is active-low.
          simChip.drive(cfg.gpio.buttons[key as PanelKey], pressed !== cfg.gpio.buttons.activeLow);
        };

  return {
    geometry,
    display,
    io,
    simKey,
    async close() {
      display.stop();
      await io?.stop();
      await gpio?.close();
      await chip?.close();
      await bus.close();
    },
  };
}
