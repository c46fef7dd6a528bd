// The front-panel LCD layer (hal/lcd) against the datasheet: the PCF8574 byte
// stream, its timing on fake time, the diffing renderer and bus faults, all
// through the simulated HD44780 (hal/i2c/hd44780.ts), which drops what is sent
// while it is busy.
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../hal/clock/clock.ts';
import { SimClock } from '../../../hal/clock/sim.ts';
import { isHalError } from '../../../hal/errors.ts';
import { SimPcf8574Hd44780 } from '../../../hal/i2c/hd44780.ts';
import { SimI2cBus } from '../../../hal/i2c/sim.ts';
import { LCD_16X2, LCD_20X4, lcdCode, rowOffsets } from '../../../hal/lcd/lcd.ts';
import type { LcdGeometry } from '../../../hal/lcd/lcd.ts';
import { COMMON_BACKPACK_PINS, Pcf8574Lcd } from '../../../hal/lcd/pcf8574.ts';
import { Frame, LcdScreen, changedRuns, scrollWindow } from '../../../hal/lcd/screen.ts';

/** A sim bus that notes the virtual time of every SMBus send byte. */
class StampedBus extends SimI2cBus {
  readonly stamps: { t: number; byte: number }[] = [];
  private readonly simClock: SimClock;
  constructor(clock: SimClock) {
    super({ clock });
    this.simClock = clock;
  }
  override sendByte(addr: number, byte: number): Promise<void> {
    this.stamps.push({ t: this.simClock.monotonicMs(), byte });
    return super.sendByte(addr, byte);
  }
}

/** Let fake time run (in 10 us steps) until `p` settles. */
async function settle<T>(clock: SimClock, p: Promise<T>): Promise<T> {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; !done; i++) {
    if (i > 1_000_000) throw new Error('did not settle');
    await clock.advance(0.01);
  }
  return p;
}

function setup(geometry: LcdGeometry = LCD_20X4) {
  const clock = new SimClock();
  const bus = new StampedBus(clock);
  const chip = new SimPcf8574Hd44780(clock, geometry);
  bus.attach(0x27, chip);
  const lcd = new Pcf8574Lcd({ bus, clock, geometry });
  const screen = new LcdScreen(lcd);
  return { clock, bus, chip, lcd, screen };
}

const written = (bus: SimI2cBus) => bus.log.map((m) => m.data[0]!);

// Port bits of the common backpack: P0 RS, P1 RW, P2 E, P3 backlight, P4..P7 D4..D7.
// A nibble is (data<<4 | BL | E) then (data<<4 | BL): E high, then E low latches it.
// prettier-ignore
const GOLDEN_INIT = [
  0x08, //                   idle: backlight on, E low, RW low (write), RS low
  // wait >= 15 ms (power-on)
  0x3c, 0x38, //             nibble 0x3 (function set, 8-bit)
  // wait >= 4.1 ms
  0x3c, 0x38, //             nibble 0x3
  // wait >= 100 us
  0x3c, 0x38, //             nibble 0x3
  // wait >= 100 us (>= 37 us execution)
  0x2c, 0x28, //             nibble 0x2: function set, 4-bit; from here every byte is two nibbles
  0x2c, 0x28, 0x8c, 0x88, // 0x28 function set: 4-bit, 2 lines, 5x8
  0x0c, 0x08, 0x8c, 0x88, // 0x08 display off
  0x0c, 0x08, 0x1c, 0x18, // 0x01 clear
  // wait >= 1.52 ms
  0x0c, 0x08, 0x6c, 0x68, // 0x06 entry mode: increment, no shift
  0x0c, 0x08, 0xcc, 0xc8, // 0x0c display on, cursor off, blink off
];

