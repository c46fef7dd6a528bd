// The panel's config section: the reference board's defaults, and the rules
// that keep its wiring one pin per signal and its display one of two layouts.
import { describe, expect, it } from 'vitest';
import { requiresRestart } from '../../../firmware/config/restart.ts';
import { defaultConfig, validateConfig } from '../../../firmware/config/validate.ts';

function errorsOf(panel: unknown): { path: string; message: string }[] {
  const r = validateConfig({ panel });
  return r.ok ? [] : r.errors.map((e) => ({ path: e.path, message: e.message }));
}

describe('panel config', () => {
  it('defaults to the reference board and needs a restart', () => {
    const p = defaultConfig().panel;
    expect(p.enabled).toBe(true);
    expect(p.lcd).toMatchObject({ bus: '/dev/i2c-1', address: 0x27, columns: 20, rows: 4 });
    expect(p.lcd.pins).toEqual({ rs: 0, rw: 1, e: 2, backlight: 3, d4: 4, d5: 5, d6: 6, d7: 7 });
    expect(p.gpio.chip).toBe('/dev/gpiochip0');
    expect(requiresRestart('/panel/gpio/buzzer')).toBe(true);
  });

  it('accepts a 16x2 and refuses the other pairings, naming rows', () => {
    expect(errorsOf({ lcd: { columns: 16, rows: 2 } })).toEqual([]);
    expect(errorsOf({ lcd: { columns: 16, rows: 4 } })).toEqual([
      { path: '/panel/lcd/rows', message: 'must be 2 with 16 columns (a 20x4 or a 16x2 display)' },
    ]);
    expect(new Set(errorsOf({ lcd: { columns: 40 } }).map((e) => e.path))).toEqual(
      new Set(['/panel/lcd/columns']),
    );
  });

  it('refuses an address outside 0x03..0x77 and a bus outside /dev', () => {
    expect(errorsOf({ lcd: { address: 0x78 } }).map((e) => e.path)).toEqual(['/panel/lcd/address']);
    expect(errorsOf({ lcd: { bus: '/dev/../etc/i2c' } }).map((e) => e.path)).toEqual(['/panel/lcd/bus']);
  });

  it('names the later of two backpack pins on the same bit', () => {
    expect(errorsOf({ lcd: { pins: { e: 0 } } })).toEqual([
      { path: '/panel/lcd/pins/e', message: 'PCF8574 bit 0 is already used by /panel/lcd/pins/rs' },
    ]);
  });

  it('names the later of two GPIO lines on the same offset, across buttons, buzzer and LEDs', () => {
    expect(errorsOf({ gpio: { buzzer: 17 } })).toEqual([
      { path: '/panel/gpio/buzzer', message: 'GPIO line 17 is already used by /panel/gpio/buttons/up' },
    ]);
    expect(errorsOf({ gpio: { leds: { identify: 13 } } })).toEqual([
      {
        path: '/panel/gpio/leds/identify',
        message: 'GPIO line 13 is already used by /panel/gpio/leds/fault',
      },
    ]);
  });

  it('checks the wiring of a disabled panel too', () => {
    expect(errorsOf({ enabled: false, gpio: { buttons: { down: 17 } } }).map((e) => e.path)).toEqual([
      '/panel/gpio/buttons/down',
    ]);
  });
});
