// A guest's serial console from the host, as a technician's terminal: the
// pty QEMU made for ttyS0, put in raw mode (no echo, no line editing on our
// side: the guest's getty and shell do that), read into a buffer that
// `expect` searches and written a line at a time.
import { open, type FileHandle } from 'node:fs/promises';
import { run } from '../lab/run.ts';

const MAX_BUFFER = 4 * 1024 * 1024;

export class GuestConsole {
  private text = '';
  private closed = false;
  private readonly fh: FileHandle;
  private constructor(fh: FileHandle) {
    this.fh = fh;
  }

  static async open(pty: string): Promise<GuestConsole> {
    if (!/^\/dev\/pts\/[0-9]+$/.test(pty)) throw new Error(`not a pty: ${JSON.stringify(pty)}`);
    await run('stty', ['-F', pty, 'raw', '-echo']);
    const c = new GuestConsole(await open(pty, 'r+'));
    void c.pump();
    return c;
  }

  private async pump(): Promise<void> {
    const buf = Buffer.alloc(4096);
    while (!this.closed) {
      let n: number;
      try {
        ({ bytesRead: n } = await this.fh.read(buf, 0, buf.length, null));
      } catch {
        return; // the guest's QEMU went away (EIO on a pty whose master closed)
      }
      if (n === 0) return;
      this.text += buf.subarray(0, n).toString('utf8');
      if (this.text.length > MAX_BUFFER) this.text = this.text.slice(-MAX_BUFFER / 2);
    }
  }

  /** Everything read since `mark` (an offset from `mark()`). */
  since(mark: number): string {
    return this.text.slice(mark);
  }

  mark(): number {
    return this.text.length;
  }

  /** Waits until the output after `from` matches; returns the match. */
  async expect(re: RegExp, timeoutMs: number, from = 0): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = re.exec(this.text.slice(from));
      if (m !== null) return m;
      if (Date.now() > deadline)
        throw new Error(
          `console: no ${String(re)} within ${timeoutMs} ms; last output:\n${this.text.slice(-2000)}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Types a line as a terminal does: the line, then carriage return. */
  async send(line: string): Promise<void> {
    await this.fh.write(line + '\r');
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.fh.close();
  }
}
