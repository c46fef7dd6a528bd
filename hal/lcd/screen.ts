// The screen model: a frame buffer of cells (ROM codes) and a renderer that
// sends only the cells that changed since the last frame, as runs of
// consecutive DDRAM addresses (set address + the run's characters). Runs
// follow DDRAM order, not row order: on a 20x4, row 2 continues row 0 in
// memory (0x13 -> 0x14), so a whole screen is two runs.
import { SPACE_CODE, lcdCodes, rowOffsets } from './lcd.ts';
import type { CharacterLcd, LcdGeometry } from './lcd.ts';

export class Frame {
  readonly geometry: LcdGeometry;
  readonly cells: Uint8Array;

  constructor(geometry: LcdGeometry) {
    this.geometry = geometry;
    this.cells = new Uint8Array(geometry.columns * geometry.rows).fill(SPACE_CODE);
  }

  /**
   * Put `text` at (row, column), mapped to the ROM ('?' for what it lacks),
   * clipped at the row's end; with `width`, padded with spaces to fill it.
   */
  text(row: number, column: number, text: string, width?: number): this {
    const { columns, rows } = this.geometry;
    if (!Number.isInteger(row) || row < 0 || row >= rows) throw new RangeError(`row ${row} out of range`);
    if (!Number.isInteger(column) || column < 0 || column >= columns) {
      throw new RangeError(`column ${column} out of range`);
    }
    const codes = lcdCodes(text);
    const span = Math.min(width ?? codes.length, columns - column);
    for (let i = 0; i < span; i++) this.cells[row * columns + column + i] = codes[i] ?? SPACE_CODE;
    return this;
  }

  clear(): this {
    this.cells.fill(SPACE_CODE);
    return this;
  }

  /** The rows as text (ROM codes shown as Latin-1, for tests and logs). */
  lines(): string[] {
    const { columns, rows } = this.geometry;
    return Array.from({ length: rows }, (_, r) =>
      String.fromCharCode(...this.cells.subarray(r * columns, (r + 1) * columns)),
    );
  }
}

export interface LcdRun {
  address: number;
  codes: Uint8Array;
}

/**
 * Rewriting an unchanged cell costs one byte (4 bus writes); starting a new
 * run costs a set-address byte plus up to two RS changes (6). So a gap of one
 * unchanged cell between two changed ones is cheaper rewritten.
 */
const MAX_GAP_REWRITTEN = 1;

/** The runs that turn `before` (null: unknown) into `after`, in DDRAM order. */
export function changedRuns(before: Uint8Array | null, after: Uint8Array, geometry: LcdGeometry): LcdRun[] {
  const offsets = rowOffsets(geometry);
  const cells: { address: number; index: number }[] = [];
  offsets.forEach((offset, row) => {
    for (let c = 0; c < geometry.columns; c++) {
      cells.push({ address: offset + c, index: row * geometry.columns + c });
    }
  });
  cells.sort((a, b) => a.address - b.address);
  const runs: { address: number; indexes: number[] }[] = [];
  let pendingGap: number[] = [];
  let current: { address: number; indexes: number[] } | null = null;
  let lastAddress = -2;
  for (const cell of cells) {
    const contiguous = cell.address === lastAddress + 1;
    lastAddress = cell.address;
    if (!contiguous) {
      current = null;
      pendingGap = [];
    }
    const changed = before === null || before[cell.index] !== after[cell.index];
    if (!changed) {
      if (current !== null) pendingGap.push(cell.index);
      if (pendingGap.length > MAX_GAP_REWRITTEN) {
        current = null;
        pendingGap = [];
      }
      continue;
    }
    if (current === null) {
      current = { address: cell.address, indexes: [] };
      runs.push(current);
    }
    current.indexes.push(...pendingGap, cell.index);
    pendingGap = [];
  }
  return runs.map((r) => ({ address: r.address, codes: Uint8Array.from(r.indexes, (i) => after[i]!) }));
}

/** Renders frames on one LCD, sending only what changed. */
export class LcdScreen {
  readonly lcd: CharacterLcd;
  /** What the display memory holds; null when unknown (never drawn, or a write failed). */
  private shown: Uint8Array | null = null;

  constructor(lcd: CharacterLcd) {
    this.lcd = lcd;
  }

  /** Start-up (or restart after a fault): the display comes back cleared. */
  async init(): Promise<void> {
    this.shown = null;
    await this.lcd.init();
    this.shown = new Uint8Array(this.lcd.geometry.columns * this.lcd.geometry.rows).fill(SPACE_CODE);
  }

  /** Forget what is shown: the next render redraws every cell. */
  invalidate(): void {
    this.shown = null;
  }

  /** Write the cells of `frame` that differ from the last frame shown; returns the runs sent. */
  async render(frame: Frame): Promise<LcdRun[]> {
    const { columns, rows } = this.lcd.geometry;
    if (frame.geometry.columns !== columns || frame.geometry.rows !== rows) {
      throw new RangeError(
        `frame is ${frame.geometry.columns}x${frame.geometry.rows}, LCD ${columns}x${rows}`,
      );
    }
    const target = Uint8Array.from(frame.cells);
    const runs = changedRuns(this.shown, target, frame.geometry);
    this.shown = null; // unknown until every run is written
    for (const run of runs) await this.lcd.writeAt(run.address, run.codes);
    this.shown = target;
    return runs;
  }
}

/**
 * The part of `text` visible in a field `width` cells wide at `tick`: a text
 * that fits is padded; a longer one scrolls left one cell per tick, holding
 * still for `pause` ticks at the start, with `gap` spaces before it repeats.
 */
export function scrollWindow(
  text: string,
  width: number,
  tick: number,
  options: { gap?: number; pause?: number } = {},
): string {
  const chars = Array.from(text);
  if (chars.length <= width) return chars.join('') + ' '.repeat(width - chars.length);
  const loop = [...chars, ...Array<string>(options.gap ?? 3).fill(' ')];
  const pause = options.pause ?? 2;
  const period = loop.length + pause;
  const position = ((Math.trunc(tick) % period) + period) % period;
  const offset = Math.max(0, position - pause);
  return Array.from({ length: width }, (_, i) => loop[(offset + i) % loop.length]!).join('');
}
