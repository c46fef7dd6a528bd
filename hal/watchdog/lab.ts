// Watchdog on the lab's stand-in (tools/lab/watchdog.ts): a unix stream
// socket speaking a line protocol that mirrors /dev/watchdog. Connecting arms
// it; only "V" followed by close disarms it.
import { connect, type Socket } from 'node:net';
import { HalError, asError } from '../errors.ts';
import type { Watchdog } from './watchdog.ts';

const REPLY_TIMEOUT_MS = 2000;
const MAX_REPLY = 256;

interface Pending {
  resolve(n: number): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export class LabWatchdog implements Watchdog {
  readonly description: string;
  readonly #socketPath: string;
  #sock: Socket | null = null;
  #buf = '';
  #pending: Pending[] = [];

  constructor(socketPath: string) {
    this.#socketPath = socketPath;
    this.description = `lab watchdog ${socketPath}`;
  }

  open(): Promise<void> {
    if (this.#sock !== null) return Promise.reject(new HalError('busy', this.description, 'already open'));
    return new Promise((resolve, reject) => {
      const sock = connect(this.#socketPath);
      sock.setEncoding('utf8');
      const onError = (err: Error) =>
        reject(new HalError('io', this.description, `cannot connect: ${err.message}`, { cause: err }));
      sock.once('error', onError);
      sock.once('connect', () => {
        sock.off('error', onError);
        this.#sock = sock;
        sock.on('data', (d: string) => this.#onData(d));
        sock.on('error', () => sock.destroy());
        sock.on('close', () => this.#onClose(sock));
        resolve();
      });
    });
  }

  async keepalive(): Promise<void> {
    await this.#write('keepalive\n');
  }

  async setTimeoutSeconds(seconds: number): Promise<number> {
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > 3600) {
      throw new HalError(
        'invalid-argument',
        this.description,
        `timeout must be an integer 1..3600 s, got ${seconds}`,
      );
    }
    return this.#request(`timeout ${seconds}\n`);
  }

  getTimeoutSeconds(): Promise<number> {
    return this.#request('gettimeout\n');
  }

  async close(magic: boolean): Promise<void> {
    const sock = this.#sock;
    if (sock === null) return;
    this.#sock = null;
    if (!magic) {
      sock.destroy();
      return;
    }
    await new Promise<void>((resolve) => {
      sock.once('close', () => resolve());
      sock.end('V\n');
    });
  }

  #write(line: string): Promise<void> {
    const sock = this.#sock;
    if (sock === null)
      return Promise.reject(new HalError('not-open', this.description, 'watchdog is not open'));
    return new Promise((resolve, reject) => {
      sock.write(line, (err) =>
        err ? reject(new HalError('io', this.description, err.message, { cause: err })) : resolve(),
      );
    });
  }

  #request(line: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending = this.#pending.filter((p) => p.timer !== timer);
        reject(new HalError('timeout', this.description, `no reply to ${line.trim()}`));
      }, REPLY_TIMEOUT_MS);
      this.#pending.push({ resolve, reject, timer });
      this.#write(line).catch((err: unknown) => {
        clearTimeout(timer);
        this.#pending = this.#pending.filter((p) => p.timer !== timer);
        reject(asError(err));
      });
    });
  }

  #onData(chunk: string): void {
    this.#buf += chunk;
    let nl: number;
    while ((nl = this.#buf.indexOf('\n')) >= 0) {
      const line = this.#buf.slice(0, nl).trim();
      this.#buf = this.#buf.slice(nl + 1);
      const p = this.#pending.shift();
      if (p === undefined) continue; // unsolicited, e.g. "error busy" before close
      clearTimeout(p.timer);
      const m = /^ok ([0-9]{1,7})$/.exec(line);
      if (m !== null) p.resolve(Number(m[1]));
      else
        p.reject(
          new HalError(
            line === 'error busy' ? 'busy' : 'protocol',
            this.description,
            `unexpected reply ${JSON.stringify(line)}`,
          ),
        );
    }
    if (this.#buf.length > MAX_REPLY) {
      this.#buf = '';
      this.#failAll(new HalError('protocol', this.description, 'reply too long'));
    }
  }

  #onClose(sock: Socket): void {
    if (this.#sock === sock) this.#sock = null;
    this.#failAll(new HalError('disconnected', this.description, 'watchdog connection closed'));
  }

  #failAll(err: HalError): void {
    const pending = this.#pending;
    this.#pending = [];
    for (const p of pending) {
      clearTimeout(p.timer);
      p.reject(err);
    }
  }
}
