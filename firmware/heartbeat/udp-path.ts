// A UDP heartbeat path: the private crossover link ('net') or, as ROSE HA's
// last check, the public LAN ('lan'). Unicast to the peer's configured
// address; datagrams from any other address are dropped before decoding.
import type { Clock } from '../../hal/clock/clock.ts';
import type { DatagramSocket } from '../../hal/net/datagram.ts';
import type { PathDriver, PathHooks } from './path-driver.ts';
import { Reconnector } from './reconnector.ts';
import { errorMessage } from '../../hal/errors.ts';

export interface UdpPathOptions {
  readonly path: 'net' | 'lan';
  readonly clock: Clock;
  /** A fresh unbound socket per (re)open. */
  readonly makeSocket: () => DatagramSocket;
  readonly localAddress: string;
  readonly peerAddress: string;
  readonly port: number;
}

export class UdpPath implements PathDriver {
  readonly path: 'net' | 'lan';
  readonly description: string;
  private readonly o: UdpPathOptions;
  private readonly reconnector: Reconnector;
  private sock: DatagramSocket | undefined;
  private hooks: PathHooks | undefined;
  private readonly count = { sent: 0, sendErrors: 0, received: 0, wrongSource: 0 };

  constructor(options: UdpPathOptions) {
    this.o = options;
    this.path = options.path;
    this.description = `udp ${options.localAddress} -> ${options.peerAddress}:${options.port}`;
    this.reconnector = new Reconnector({
      clock: options.clock,
      open: () => this.open(),
      onUp: () => this.hooks?.transport(true, `bound ${this.o.localAddress}:${this.o.port}`),
      onDown: (detail, retryInMs) => this.hooks?.transport(false, `${detail}; retry in ${retryInMs} ms`),
    });
  }

  start(hooks: PathHooks): void {
    this.hooks = hooks;
    this.reconnector.start();
  }

  send(message: Uint8Array): void {
    const sock = this.sock;
    if (sock === undefined || !this.reconnector.up) return;
    // Send errors (link down: ENETUNREACH) are normal while a cable is out;
    // the path goes down through silence, not through our own send errors.
    sock.send(message, this.o.peerAddress, this.o.port).then(
      () => this.count.sent++,
      () => this.count.sendErrors++,
    );
  }

  async stop(): Promise<void> {
    this.reconnector.stop();
    this.hooks = undefined;
    const sock = this.sock;
    this.sock = undefined;
    await sock?.close();
  }

  counters(): Readonly<Record<string, number>> {
    return { ...this.count };
  }

  private async open(): Promise<void> {
    const sock = this.o.makeSocket();
    sock.on('message', (data, from) => {
      if (from.address !== this.o.peerAddress) {
        this.count.wrongSource++;
        return;
      }
      this.count.received++;
      this.hooks?.receive(data);
    });
    sock.on('error', () => undefined);
    sock.on('close', () => {
      if (this.sock !== sock) return;
      this.sock = undefined;
      this.reconnector.lost(new Error(`${sock.description} closed`));
    });
    try {
      await sock.bind(this.o.localAddress, this.o.port);
    } catch (err) {
      sock.removeAllListeners();
      throw new Error(errorMessage(err), { cause: err });
    }
    this.sock = sock;
  }
}
