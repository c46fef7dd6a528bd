// The control socket's wire format: one JSON envelope per line, each way.
// A request line is {command, args, transaction}; the reply is one
// CommandResponse line with the same transaction. Sizes are in bytes and
// come from core/limits.ts.
import { LIMITS } from '../core/limits.ts';

/** Longest request line accepted; a config import is the largest request. */
export const MAX_REQUEST_LINE = LIMITS.consoleLine.bytes;
/** Longest response line a client accepts (a `log --limit 10000` fits). */
export const MAX_RESPONSE_LINE = LIMITS.consoleReply.bytes;

const NEWLINE = 0x0a;

/**
 * Splits a byte stream into lines, refusing any line over `max` bytes. Each
 * chunk is scanned once (never the whole buffer again), so a line sent a
 * byte at a time costs linear, not quadratic, time; and once a line is over
 * the limit nothing more is kept.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private overflowed = false;
  private readonly max: number;

  constructor(max: number) {
    this.max = max;
  }

  /** Complete non-blank lines in this chunk, or 'overflow' once a line is too long (and ever after). */
  push(chunk: Buffer | string): string[] | 'overflow' {
    if (this.overflowed) return 'overflow';
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    const lines: string[] = [];
    let start = 0;
    for (let nl = bytes.indexOf(NEWLINE); nl >= 0; nl = bytes.indexOf(NEWLINE, start)) {
      if (!this.take(bytes.subarray(start, nl))) return 'overflow';
      const line = Buffer.concat(this.parts, this.size).toString('utf8');
      this.parts = [];
      this.size = 0;
      if (line.trim() !== '') lines.push(line);
      start = nl + 1;
    }
    if (!this.take(bytes.subarray(start))) return 'overflow';
    return lines;
  }

  private take(piece: Buffer): boolean {
    this.size += piece.length;
    if (this.size > this.max) {
      this.overflowed = true;
      this.parts = [];
      return false;
    }
    if (piece.length > 0) this.parts.push(piece);
    return true;
  }
}
