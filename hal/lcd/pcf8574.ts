// HD44780 character LCD behind a PCF8574 I2C backpack. The PCF8574 is an
// 8-bit quasi-bidirectional port: every byte sent to it (SMBus send byte, its
// only transfer) sets all eight pins at once. The usual wiring is P0 RS,
// P1 RW, P2 E, P3 backlight, P4..P7 D4..D7 (configurable here); the HD44780
// runs in 4-bit mode and latches D7..D4 on the falling edge of E.
//
// Bus writes per byte: each nibble is E high (with the data) then E low, so
// 4 writes per byte; RS must be stable t_AS (40 ns) before E rises, and the
// PCF8574 switches all its pins on the same clock edge, so when RS changes
// one more write sets it with E low first. Waits (datasheet, fosc 270 kHz,
// with margin for a slow oscillator) go through the Clock: 37 us for most
// instructions, 1.52 ms for clear and home. Each wait runs until the clock
// says it is over, not for one sleep: Node's timers count whole milliseconds
// from a truncated loop time, so a 1 ms timer can fire microseconds later and
// the controller would drop the next instruction while still busy.
import type { Clock } from '../clock/clock.ts';
import { HalError, isHalError } from '../errors.ts';
import type { HalErrorCode } from '../errors.ts';
import { validateAddress } from '../i2c/i2c.ts';
import type { I2cBus } from '../i2c/i2c.ts';
import { LCD_20X4, validateGeometry } from './lcd.ts';
import type { CharacterLcd, LcdGeometry } from './lcd.ts';

/** Bit numbers (0..7) of the PCF8574 port. */
export interface Pcf8574Pins {
  rs: number;
  rw: number;
  e: number;
  backlight: number;
  d4: number;
  d5: number;
  d6: number;
  d7: number;
}

/** The common backpack: P0 RS, P1 RW, P2 E, P3 backlight, P4..P7 D4..D7. */
export const COMMON_BACKPACK_PINS: Pcf8574Pins = {
  rs: 0,
  rw: 1,
  e: 2,
  backlight: 3,
  d4: 4,
  d5: 5,
  d6: 6,
  d7: 7,
};

/** PCF8574 with A2..A0 high; the PCF8574A variant answers at 0x3f. */
export const PCF8574_DEFAULT_ADDRESS = 0x27;
export const PCF8574A_DEFAULT_ADDRESS = 0x3f;

/** Start-up and instruction timings, in ms. */
export const LCD_TIMING = {
  /** After Vcc rises: datasheet >= 15 ms at 4.5 V, >= 40 ms at 2.7 V; we cannot see Vcc, so from init(). */
  powerOnMs: 50,
  /** After the first 0x3 nibble: >= 4.1 ms. */
  afterFirstMs: 5,
  /** After the second 0x3 nibble: >= 100 us; also used after the third. */
  afterSecondMs: 0.1,
  /** Most instructions and data writes: 37 us at 270 kHz (53 us at the slowest 190 kHz oscillator). */
  executeMs: 0.06,
  /** Clear display and return home: 1.52 ms at 270 kHz (2.16 ms at 190 kHz). */
  clearMs: 2.2,
} as const;

export const HD44780 = {
  clear: 0x01,
  home: 0x02,
  /** Entry mode: increment, no display shift. */
  entryIncrement: 0x06,
  displayOff: 0x08,
  /** Display on, cursor off, blink off. */
  displayOn: 0x0c,
  /** Function set: 4-bit interface, 2 lines, 5x8 dots. */
  functionSet4Bit2Line: 0x28,
  setDdramAddress: 0x80,
} as const;

export interface Pcf8574LcdOptions {
  bus: I2cBus;
  clock: Clock;
  address?: number;
  pins?: Pcf8574Pins;
  /** Backpacks that drive the backlight through a PNP transistor light it with the pin low. */
  backlightActiveLow?: boolean;
  geometry?: LcdGeometry;
}

export function validatePins(pins: Pcf8574Pins): Pcf8574Pins {
  const bits = Object.values(pins);
  if (bits.some((b) => !Number.isInteger(b) || b < 0 || b > 7) || new Set(bits).size !== bits.length) {
    throw new RangeError('PCF8574 pins must be eight distinct bit numbers 0..7');
  }
  return pins;
}