describe('PCF8574 HD44780 driver: the datasheet start-up, byte for byte', () => {
  it('sends the golden start-up sequence with its waits, and the sim controller takes every instruction', async () => {
    const { clock, bus, chip, lcd } = setup();
    await settle(clock, lcd.init());
    expect(written(bus)).toEqual(GOLDEN_INIT);
    expect(bus.log.every((m) => m.addr === 0x27 && !m.read && m.data.length === 1)).toBe(true);
    expect(lcd.busWrites).toBe(29);
    // Waits before each write, by index in GOLDEN_INIT.
    const gap = (i: number) => bus.stamps[i]!.t - bus.stamps[i - 1]!.t;
    expect(gap(1)).toBeGreaterThanOrEqual(15); // power-on
    expect(gap(3)).toBeGreaterThanOrEqual(4.1); // after the first 0x3
    expect(gap(5)).toBeGreaterThanOrEqual(0.1); // after the second 0x3
    expect(gap(7)).toBeGreaterThanOrEqual(0.1); // after the third 0x3
    expect(gap(9)).toBeGreaterThanOrEqual(0.037); // after 0x2
    expect(gap(13)).toBeGreaterThanOrEqual(0.037); // after function set
    expect(gap(17)).toBeGreaterThanOrEqual(0.037); // after display off
    expect(gap(21)).toBeGreaterThanOrEqual(1.52); // after clear
    expect(gap(25)).toBeGreaterThanOrEqual(0.037); // after entry mode
    expect(chip.droppedWhileBusy).toBe(0);
    expect(chip).toMatchObject({ fourBitMode: true, twoLines: true, displayOn: true, cursorOn: false });
    expect(chip.backlight).toBe(true);
  });

  it('the same bytes without the waits lose instructions in the busy sim (the sim would catch a missing wait)', async () => {
    const clock = new SimClock();
    const bus = new SimI2cBus({ clock });
    const chip = new SimPcf8574Hd44780(clock, LCD_20X4);
    bus.attach(0x27, chip);
    for (const b of GOLDEN_INIT) await bus.sendByte(0x27, b);
    expect(chip.droppedWhileBusy).toBeGreaterThan(0);
  });

  it('waits by the clock, not by one sleep: timers that fire early lose nothing', async () => {
    // Node's timers count whole milliseconds from a truncated loop time, so a
    // 1 ms timer can fire microseconds later; this clock's sleeps all do.
    let now = 0;
    const early: Clock = {
      monotonicMs: () => now,
      wallMs: () => now,
      after: () => ({ cancel: () => undefined }),
      every: () => ({ cancel: () => undefined }),
      sleep: (ms) => {
        now += Math.min(ms, 0.02);
        return Promise.resolve();
      },
    };
    const bus = new SimI2cBus({ clock: early });
    const chip = new SimPcf8574Hd44780(early, LCD_20X4);
    bus.attach(0x27, chip);
    const lcd = new Pcf8574Lcd({ bus, clock: early });
    await lcd.init();
    for (let i = 0; i < 5; i++) await lcd.writeAt(0, Buffer.from('ABCDEFGHIJKLMNOPQRST'));
    expect(chip.droppedWhileBusy).toBe(0);
    expect(chip.lines()[0]).toBe('ABCDEFGHIJKLMNOPQRST');
  });

  it('writes a short string as set-address + characters; the display memory reads it back', async () => {
    const { clock, bus, chip, screen } = setup();
    await settle(clock, screen.init());
    const before = bus.log.length;
    await settle(clock, screen.render(new Frame(LCD_20X4).text(1, 3, 'OK')));
    // prettier-ignore
    const expected = [
      0xcc, 0xc8, 0x3c, 0x38, // 0xc3 set DDRAM address 0x43: row 1 (0x40) + column 3
      0x49, //                   RS high with E low first (t_AS), data nibble of 'O'
      0x4d, 0x49, 0xfd, 0xf9, // 'O' 0x4f, RS high
      0x4d, 0x49, 0xbd, 0xb9, // 'K' 0x4b
    ];
    expect(written(bus).slice(before)).toEqual(expected);
    expect(chip.droppedWhileBusy).toBe(0);
    expect(chip.lines()).toEqual([' '.repeat(20), '   OK' + ' '.repeat(15), ' '.repeat(20), ' '.repeat(20)]);
  });

  it('honours another pin mapping and a backlight that is active low', async () => {
    const clock = new SimClock();
    const bus = new SimI2cBus({ clock });
    // D4..D7 on P0..P3, RS P4, RW P5, E P6, backlight P7 (active low): no sim for it, check the bytes.
    const pins = { d4: 0, d5: 1, d6: 2, d7: 3, rs: 4, rw: 5, e: 6, backlight: 7 };
    bus.attach(0x3f, { write: () => undefined, read: (n) => Buffer.alloc(n) });
    const lcd = new Pcf8574Lcd({ bus, clock, address: 0x3f, pins, backlightActiveLow: true });
    await settle(clock, lcd.init());
    expect(bus.log.slice(0, 3).map((m) => m.data[0])).toEqual([0x00, 0x43, 0x03]);
    await settle(clock, lcd.setBacklight(false));
    expect(bus.log.at(-1)!.data[0]).toBe(0x80);
    expect(() => new Pcf8574Lcd({ bus, clock, pins: { ...COMMON_BACKPACK_PINS, rs: 2 } })).toThrow(
      RangeError,
    );
  });
});

