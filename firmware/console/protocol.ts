// The control socket's wire format: one JSON envelope per line, each way.
// A request line is {command, args, transaction}; the reply is one
// CommandResponse line with the same transaction.

/** Longest request line accepted; a config import is the largest request. */
export const MAX_REQUEST_LINE = 512 * 1024;
/** Longest response line a client accepts (a `log --limit 10000` fits). */
export const MAX_RESPONSE_LINE = 64 * 1024 * 1024;

/** Splits a byte stream into lines, refusing any line over `max` bytes. */
export class LineSplitter {
  private buffered = '';
  private readonly max: number;

  constructor(max: number) {
    this.max = max;
  }

  /** Complete lines in this chunk, or 'overflow' once a line is too long. */
  push(chunk: string): string[] | 'overflow' {
    this.buffered += chunk;
    const lines = this.buffered.split('\n');
    this.buffered = lines.pop() ?? '';
    if (this.buffered.length > this.max || lines.some((l) => l.length > this.max)) return 'overflow';
    return lines.filter((l) => l.trim() !== '');
  }
}