export class Pcf8574Lcd implements CharacterLcd {
  readonly description: string;
  readonly geometry: LcdGeometry;
  /** SMBus send-byte writes attempted (for the cost figures in docs/panel.md). */
  busWrites = 0;
  private readonly bus: I2cBus;
  private readonly clock: Clock;
  private readonly address: number;
  private readonly pins: Pcf8574Pins;
  private readonly backlightActiveLow: boolean;
  private backlightOn = true;
  /** Last byte the port accepted; null when unknown (before init, after a failed write). */
  private port: number | null = null;
  private ready = false;
  private readyAtMs = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: Pcf8574LcdOptions) {
    this.bus = options.bus;
    this.clock = options.clock;
    this.address = validateAddress(options.bus.description, options.address ?? PCF8574_DEFAULT_ADDRESS);
    this.pins = validatePins(options.pins ?? COMMON_BACKPACK_PINS);
    this.backlightActiveLow = options.backlightActiveLow ?? false;
    this.geometry = validateGeometry(options.geometry ?? LCD_20X4);
    this.description = `lcd ${this.geometry.columns}x${this.geometry.rows} on ${options.bus.description} at 0x${this.address.toString(16)}`;
  }

  /** True after a successful init() and until a bus write fails. */
  get initialised(): boolean {
    return this.ready;
  }

  init(): Promise<void> {
    return this.exclusive(async () => {
      this.ready = false;
      this.port = null;
      this.readyAtMs = 0;
      // E low, RW low (write), RS low: the PCF8574 powers up with every pin high.
      await this.send(this.portByte(0, false, false));
      await this.pause(LCD_TIMING.powerOnMs);
      // Initialising by instruction (datasheet figure 24): three times
      // "function set, 8-bit" as a lone nibble, then "function set, 4-bit".
      await this.nibble(0x3, false);
      await this.pause(LCD_TIMING.afterFirstMs);
      await this.nibble(0x3, false);
      await this.pause(LCD_TIMING.afterSecondMs);
      await this.nibble(0x3, false);
      await this.pause(LCD_TIMING.afterSecondMs);
      await this.nibble(0x2, false);
      this.busyFor(LCD_TIMING.executeMs);
      await this.byte(HD44780.functionSet4Bit2Line, false);
      await this.byte(HD44780.displayOff, false);
      await this.byte(HD44780.clear, false);
      await this.byte(HD44780.entryIncrement, false);
      await this.byte(HD44780.displayOn, false);
      this.ready = true;
    });
  }

  writeAt(address: number, codes: Uint8Array): Promise<void> {
    return this.exclusive(async () => {
      if (!this.ready) throw new HalError('not-open', this.description, 'not initialised (call init())');
      if (!Number.isInteger(address) || address < 0 || address > 0x7f) {
        throw new HalError('invalid-argument', this.description, `DDRAM address ${address} out of range`);
      }
      await this.byte(HD44780.setDdramAddress | address, false);
      for (const code of codes) await this.byte(code, true);
    });
  }

  setBacklight(on: boolean): Promise<void> {
    return this.exclusive(async () => {
      this.backlightOn = on;
      const rs = this.port !== null && (this.port & (1 << this.pins.rs)) !== 0;
      await this.send(this.portByte(0, rs, false));
    });
  }

  /** One operation at a time: a render and a backlight change never interleave nibbles. */
  private exclusive(op: () => Promise<void>): Promise<void> {
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private portByte(nibble: number, rs: boolean, e: boolean): number {
    const p = this.pins;
    let byte = 0;
    if (nibble & 0x1) byte |= 1 << p.d4;
    if (nibble & 0x2) byte |= 1 << p.d5;
    if (nibble & 0x4) byte |= 1 << p.d6;
    if (nibble & 0x8) byte |= 1 << p.d7;
    if (rs) byte |= 1 << p.rs;
    if (e) byte |= 1 << p.e;
    if (this.backlightOn !== this.backlightActiveLow) byte |= 1 << p.backlight;
    return byte; // RW stays low: we never read the busy flag through the PCF8574
  }

  private busyFor(ms: number): void {
    this.readyAtMs = this.clock.monotonicMs() + ms;
  }

  /** Wait at least `ms` by the clock, however early its timers fire. */
  private async pause(ms: number): Promise<void> {
    this.busyFor(ms);
    while (this.remainingMs() > 0) await this.clock.sleep(this.remainingMs());
  }

  /** Time left before the controller takes the next instruction. */
  private remainingMs(): number {
    const wait = this.readyAtMs - this.clock.monotonicMs();
    return wait > 1e-6 ? wait : 0; // a nanosecond: what floating-point sums of times leave over
  }

  private async nibble(nibble: number, rs: boolean): Promise<void> {
    const rsBit = 1 << this.pins.rs;
    if (this.port === null || (this.port & rsBit) !== (rs ? rsBit : 0)) {
      await this.send(this.portByte(nibble, rs, false)); // RS set-up (t_AS) before E rises
    }
    await this.send(this.portByte(nibble, rs, true));
    await this.send(this.portByte(nibble, rs, false)); // falling E latches the nibble
  }

  private async byte(value: number, rs: boolean): Promise<void> {
    // Inline, not a helper: each await level costs fake-time tests a microtask turn.
    while (this.remainingMs() > 0) await this.clock.sleep(this.remainingMs());
    await this.nibble(value >> 4, rs);
    await this.nibble(value & 0x0f, rs);
    const slow = !rs && (value === HD44780.clear || (value & 0xfe) === HD44780.home);
    this.busyFor(slow ? LCD_TIMING.clearMs : LCD_TIMING.executeMs);
  }

  private async send(byte: number): Promise<void> {
    this.busWrites++;
    try {
      await this.bus.sendByte(this.address, byte);
      this.port = byte;
    } catch (err) {
      // The controller may now hold half a byte: only a fresh init() makes it sane again.
      this.ready = false;
      this.port = null;
      const code: HalErrorCode = isHalError(err) ? err.code : 'io';
      throw new HalError(code, this.description, `bus write failed (${code}); init() again`, {
        cause: err,
      });
    }
  }
}
