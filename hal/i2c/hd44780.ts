// A simulated HD44780 character LCD (2 lines x 16, or any columns x 1..4
// rows: rows 2 and 3 of a 4-line module continue rows 0 and 1 in DDRAM, at
// 0x00+columns and 0x40+columns; 0x14 and 0x54 on a 20x4) behind a PCF8574 I2C
// backpack, wired the usual way: P0=RS, P1=RW, P2=E, P3=backlight,
// P4..P7=D4..D7. The PCF8574 sets its port from every byte written; the
// HD44780 latches D7..D4 on the falling edge of E. From power-on it is in
// 8-bit mode, so the driver must do the 0x3, 0x3, 0x3, 0x2 nibble dance to
// reach 4-bit mode before bytes are sent as two nibbles, high first.
// With a clock, instructions sent while the controller is still busy are
// dropped, as on the real part (clear/home 1.52 ms, others 37 us).
import type { Clock } from '../clock/clock.ts';
import type { SimI2cDevice } from './sim.ts';

const RS = 0x01;
const RW = 0x02;
const E = 0x04;
const BACKLIGHT = 0x08;

export const LCD_COLUMNS = 16;
const LINE_ADDRESSES = [0x00, 0x40] as const;

export interface SimLcdGeometry {
  columns: number;
  rows: 1 | 2 | 4;
}
/** DDRAM in 2-line mode: 0x00..0x27 and 0x40..0x67. */
const LINE_LENGTH = 40;

export class SimPcf8574Hd44780 implements SimI2cDevice {
  /** PCF8574 output latch; all high at power-on. */
  port = 0xff;
  fourBitMode = false;
  twoLines = false;
  displayOn = false;
  cursorOn = false;
  blinkOn = false;
  increment = true;
  /** Instructions or data lost because they arrived while busy. */
  droppedWhileBusy = 0;
  private readonly ddram = Buffer.alloc(0x80, 0x20);
  private readonly cgram = Buffer.alloc(64);
  private address = 0;
  private addressIsCgram = false;
  private highNibble: number | null = null;
  private readonly clock: Clock | undefined;
  private busyUntilMs = 0;
  private readonly geometry: SimLcdGeometry;

  constructor(clock?: Clock, geometry: SimLcdGeometry = { columns: LCD_COLUMNS, rows: 2 }) {
    this.clock = clock;
    this.geometry = geometry;
  }

  get backlight(): boolean {
    return (this.port & BACKLIGHT) !== 0;
  }

  /** The visible lines as text, read from display memory. */
  lines(): string[] {
    return Array.from({ length: this.geometry.rows }, (_, row) => this.lineText(row));
  }

  /** Fault: noise on the cable changed one cell of display memory behind the driver's back. */
  corrupt(address: number, code: number): void {
    this.ddram[address & 0x7f] = code & 0xff;
  }

  cursorAddress(): number {
    return this.address;
  }

  customCharacter(index: number): Buffer {
    return Buffer.from(this.cgram.subarray(index * 8, index * 8 + 8));
  }

  write(data: Buffer): void {
    for (const byte of data) this.setPort(byte);
  }

  /** Reading the PCF8574 returns its pins: outputs latched high read as high. */
  read(length: number): Buffer {
    return Buffer.alloc(length, this.port);
  }

  private lineText(row: number): string {
    const start = LINE_ADDRESSES[row % 2 === 0 ? 0 : 1] + (row >= 2 ? this.geometry.columns : 0);
    return String.fromCharCode(...this.ddram.subarray(start, start + this.geometry.columns));
  }

  private setPort(byte: number): void {
    const before = this.port;
    this.port = byte;
    const fallingE = (before & E) !== 0 && (byte & E) === 0;
    // Reads (RW=1) never latch data into the controller.
    if (fallingE && (before & RW) === 0) this.latchNibble(before >> 4, (before & RS) !== 0);
  }

  private latchNibble(nibble: number, rs: boolean): void {
    if (!this.fourBitMode) {
      // 8-bit interface with D3..D0 unconnected (pulled low): one nibble is a whole byte.
      this.execute(nibble << 4, rs);
      return;
    }
    if (this.highNibble === null) {
      this.highNibble = nibble;
      return;
    }
    const byte = (this.highNibble << 4) | nibble;
    this.highNibble = null;
    this.execute(byte, rs);
  }

  private execute(byte: number, rs: boolean): void {
    const now = this.clock?.monotonicMs();
    if (now !== undefined) {
      if (now < this.busyUntilMs) {
        this.droppedWhileBusy++;
        return;
      }
      this.busyUntilMs = now + (!rs && (byte === 0x01 || (byte & 0xfe) === 0x02) ? 1.52 : 0.037);
    }
    if (rs) this.writeData(byte);
    else this.instruction(byte);
  }

  private instruction(byte: number): void {
    if (byte & 0x80) {
      this.address = byte & 0x7f;
      this.addressIsCgram = false;
    } else if (byte & 0x40) {
      this.address = byte & 0x3f;
      this.addressIsCgram = true;
    } else if (byte & 0x20) {
      // Function set: DL (bit 4) picks the interface width, N (bit 3) the lines.
      this.fourBitMode = (byte & 0x10) === 0;
      this.highNibble = null;
      this.twoLines = (byte & 0x08) !== 0;
    } else if (byte & 0x10) {
      // Cursor or display shift: S/C (bit 3) = display; R/L (bit 2) = right.
      if ((byte & 0x08) === 0) this.moveAddress((byte & 0x04) !== 0);
    } else if (byte & 0x08) {
      this.displayOn = (byte & 0x04) !== 0;
      this.cursorOn = (byte & 0x02) !== 0;
      this.blinkOn = (byte & 0x01) !== 0;
    } else if (byte & 0x04) {
      this.increment = (byte & 0x02) !== 0;
    } else if (byte & 0x02) {
      this.address = 0;
      this.addressIsCgram = false;
    } else if (byte & 0x01) {
      this.ddram.fill(0x20);
      this.address = 0;
      this.addressIsCgram = false;
      this.increment = true;
    }
  }

  private writeData(byte: number): void {
    if (this.addressIsCgram) {
      this.cgram[this.address & 0x3f] = byte;
      this.address = (this.address + (this.increment ? 1 : -1)) & 0x3f;
      return;
    }
    this.ddram[this.address] = byte;
    this.moveAddress(this.increment);
  }

  /** DDRAM address counter: wraps 0x27 -> 0x40 and 0x67 -> 0x00 in 2-line mode. */
  private moveAddress(forward: boolean): void {
    if (!this.twoLines) {
      this.address = (this.address + (forward ? 1 : 79)) % 80;
      return;
    }
    const line = this.address >= 0x40 ? 1 : 0;
    const column = this.address - LINE_ADDRESSES[line];
    let linear = line * LINE_LENGTH + column + (forward ? 1 : -1);
    linear = (linear + 2 * LINE_LENGTH) % (2 * LINE_LENGTH);
    const newLine = linear >= LINE_LENGTH ? 1 : 0;
    this.address = LINE_ADDRESSES[newLine] + (linear % LINE_LENGTH);
  }
}
