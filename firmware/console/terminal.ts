// The console's line editor: one node:readline over the serial line (or any
// pair of streams, which is how the tests drive it), shared by the login
// program and the shell so that no typed byte is lost between them. It asks
// for lines and for secrets without echo, keeps secrets out of the history,
// caps every line (a flood on the serial port costs a bounded buffer), and
// turns Ctrl-C into "clear the line" or "stop what runs".
import { createInterface, type Completer, type Interface } from 'node:readline';
import { Transform, Writable, type TransformCallback } from 'node:stream';

/** A typed line is cut after this many characters (the rest of it is dropped). */
export const MAX_LINE_CHARS = 4096;
/** Lines typed ahead of their question that are kept; a paste of more loses the rest. */
const MAX_TYPED_AHEAD = 64;

/** What the terminal writes through: muted while a secret is typed, so nothing echoes. */
class EchoGate extends Writable {
  muted = false;
  private readonly target: NodeJS.WritableStream & { columns?: number };

  constructor(target: NodeJS.WritableStream) {
    super();
    this.target = target;
  }

  /** readline wraps long lines at the terminal's width. */
  get columns(): number | undefined {
    return this.target.columns;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    // At once, never buffered: a write queued before a secret's prompt must not wait and be muted.
    if (!this.muted) this.target.write(chunk);
    done();
  }
}

/** Drops the characters of a line past MAX_LINE_CHARS, before readline buffers them. */
class LineCap extends Transform {
  private run = 0;

  override _transform(chunk: Buffer | string, _encoding: BufferEncoding, done: TransformCallback): void {
    let out = '';
    for (const ch of chunk.toString()) {
      if (ch === '\n' || ch === '\r') this.run = 0;
      else if (this.run >= MAX_LINE_CHARS) continue;
      else this.run += 1;
      out += ch;
    }
    done(null, out);
  }
}

export interface TerminalOptions {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
  /** A real terminal (raw mode, echo, editing keys); false for pipes and tests. */
  readonly terminal: boolean;
  /** Earlier lines, newest first (the shell's history file). */
  readonly history?: readonly string[];
  readonly historySize?: number;
}

export class Terminal {
  readonly history: string[];
  private readonly rl: Interface;
  private readonly gate: EchoGate;
  private readonly output: NodeJS.WritableStream;
  private readonly cap = new LineCap();
  private readonly terminal: boolean;
  private closed = false;
  /** The question being asked, ended by Ctrl-C. */
  private cancel: (() => void) | null = null;
  /** Takes the answer to the question being asked. */
  private waiter: ((line: string) => void) | null = null;
  /** Lines that came while nothing was asked (typed ahead, pasted). */
  private readonly typedAhead: string[] = [];
  /** What Ctrl-C stops instead (log --follow), while set. */
  interrupt: (() => void) | null = null;
  /** Tab completion, once someone is logged in. */
  completer: Completer | null = null;

  constructor(o: TerminalOptions) {
    this.output = o.output;
    this.gate = new EchoGate(o.output);
    // readline keeps (and edits) this very array: the shell removes lines from it.
    this.history = [...(o.history ?? [])];
    this.terminal = o.terminal;
    // readline puts its input in raw mode only if it is the tty itself; here it is the cap.
    const tty = o.input as NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => void };
    if (o.terminal && tty.isTTY === true) tty.setRawMode?.(true);
    o.input.pipe(this.cap);
    this.rl = createInterface({
      input: this.cap,
      output: this.gate,
      terminal: o.terminal,
      history: this.history,
      historySize: o.historySize ?? 500,
      removeHistoryDuplicates: true,
      completer: (line: string) => this.completer?.(line) ?? [[], line],
    });
    this.rl.on('close', () => {
      this.closed = true;
      o.input.unpipe(this.cap);
      o.input.pause();
      if (o.terminal && tty.isTTY === true) tty.setRawMode?.(false);
      this.cancel?.();
    });
    this.rl.on('SIGINT', () => this.onInterrupt());
    // Ctrl-Z would stop the process (readline's default) and leave the console without a login.
    this.rl.on('SIGTSTP', () => undefined);
    this.rl.on('line', (line: string) => this.onLine(line));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  write(text: string): void {
    if (!this.closed) this.output.write(text);
  }

  /**
   * The next line after `prompt`: null once the input ends (Ctrl-D, EOF) or
   * nothing was entered within `idleMs`, '' after Ctrl-C (the line is dropped).
   */
  ask(prompt: string, idleMs?: number): Promise<string | null> {
    return this.question(prompt, false, idleMs);
  }

  /**
   * A secret, typed without echo and kept out of the history: null when the
   * input ends or Ctrl-C gives up.
   */
  askSecret(prompt: string): Promise<string | null> {
    return this.question(prompt, true);
  }

  /** Forgets `line` from the history if it is the newest entry (a line the shell must not keep). */
  forget(line: string): void {
    if (this.history[0] === line) this.history.shift();
  }

  close(): void {
    this.rl.close();
  }

  private question(prompt: string, secret: boolean, idleMs?: number): Promise<string | null> {
    if (this.closed) return Promise.resolve(null);
    const early = this.typedAhead.shift();
    if (early !== undefined) {
      // Typed (and echoed) before the question came: nothing left to hide.
      this.write(`${prompt}\n`);
      if (secret) this.forget(early);
      return Promise.resolve(early);
    }
    return new Promise((resolve) => {
      const idle = idleMs === undefined ? undefined : setTimeout(() => giveUp(null), idleMs);
      const finish = (value: string | null): void => {
        clearTimeout(idle);
        this.waiter = null;
        this.cancel = null;
        if (secret) {
          this.gate.muted = false;
          if (!this.closed) this.output.write('\n');
        }
        resolve(value);
      };
      const giveUp = (value: string | null): void => {
        // The half-typed line (a secret too) is dropped, not left for the next prompt.
        if (this.terminal && !this.closed) {
          this.rl.write(null, { ctrl: true, name: 'e' });
          this.rl.write(null, { ctrl: true, name: 'u' });
        }
        finish(value);
      };
      this.cancel = () => giveUp(this.closed || secret ? null : '');
      this.waiter = (line) => {
        if (secret) this.forget(line);
        finish(line);
      };
      if (secret) {
        this.output.write(prompt);
        this.gate.muted = true;
      }
      this.rl.setPrompt(secret ? '' : prompt);
      this.rl.prompt();
    });
  }

  /** Each line readline gives: to the question waiting for it, else kept (a few) for the next. */
  private onLine(line: string): void {
    if (this.waiter !== null) return this.waiter(line);
    if (this.typedAhead.length < MAX_TYPED_AHEAD) this.typedAhead.push(line);
  }

  private onInterrupt(): void {
    if (this.interrupt !== null) return this.interrupt();
    if (this.cancel !== null) {
      this.write('^C\n');
      return this.cancel();
    }
  }
}
