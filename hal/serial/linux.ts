// SerialLink on node-serialport. The port object is made by an injectable
// factory so unit tests can run this driver over serialport's MockBinding,
// while production uses the Linux binding with direct reads and writes
// (direct-binding.ts).
import { EventEmitter } from 'node:events';
import { SerialPortStream } from '@serialport/stream';
import { DirectLinuxBinding } from './direct-binding.ts';
import { HalError, errorMessage } from '../errors.ts';
import type { SerialEvents, SerialLink, SerialOptions } from './serial.ts';

/** The slice of node-serialport's SerialPortStream this driver relies on. */
export interface PortStream {
  readonly isOpen: boolean;
  open(cb: (err: Error | null) => void): void;
  write(data: Buffer, cb: (err: Error | null | undefined) => void): boolean;
  drain(cb: (err: Error | null) => void): void;
  close(cb: (err: Error | null) => void): void;
  on(event: 'data', fn: (chunk: Buffer) => void): unknown;
  on(event: 'error', fn: (err: Error) => void): unknown;
  on(event: 'close', fn: (err?: Error | null) => void): unknown;
  once(event: 'close', fn: () => void): unknown;
  removeListener(event: 'close', fn: () => void): unknown;
  removeAllListeners(): unknown;
}

/** Builds an unopened port; must not open it (autoOpen: false). */
export type PortFactory = (options: SerialOptions) => PortStream;

export const nativePortFactory: PortFactory = (o) =>
  new SerialPortStream({
    binding: DirectLinuxBinding,
    path: o.path,
    baudRate: o.baudRate,
    dataBits: o.dataBits ?? 8,
    parity: o.parity ?? 'none',
    stopBits: o.stopBits ?? 1,
    autoOpen: false,
  });

const VALID_BAUD = new Set([1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600]);

export function validateSerialOptions(o: SerialOptions): void {
  if (typeof o.path !== 'string' || !o.path.startsWith('/')) {
    throw new HalError('invalid-argument', String(o.path), 'serial path must be absolute');
  }
  if (!VALID_BAUD.has(o.baudRate)) {
    throw new HalError('invalid-argument', o.path, `unsupported baud rate ${o.baudRate}`);
  }
}

export class LinuxSerialLink extends EventEmitter<SerialEvents> implements SerialLink {
  readonly path: string;
  private readonly options: SerialOptions;
  private readonly factory: PortFactory;
  private port: PortStream | null = null;

  constructor(options: SerialOptions, factory: PortFactory = nativePortFactory) {
    super();
    validateSerialOptions(options);
    this.options = options;
    this.path = options.path;
    this.factory = factory;
  }

  get isOpen(): boolean {
    return this.port?.isOpen ?? false;
  }

  async open(): Promise<void> {
    if (this.port) throw new HalError('busy', this.path, 'port is already open');
    // A fresh stream per open: a SerialPortStream that saw a disconnect keeps
    // stale state, and this way close/reopen is always the same path.
    const port = this.factory(this.options);
    this.port = port;
    port.on('data', (chunk) => this.emit('data', chunk));
    port.on('error', (err) => this.fail(port, err));
    port.on('close', (err) => {
      if (err) this.fail(port, err);
      else this.closed(port);
    });
    try {
      await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    } catch (err) {
      port.removeAllListeners();
      this.port = null;
      throw mapError(this.path, 'open', err);
    }
  }

  async write(data: Uint8Array): Promise<void> {
    const port = this.port;
    // SerialPortStream would buffer writes until open; a heartbeat must not.
    if (!port?.isOpen) throw new HalError('not-open', this.path, 'write on a port that is not open');
    const copy = Buffer.from(data); // the stream may hold the buffer after we return
    try {
      await new Promise<void>((resolve, reject) => {
        // A port that closes mid-write may never call back: do not hang on it.
        const onClose = (): void => reject(new Error('port closed during write'));
        port.once('close', onClose);
        const done = (err: Error | null | undefined): void => {
          port.removeListener('close', onClose);
          if (err) reject(err);
          else resolve();
        };
        port.write(copy, (err) => (err ? done(err) : undefined));
        // drain waits until the bytes have left (tcdrain), giving backpressure.
        port.drain(done);
      });
    } catch (err) {
      throw mapError(this.path, 'write', err);
    }
  }

  async close(): Promise<void> {
    const port = this.port;
    if (!port) return;
    if (port.isOpen) {
      await new Promise<void>((resolve) => port.close(() => resolve()));
    }
    this.closed(port);
  }

  private fail(port: PortStream, err: Error): void {
    if (this.port !== port) return;
    this.emit('error', mapError(this.path, 'port', err));
    if (!port.isOpen) this.closed(port);
  }

  private closed(port: PortStream): void {
    if (this.port !== port) return;
    this.port = null;
    port.removeAllListeners();
    // Keep swallowing late errors from a stream we have let go of.
    port.on('error', () => undefined);
    this.emit('close');
  }
}

function mapError(path: string, op: string, err: unknown): HalError {
  const message = errorMessage(err);
  const code = /EBUSY|lock/i.test(message)
    ? 'busy'
    : /ENOENT|ENXIO|disconnect/i.test(message)
      ? 'disconnected'
      : 'io';
  return new HalError(code, path, `${op} failed: ${message}`, { cause: err });
}
