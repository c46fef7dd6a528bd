// A virtual datagram network for the simulation: sockets bound to address:
// port pairs, delivery on an injected Clock, and the faults a real link
// shows: a cut between two addresses (or of one address from everything),
// random loss and a fixed delay.
import { EventEmitter } from 'node:events';
import type { Clock } from '../clock/clock.ts';
import { SystemClock } from '../clock/system.ts';
import { HalError } from '../errors.ts';
import { MAX_DATAGRAM_BYTES, type DatagramEvents, type DatagramSocket } from './datagram.ts';

export class SimDatagramNetwork {
  readonly clock: Clock;
  private readonly bound = new Map<string, SimDatagramSocket>();
  private readonly cuts = new Set<string>();
  private lossFraction = 0;
  private rng: () => number = Math.random;
  private delayMs = 0;
  /** Datagrams dropped by faults, for assertions. */
  dropped = 0;

  constructor(options: { clock?: Clock } = {}) {
    this.clock = options.clock ?? new SystemClock();
  }

  createSocket(): SimDatagramSocket {
    return new SimDatagramSocket(this);
  }

  /** Drop everything between `a` and `b` (both ways); without `b`, everything to or from `a`. */
  cut(a: string, b?: string): void {
    this.cuts.add(cutKey(a, b));
  }

  heal(a: string, b?: string): void {
    this.cuts.delete(cutKey(a, b));
  }

  /** Drop about `fraction` of datagrams; 0 turns loss off. */
  loss(fraction: number, rng: () => number = Math.random): void {
    if (!(fraction >= 0 && fraction <= 1))
      throw new RangeError(`loss(): fraction must be in [0, 1], got ${fraction}`);
    this.lossFraction = fraction;
    this.rng = rng;
  }

  delay(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`delay(): ms must be >= 0, got ${ms}`);
    this.delayMs = ms;
  }

  /** @internal */
  register(key: string, sock: SimDatagramSocket): boolean {
    if (this.bound.has(key)) return false;
    this.bound.set(key, sock);
    return true;
  }

  /** @internal */
  unregister(key: string, sock: SimDatagramSocket): void {
    if (this.bound.get(key) === sock) this.bound.delete(key);
  }

  /** @internal */
  deliver(fromAddr: string, fromPort: number, data: Uint8Array, toAddr: string, toPort: number): void {
    const blocked =
      this.cuts.has(cutKey(fromAddr, toAddr)) ||
      this.cuts.has(cutKey(fromAddr)) ||
      this.cuts.has(cutKey(toAddr));
    if (blocked || (this.lossFraction > 0 && this.rng() < this.lossFraction)) {
      this.dropped++;
      return;
    }
    const copy = Buffer.from(data);
    const hand = (): void => {
      this.bound.get(`${toAddr}:${toPort}`)?.receive(copy, fromAddr, fromPort);
    };
    if (this.delayMs === 0) queueMicrotask(hand);
    else this.clock.after(this.delayMs, hand);
  }
}

function cutKey(a: string, b?: string): string {
  if (b === undefined) return a;
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

export class SimDatagramSocket extends EventEmitter<DatagramEvents> implements DatagramSocket {
  description = 'sim-udp (unbound)';
  private readonly net: SimDatagramNetwork;
  private local: { address: string; port: number; key: string } | undefined;

  constructor(net: SimDatagramNetwork) {
    super();
    this.net = net;
  }

  bind(address: string, port: number): Promise<void> {
    if (this.local !== undefined)
      return Promise.reject(new HalError('busy', this.description, 'already bound'));
    const key = `${address}:${port}`;
    if (!this.net.register(key, this)) {
      return Promise.reject(new HalError('busy', `sim-udp ${key}`, 'address in use'));
    }
    this.local = { address, port, key };
    this.description = `sim-udp ${key}`;
    return Promise.resolve();
  }

  send(data: Uint8Array, address: string, port: number): Promise<void> {
    const local = this.local;
    if (local === undefined) return Promise.reject(new HalError('not-open', this.description, 'not bound'));
    if (data.byteLength > MAX_DATAGRAM_BYTES) {
      return Promise.reject(
        new HalError('invalid-argument', this.description, `${data.byteLength} bytes too large`),
      );
    }
    this.net.deliver(local.address, local.port, data, address, port);
    return Promise.resolve();
  }

  close(): Promise<void> {
    const local = this.local;
    if (local !== undefined) {
      this.local = undefined;
      this.net.unregister(local.key, this);
      this.emit('close');
    }
    return Promise.resolve();
  }

  /** The socket fails (e.g. the interface vanished): 'error', then closed. */
  fail(err: Error): void {
    if (this.local === undefined) return;
    this.emit('error', err);
    void this.close();
  }

  /** @internal */
  receive(data: Buffer, address: string, port: number): void {
    if (this.local !== undefined) this.emit('message', data, { address, port });
  }
}
