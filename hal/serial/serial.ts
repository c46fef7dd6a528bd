// The serial-link contract, shaped after node-serialport's binding interface:
// a byte pipe to the peer controller. Framing lives above it.
import type { EventEmitter } from 'node:events';

export interface SerialOptions {
  readonly path: string;
  readonly baudRate: number;
  readonly dataBits?: 5 | 6 | 7 | 8;
  readonly parity?: 'none' | 'even' | 'odd';
  readonly stopBits?: 1 | 2;
}

export interface SerialEvents {
  /** Bytes as they arrive; chunk boundaries mean nothing. */
  data: [chunk: Buffer];
  /** The port failed; it is closed afterwards. */
  error: [err: Error];
  close: [];
}

export interface SerialLink extends EventEmitter<SerialEvents> {
  readonly path: string;
  readonly isOpen: boolean;
  open(): Promise<void>;
  write(data: Uint8Array): Promise<void>;
  close(): Promise<void>;
}
