// A guest's serial console from the host, as a technician's terminal: the
// pty QEMU made for ttyS0, in raw mode (no echo, no line editing on our
// side: the guest's getty and shell do that), read into a buffer that
// `expect` searches and written a line at a time. A tty stream, not plain
// file reads: a read blocked on a quiet pty would hold up close().
import { openSync } from 'node:fs';
import { ReadStream, WriteStream } from 'node:tty';

const MAX_BUFFER = 4 * 1024 * 1024;

export class GuestConsole {
  private text = '';
  private readonly input: ReadStream;
  private readonly output: WriteStream;

  private constructor(pty: string) {
    this.input = new ReadStream(openSync(pty, 'r'));
    this.input.setRawMode(true);
    this.input.on('data', (chunk: Buffer) => {
      this.text += chunk.toString('utf8');
      if (this.text.length > MAX_BUFFER) this.text = this.text.slice(-MAX_BUFFER / 2);
    });
    // EIO when the guest's QEMU goes away: the console just ends.
    this.input.on('error', () => undefined);
    this.output = new WriteStream(openSync(pty, 'w'));
    this.output.on('error', () => undefined);
  }

  static open(pty: string): GuestConsole {
    if (!/^\/dev\/pts\/[0-9]+$/.test(pty)) throw new Error(`not a pty: ${JSON.stringify(pty)}`);
    return new GuestConsole(pty);
  }

  /** Where the output read so far ends: `expect` can search only what comes after. */
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
  send(line: string): Promise<void> {
    return new Promise((resolve, reject) =>
      this.output.write(line + '\r', (err) => (err ? reject(err) : resolve())),
    );
  }

  close(): void {
    this.input.destroy();
    this.output.destroy();
  }
}
