// Host side: runs one of our Node scripts inside tdm-client as a child of this
// process (not through `lab exec`, so we hold its pid and can SIGTERM exactly
// it), and collects its stdout and stderr line by line.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { netnsPath } from '../netns.ts';

export class ClientProcess {
  readonly stdoutLines: string[] = [];
  readonly stderrLines: string[] = [];
  private readonly child: ChildProcess;
  private readonly exited: Promise<number>;
  private listeners: (() => void)[] = [];

  constructor(script: string, args: readonly string[]) {
    this.child = spawn('nsenter', [`--net=${netnsPath('client')}`, '--', process.execPath, script, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const { stdout, stderr } = this.child;
    if (stdout === null || stderr === null) throw new Error('client process has no pipes');
    createInterface({ input: stdout }).on('line', (l) => this.push(this.stdoutLines, l));
    createInterface({ input: stderr }).on('line', (l) => this.push(this.stderrLines, l));
    this.exited = new Promise((resolve) => {
      this.child.on('error', () => resolve(127));
      // 'close' rather than 'exit': every line has been read by then.
      this.child.on('close', (code) => resolve(code ?? 1));
    });
  }

  private push(into: string[], line: string): void {
    into.push(line);
    for (const l of this.listeners) l();
  }

  /** Resolves when `check` holds after some line arrives (or already holds). */
  until<T>(what: string, check: () => T | undefined, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const listener = (): void => {
        const v = check();
        if (v === undefined) return;
        done();
        resolve(v);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${this.tail()}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== listener);
      };
      this.listeners.push(listener);
      listener();
    });
  }

  tail(n = 10): string {
    return [...this.stdoutLines.slice(-n), ...this.stderrLines.slice(-n)].join('\n');
  }

  /** SIGTERM, then wait for exit; SIGKILL if it does not go within `graceMs`. */
  async stop(graceMs: number): Promise<number> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** stdout lines that parse as JSON objects. */
  jsonLines<T>(): T[] {
    const out: T[] = [];
    for (const l of this.stdoutLines) {
      if (!l.startsWith('{')) continue;
      try {
        out.push(JSON.parse(l) as T);
      } catch {
        // a partial line: skip
      }
    }
    return out;
  }
}
