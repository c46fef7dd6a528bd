// An in-memory null-modem cable: two SimSerialLink ends wired to each other,
// with the faults a real RS-232 heartbeat cable shows (unplugged, line noise,
// latency, a port that will not open). Time comes from an injected Clock so
// the deterministic simulation can drive delays with SimClock.
import { EventEmitter } from 'node:events';
import type { Clock } from '../clock/clock.ts';
import { SystemClock } from '../clock/system.ts';
import { HalError } from '../errors.ts';
import type { SerialEvents, SerialLink } from './serial.ts';

/** Returns a number in [0, 1), like Math.random; inject a seeded one in tests. */
export type Rng = () => number;

export interface SimSerialCableOptions {
  readonly clock?: Clock;
  readonly pathA?: string;
  readonly pathB?: string;
}

export class SimSerialCable {
  readonly a: SimSerialLink;
  readonly b: SimSerialLink;
  readonly clock: Clock;
  private isCut = false;
  private corruptFraction = 0;
  private rng: Rng = Math.random;
  private delayMs = 0;
  // Bytes on a wire never overtake each other, even when the delay changes.
  private lastDueMs = -Infinity;

  constructor(options: SimSerialCableOptions = {}) {
    this.clock = options.clock ?? new SystemClock();
    this.a = new SimSerialLink(options.pathA ?? 'sim-serial-a', this);
    this.b = new SimSerialLink(options.pathB ?? 'sim-serial-b', this);
  }

  /** Unplug the cable: bytes written from now on are lost. */
  cut(): void {
    this.isCut = true;
  }

  heal(): void {
    this.isCut = false;
  }

  /** Flip one random bit in about `fraction` of the bytes; 0 turns noise off. */
  corrupt(fraction: number, rng: Rng = Math.random): void {
    if (!(fraction >= 0 && fraction <= 1)) {
      throw new RangeError(`corrupt(): fraction must be in [0, 1], got ${fraction}`);
    }
    this.corruptFraction = fraction;
    this.rng = rng;
  }

  /** Hold every byte on the wire for `ms` of clock time; 0 delivers promptly. */
  delay(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`delay(): ms must be >= 0, got ${ms}`);
    this.delayMs = ms;
  }

  /** Make the next open() of `end` (or both ends) reject with `err`. */
  failOpen(err: Error, end?: SimSerialLink): void {
    for (const link of end ? [end] : [this.a, this.b]) link.openFault = err;
  }

  /** The port behind `end` fails (e.g. USB adapter pulled): 'error', then closed. */
  failPort(end: SimSerialLink, err: Error): void {
    end.fail(err);
  }

  /** @internal Called by a link's write(). */
  transmit(from: SimSerialLink, data: Uint8Array): void {
    if (this.isCut || data.length === 0) return;
    const to = from === this.a ? this.b : this.a;
    const bytes = Buffer.from(data); // copy: the caller may reuse its buffer
    if (this.corruptFraction > 0) {
      for (let i = 0; i < bytes.length; i++) {
        if (this.rng() < this.corruptFraction) {
          bytes[i] = (bytes[i] ?? 0) ^ (1 << Math.floor(this.rng() * 8));
        }
      }
    }
    if (this.delayMs === 0 && this.lastDueMs <= this.clock.monotonicMs()) {
      // Asynchronous like a real port, so a listener never runs inside write().
      queueMicrotask(() => to.receive(bytes));
      return;
    }
    const due = Math.max(this.clock.monotonicMs() + this.delayMs, this.lastDueMs);
    this.lastDueMs = due;
    this.clock.after(due - this.clock.monotonicMs(), () => to.receive(bytes));
  }
}

export class SimSerialLink extends EventEmitter<SerialEvents> implements SerialLink {
  readonly path: string;
  /** @internal Set by SimSerialCable.failOpen(). */
  openFault: Error | null = null;
  private readonly cable: SimSerialCable;
  private open_ = false;

  constructor(path: string, cable: SimSerialCable) {
    super();
    this.path = path;
    this.cable = cable;
  }

  get isOpen(): boolean {
    return this.open_;
  }

  open(): Promise<void> {
    if (this.openFault) {
      const err = this.openFault;
      this.openFault = null;
      return Promise.reject(err);
    }
    if (this.open_) return Promise.reject(new HalError('busy', this.path, 'port is already open'));
    this.open_ = true;
    return Promise.resolve();
  }

  write(data: Uint8Array): Promise<void> {
    if (!this.open_)
      return Promise.reject(new HalError('not-open', this.path, 'write on a port that is not open'));
    this.cable.transmit(this, data);
    return Promise.resolve();
  }

  close(): Promise<void> {
    if (this.open_) {
      this.open_ = false;
      this.emit('close');
    }
    return Promise.resolve();
  }

  /** @internal See SimSerialCable.failPort(). */
  fail(err: Error): void {
    if (!this.open_) return;
    this.emit('error', err);
    void this.close();
  }

  /** @internal Bytes arriving from the other end; lost if this end is closed. */
  receive(bytes: Buffer): void {
    if (this.open_) this.emit('data', bytes);
  }
}
