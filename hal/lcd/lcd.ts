// Character LCD contract (HD44780 and compatibles), whatever carries the bytes
// (today a PCF8574 I2C backpack, `pcf8574.ts`). Cells are addressed the way
// the controller's display memory (DDRAM) is: row r starts at rowOffsets[r].

export interface LcdGeometry {
  columns: number;
  rows: 1 | 2 | 4;
}

export const LCD_20X4: LcdGeometry = { columns: 20, rows: 4 };
export const LCD_16X2: LcdGeometry = { columns: 16, rows: 2 };

/**
 * DDRAM address of each row's first cell. The HD44780 in 2-line mode has two
 * 40-byte lines at 0x00 and 0x40; a 4-row module shows the second half of
 * each line as rows 2 and 3: 0x00, 0x40, 0x14, 0x54 on a 20x4, 0x00, 0x40,
 * 0x10, 0x50 on a 16x4.
 */
export function rowOffsets(geometry: LcdGeometry): number[] {
  return [0x00, 0x40, geometry.columns, 0x40 + geometry.columns].slice(0, geometry.rows);
}

export function validateGeometry(geometry: LcdGeometry): LcdGeometry {
  const { columns, rows } = geometry;
  if (!(rows === 1 || rows === 2 || rows === 4))
    throw new RangeError(`LCD rows must be 1, 2 or 4, got ${String(rows)}`);
  const maxColumns = rows === 4 ? 20 : 40;
  if (!Number.isInteger(columns) || columns < 1 || columns > maxColumns) {
    throw new RangeError(`LCD columns must be 1..${maxColumns} for ${rows} rows, got ${columns}`);
  }
  return geometry;
}

export interface CharacterLcd {
  readonly description: string;
  readonly geometry: LcdGeometry;
  /** The datasheet start-up; leaves the display on, cleared, cursor off, address incrementing. */
  init(): Promise<void>;
  /** Set the DDRAM address, then write the character codes (already in the ROM's code set). */
  writeAt(address: number, codes: Uint8Array): Promise<void>;
  setBacklight(on: boolean): Promise<void>;
}

/** The code the LCD shows for anything outside its character ROM. */
export const UNKNOWN_CODE = 0x3f; // '?'
export const SPACE_CODE = 0x20;

/**
 * Characters of the HD44780U's ROM A00 (the common "Japanese" ROM) outside
 * plain ASCII. 0x20..0x7d are ASCII except 0x5c, which is a yen sign there.
 */
const ROM_A00_EXTRA = new Map<string, number>([
  ['¥', 0x5c],
  ['→', 0x7e],
  ['←', 0x7f],
  ['°', 0xdf],
  ['α', 0xe0],
  ['ä', 0xe1],
  ['µ', 0xe4],
  ['ö', 0xef],
  ['∞', 0xf3],
  ['Ω', 0xf4],
  ['ü', 0xf5],
  ['Σ', 0xf6],
  ['π', 0xf7],
  ['÷', 0xfd],
  ['█', 0xff],
]);

/**
 * The ROM code for one character (a code point). Anything the ROM does not
 * have, control characters included (0x00..0x07 would select the custom
 * CGRAM glyphs), becomes '?'.
 */
export function lcdCode(ch: string): number {
  const cp = ch.codePointAt(0);
  if (cp === undefined) return UNKNOWN_CODE;
  if (ch.length === 1 && cp >= 0x20 && cp <= 0x7d && cp !== 0x5c) return cp;
  return ROM_A00_EXTRA.get(ch) ?? UNKNOWN_CODE;
}

/** A string as ROM codes, one per code point. */
export function lcdCodes(text: string): number[] {
  return Array.from(text, lcdCode);
}
