// One controller's firmware process in a simulation: its view of the shared
// clock, and of what arrives from outside (serial bytes, datagrams, SCSI
// completions). A stall holds every callback until resume, as an event loop
// that stopped would (a GC pause, a starved CPU, SIGSTOP); a kill drops them
// for good. Periodic timers fire once after a stall, as setInterval does.
import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '../../hal/clock/clock.ts';
import type { DatagramEvents, DatagramSocket } from '../../hal/net/datagram.ts';
import type { ScsiCommand, ScsiDevice, ScsiResult } from '../../hal/scsi/device.ts';
import type { SerialEvents, SerialLink } from '../../hal/serial/serial.ts';
import { asError } from '../../hal/errors.ts';

export class SimProcess implements Clock {
  private readonly base: Clock;
  private stalled = false;
  private dead = false;
  private deferred: (() => void)[] = [];
  private readonly handles = new Set<TimerHandle>();
  private readonly onKill: (() => void)[] = [];

  constructor(base: Clock) {
    this.base = base;
  }

  get isStalled(): boolean {
    return this.stalled;
  }

  get isDead(): boolean {
    return this.dead;
  }

  monotonicMs(): number {
    return this.base.monotonicMs();
  }

  wallMs(): number {
    return this.base.wallMs();
  }

  after(ms: number, fn: () => void): TimerHandle {
    const h = this.base.after(ms, () => {
      this.handles.delete(h);
      this.run(fn);
    });
    this.handles.add(h);
    return h;
  }

  every(ms: number, fn: () => void): TimerHandle {
    let queued = false;
    const h = this.base.every(ms, () => {
      if (this.dead) return;
      if (!this.stalled) return fn();
      if (queued) return;
      queued = true;
      this.deferred.push(() => {
        queued = false;
        fn();
      });
    });
    this.handles.add(h);
    return h;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }

  /** Run `fn` as this process (an I/O completion or a received message). */
  run(fn: () => void): void {
    if (this.dead) return;
    if (this.stalled) this.deferred.push(fn);
    else fn();
  }

  stall(): void {
    this.stalled = true;
  }

  resume(): void {
    if (!this.stalled) return;
    this.stalled = false;
    const queued = this.deferred;
    this.deferred = [];
    for (const fn of queued) this.run(fn);
  }

  /** The process dies: nothing of it runs again, and what it held open is let go. */
  kill(): void {
    this.dead = true;
    this.deferred = [];
    for (const h of this.handles) h.cancel();
    this.handles.clear();
    for (const fn of this.onKill.splice(0)) fn();
  }

  /** Run `fn` when the process dies (the kernel closing its files). */
  atKill(fn: () => void): void {
    if (this.dead) fn();
    else this.onKill.push(fn);
  }

  /** The serial link as this process sees it: what arrives waits while it is stalled. */
  serial(link: SerialLink): SerialLink {
    return new ProcessSerialLink(link, this);
  }

  datagrams(socket: DatagramSocket): DatagramSocket {
    return new ProcessDatagramSocket(socket, this);
  }

  scsi(device: ScsiDevice): ScsiDevice {
    return {
      description: device.description,
      execute: (cmd: ScsiCommand) =>
        new Promise<ScsiResult>((resolve, reject) => {
          device.execute(cmd).then(
            (r) => this.run(() => resolve(r)),
            (e: unknown) => this.run(() => reject(asError(e))),
          );
        }),
      close: () => Promise.resolve(), // the session is the platform's; it closes it at death
    };
  }
}

class ProcessSerialLink extends EventEmitter<SerialEvents> implements SerialLink {
  private readonly inner: SerialLink;

  constructor(inner: SerialLink, proc: SimProcess) {
    super();
    this.inner = inner;
    const onData = (chunk: Buffer): void => proc.run(() => this.emit('data', chunk));
    const onError = (err: Error): void => proc.run(() => this.emit('error', err));
    const onClose = (): void => proc.run(() => this.emit('close'));
    inner.on('data', onData);
    inner.on('error', onError);
    inner.on('close', onClose);
    proc.atKill(() => {
      inner.off('data', onData);
      inner.off('error', onError);
      inner.off('close', onClose);
      void inner.close();
    });
  }

  get path(): string {
    return this.inner.path;
  }

  get isOpen(): boolean {
    return this.inner.isOpen;
  }

  open(): Promise<void> {
    return this.inner.open();
  }

  write(data: Uint8Array): Promise<void> {
    return this.inner.write(data);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

class ProcessDatagramSocket extends EventEmitter<DatagramEvents> implements DatagramSocket {
  private readonly inner: DatagramSocket;

  constructor(inner: DatagramSocket, proc: SimProcess) {
    super();
    this.inner = inner;
    inner.on('message', (data, from) => proc.run(() => this.emit('message', data, from)));
    inner.on('error', (err) => proc.run(() => this.emit('error', err)));
    inner.on('close', () => proc.run(() => this.emit('close')));
    // A fresh socket per open: closing it at death frees the address for the next boot.
    proc.atKill(() => void inner.close());
  }

  get description(): string {
    return this.inner.description;
  }

  bind(address: string, port: number): Promise<void> {
    return this.inner.bind(address, port);
  }

  send(data: Uint8Array, address: string, port: number): Promise<void> {
    return this.inner.send(data, address, port);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