function summary(geometry: LcdGeometry, role: string, peer: string): Frame {
  const f = new Frame(geometry);
  f.text(0, 0, 'box-0042     ctl A', geometry.columns);
  f.text(1, 0, 'role: ');
  f.text(1, 6, role, 7);
  f.text(2, 0, 'peer: ');
  f.text(2, 6, peer, 7);
  f.text(3, 0, 'VIP 192.168.10.20');
  return f;
}

describe('screen model: only changed cells reach the bus', () => {
  it('a one-word update costs at most 10 % of a full 20x4 redraw (issue #14 item 9)', async () => {
    const { clock, bus, chip, screen } = setup();
    await settle(clock, screen.init());
    screen.invalidate();
    let mark = bus.log.length;
    const full = await settle(clock, screen.render(summary(LCD_20X4, 'standby', 'alive')));
    const fullWrites = bus.log.length - mark;
    expect(full.map((r) => r.address)).toEqual([0x00, 0x40]); // rows 0+2 and 1+3 are contiguous in DDRAM
    // 2 set-address bytes (8) + 80 characters (320) + 3 RS changes (t_AS set-up writes).
    expect(fullWrites).toBe(331);
    expect(chip.lines()).toEqual(summary(LCD_20X4, 'standby', 'alive').lines());

    const cases: [string, string, number][] = [
      ['standby', 'alive', 0], // nothing changed: nothing sent
      ['active', 'alive', 34], // "standby" -> "active ": 7 cells = 2 RS changes + address + 7 x 4
      ['active', 'dead', 26], // "alive" -> "dead ": 5 cells
    ];
    for (const [role, peer, expected] of cases) {
      mark = bus.log.length;
      await settle(clock, screen.render(summary(LCD_20X4, role, peer)));
      const writes = bus.log.length - mark;
      expect(writes).toBe(expected);
      expect(chip.lines()).toEqual(summary(LCD_20X4, role, peer).lines());
    }
    // One run of n changed cells costs 6 + 4n writes: within the 10 % of a full
    // redraw for a word of up to 6 cells (30 / 331 = 9.1 %); "alive" -> "dead" is 26 / 331 = 7.9 %,
    // but "standby" -> "active" (7 cells) is 34 / 331 = 10.3 %.
    expect(26 / fullWrites).toBeLessThanOrEqual(0.1);
    expect((6 + 4 * 6) / fullWrites).toBeLessThanOrEqual(0.1);
    expect(34 / fullWrites).toBeGreaterThan(0.1);
    expect(chip.droppedWhileBusy).toBe(0);
  });

  it('16x2 works with its own row offsets (0x00, 0x40)', async () => {
    const { clock, chip, screen } = setup(LCD_16X2);
    expect(rowOffsets(LCD_16X2)).toEqual([0x00, 0x40]);
    expect(rowOffsets(LCD_20X4)).toEqual([0x00, 0x40, 0x14, 0x54]);
    await settle(clock, screen.init());
    const f = new Frame(LCD_16X2).text(0, 0, 'box-0042  ctl A').text(1, 0, 'active  peer ok');
    const runs = await settle(clock, screen.render(f));
    // Blank cells are already blank after init; runs stay inside 0x00..0x0f and 0x40..0x4f.
    expect(runs.map((r) => r.address)).toEqual([0x00, 0x0a, 0x40, 0x48]);
    expect(chip.lines()).toEqual(['box-0042  ctl A ', 'active  peer ok ']);
    f.text(1, 0, 'standby', 7);
    expect((await settle(clock, screen.render(f))).map((r) => r.address)).toEqual([0x40]);
    expect(chip.lines()[1]).toBe('standby peer ok ');
  });

  it('merges runs across one unchanged cell, splits them across two', () => {
    const g: LcdGeometry = { columns: 20, rows: 4 };
    const a = new Frame(g).text(0, 0, 'abcdef');
    expect(changedRuns(a.cells, new Frame(g).text(0, 0, 'xbxdef').cells, g)).toEqual([
      { address: 0, codes: Uint8Array.from([0x78, 0x62, 0x78]) },
    ]);
    expect(changedRuns(a.cells, new Frame(g).text(0, 0, 'xbcxef').cells, g).map((r) => r.address)).toEqual([
      0, 3,
    ]);
  });

  it('maps characters outside the ROM to "?" and never lets a control character reach the bus', async () => {
    expect(lcdCode('A')).toBe(0x41);
    expect(lcdCode('°')).toBe(0xdf);
    expect(lcdCode('\\')).toBe(0x3f); // 0x5c is a yen sign in ROM A00
    expect(lcdCode('é')).toBe(0x3f);
    expect(lcdCode('\u0007')).toBe(0x3f);
    const { clock, bus, chip, screen } = setup();
    await settle(clock, screen.init());
    const mark = bus.log.length;
    await settle(clock, screen.render(new Frame(LCD_20X4).text(0, 0, 'a\tb\u0000c\u001b[2J 5°C €')));
    expect(chip.lines()[0]).toBe('a?b?c?[2J 5\u00dfC ?' + ' '.repeat(5));
    // Data bytes (RS high, E falling) are all printable ROM codes.
    const data: number[] = [];
    const log = written(bus).slice(mark);
    for (let i = 1; i < log.length; i++) {
      if (log[i - 1]! & 0x04 && !(log[i]! & 0x04) && log[i]! & 0x01) data.push(log[i]! >> 4);
    }
    const bytes = data.flatMap((n, i) => (i % 2 === 0 ? [(n << 4) | data[i + 1]!] : []));
    expect(bytes.every((b) => b >= 0x20)).toBe(true);
  });

  it('scrolls a text longer than its field: a pure window per tick', () => {
    expect(scrollWindow('up', 6, 99)).toBe('up    ');
    const text = 'PSU 2 fan failed';
    const windows = Array.from({ length: 24 }, (_, t) => scrollWindow(text, 8, t, { gap: 2, pause: 2 }));
    expect(windows.slice(0, 5)).toEqual(['PSU 2 fa', 'PSU 2 fa', 'PSU 2 fa', 'SU 2 fan', 'U 2 fan ']);
    expect(windows[2 + 16]).toBe('  PSU 2 ');
    expect(windows[20]).toBe('PSU 2 fa'); // period = 16 + 2 gap + 2 pause
    expect(windows.every((w) => w.length === 8)).toBe(true);
    expect(scrollWindow(text, 8, -1, { gap: 2, pause: 2 })).toBe(windows[19]);
  });
});

describe('bus faults', () => {
  it('a NACK surfaces as a typed io error; after init() the screen is whole again', async () => {
    const { clock, bus, chip, lcd, screen } = setup();
    await settle(clock, screen.init());
    await settle(clock, screen.render(summary(LCD_20X4, 'active', 'alive')));
    bus.detach(0x27); // the backpack stops acknowledging (unplugged, or dead)
    const err = await settle(clock, screen.render(summary(LCD_20X4, 'active', 'dead'))).catch(
      (e: unknown) => e,
    );
    expect(isHalError(err, 'io')).toBe(true);
    expect((err as Error).message).toMatch(/lcd 20x4 on sim-i2c at 0x27/);
    expect(lcd.initialised).toBe(false);
    const again = await settle(clock, lcd.writeAt(0, Uint8Array.of(0x41))).catch((e: unknown) => e);
    expect(isHalError(again, 'not-open')).toBe(true);

    bus.attach(0x27, chip); // it answers again, possibly mid-nibble: init() resynchronises
    await settle(clock, screen.init());
    await settle(clock, screen.render(summary(LCD_20X4, 'active', 'dead')));
    expect(chip.lines()).toEqual(summary(LCD_20X4, 'active', 'dead').lines());
  });

  it('a stuck bus surfaces as a typed timeout after the adapter timeout; a fresh chip is re-initialised', async () => {
    const { clock, bus, lcd, screen } = setup();
    await settle(clock, screen.init());
    bus.setStuck(true);
    const t0 = clock.monotonicMs();
    const err = await settle(clock, screen.render(summary(LCD_20X4, 'standby', 'alive'))).catch(
      (e: unknown) => e,
    );
    expect(isHalError(err, 'timeout')).toBe(true);
    expect(clock.monotonicMs() - t0).toBeGreaterThanOrEqual(1000);
    bus.setStuck(false);
    // A power-cycled display: back in 8-bit mode, blank.
    bus.detach(0x27);
    const fresh = new SimPcf8574Hd44780(clock, LCD_20X4);
    bus.attach(0x27, fresh);
    await settle(clock, screen.init());
    await settle(clock, screen.render(summary(LCD_20X4, 'standby', 'alive')));
    expect(fresh.lines()).toEqual(summary(LCD_20X4, 'standby', 'alive').lines());
    expect(fresh.droppedWhileBusy).toBe(0);
    expect(lcd.initialised).toBe(true);
  });
});
