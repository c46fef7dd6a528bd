// The peer command channel (docs/peer.md): one controller's firmware runs a
// registry command on the other, over signed UDP datagrams on the private
// link (heartbeat port + 2, the private-link addresses), both ways on one
// socket: our requests and the peer's answers, the peer's requests and our
// answers. What arrives is untrusted: a datagram from elsewhere, too big,
// failing the MAC, of another box or not from the peer is dropped and
// counted (never answered: an unauthenticated sender learns nothing);
// an authenticated request that cannot run is answered with why (server.ts).
import type { Clock, TimerHandle } from '../../hal/clock/clock.ts';
import type { DatagramSender, DatagramSocket } from '../../hal/net/datagram.ts';
import { otherController, type ControllerId } from '../cluster/codes.ts';
import { boxNumber } from '../cluster/identity.ts';
import { fail, type Outcome } from '../commands/define.ts';
import type { CommandName } from '../core/envelope.ts';
import type { Extension } from '../core/extension.ts';
import type { EventSink } from '../events/types.ts';
import { PeerAssembler } from './assembler.ts';
import { PeerClient, type PeerRunOptions } from './client.ts';
import { ReplayGuard } from './replay-guard.ts';
import { PeerRequestServer, type PeerCommands } from './server.ts';
import { decodeFragment, encodeMessage, type PeerHeader } from './wire.ts';

/** The channel's port: two above the heartbeat's (config replication has the one between). */
export function peerCommandPort(heartbeatPort: number): number {
  return heartbeatPort <= 65533 ? heartbeatPort + 2 : heartbeatPort - 2;
}

export interface PeerLink {
  readonly localAddress: string;
  readonly peerAddress: string;
  readonly port: number;
}

export interface PeerChannelOptions {
  readonly clock: Clock;
  readonly self: ControllerId;
  readonly boxId: string;
  readonly key: Uint8Array;
  /** undefined: no private link is configured; run() answers so at once. */
  readonly link: PeerLink | undefined;
  readonly makeSocket: () => DatagramSocket;
  /** The commands a peer request runs with, read per request (the daemon hands in a fuller set later). */
  readonly commands: () => PeerCommands;
  readonly events: EventSink;
  /** How far the peer's clock may be from ours, and how long request ids are kept (twice this). */
  readonly replayWindowMs?: number;
  /** After a failed bind, the next try (default 2000 ms). */
  readonly rebindMs?: number;
}

/** The client API other modules use: run a command on the other controller. */
export interface PeerRunner {
  run(name: CommandName, args: object, options?: PeerRunOptions): Promise<Outcome>;
}

export class PeerChannel implements Extension, PeerRunner {
  readonly name = 'peer-commands';
  readonly peer: ControllerId;
  /** Requests sent and answered, each way. */
  readonly counters = { requestsSent: 0, responsesReceived: 0, requestsReceived: 0, responsesSent: 0 };
  /** Datagrams and requests refused, by reason (mac, replay, stale, not-peer-command, ...). */
  readonly dropped: Record<string, number> = {};
  private readonly o: PeerChannelOptions;
  private readonly box: number;
  private readonly assembler = new PeerAssembler();
  private readonly client: PeerClient;
  private readonly server: PeerRequestServer;
  private sock: DatagramSocket | undefined;
  private started = false;
  private rebind: TimerHandle | undefined;
  private bindProblem = '';

  constructor(options: PeerChannelOptions) {
    this.o = options;
    this.peer = otherController(options.self);
    this.box = boxNumber(options.boxId);
    const count = (reason: string): void => this.count(reason);
    this.client = new PeerClient({
      peer: this.peer,
      clock: options.clock,
      count,
      send: (id, attempt, body) => {
        this.counters.requestsSent += 1;
        return this.send(this.header('request', id, attempt), body);
      },
    });
    this.server = new PeerRequestServer({
      self: options.self,
      peer: this.peer,
      guard: new ReplayGuard(
        options.replayWindowMs !== undefined ? { windowMs: options.replayWindowMs } : {},
      ),
      wallMs: () => options.clock.wallMs(),
      monotonicMs: () => options.clock.monotonicMs(),
      commands: options.commands,
      events: options.events,
      count,
      respond: (request, body) => {
        this.counters.responsesSent += 1;
        const datagrams = encodeMessage(
          this.header('response', request.id, request.attempt),
          body,
          this.o.key,
        );
        this.resend(datagrams);
        return datagrams;
      },
      resend: (datagrams) => this.resend(datagrams),
    });
  }

  /** Whether the socket is bound now. */
  get bound(): boolean {
    return this.sock !== undefined;
  }

  async start(): Promise<void> {
    if (this.o.link === undefined || this.started) return;
    this.started = true;
    await this.bind();
  }

  async stop(): Promise<void> {
    this.started = false;
    this.rebind?.cancel();
    this.rebind = undefined;
    this.client.cancelAll('the channel stopped');
    const sock = this.sock;
    this.sock = undefined;
    await sock?.close();
  }

  /**
   * Runs `name` on the other controller and resolves with its Outcome;
   * never rejects. The peer runs only commands declared `peer: true`.
   */
  run(name: CommandName, args: object, options: PeerRunOptions = {}): Promise<Outcome> {
    if (this.o.link === undefined)
      return Promise.resolve(
        fail(
          `peer ${this.peer}: ${name}: no private link (cluster.network with both addresses) to reach it on`,
        ),
      );
    return this.client.run(name, args, options);
  }

  private header(kind: PeerHeader['kind'], id: string, attempt: number): PeerHeader {
    return { kind, sender: this.o.self, attempt, boxId: this.box, id, sentAtMs: this.o.clock.wallMs() };
  }

  private async send(header: PeerHeader, body: Uint8Array): Promise<string | undefined> {
    const sock = this.sock;
    const link = this.o.link;
    if (sock === undefined || link === undefined)
      return `not bound${this.bindProblem !== '' ? ` (${this.bindProblem})` : ''}`;
    for (const d of encodeMessage(header, body, this.o.key)) await sock.send(d, link.peerAddress, link.port);
    return undefined;
  }

  private resend(datagrams: readonly Uint8Array[]): void {
    const sock = this.sock;
    const link = this.o.link;
    if (sock === undefined || link === undefined) return this.count('send-error');
    for (const d of datagrams)
      sock.send(d, link.peerAddress, link.port).catch(() => this.count('send-error'));
  }

  private async bind(): Promise<void> {
    const link = this.o.link;
    if (link === undefined || !this.started) return;
    const sock = this.o.makeSocket();
    sock.on('message', (data, from) => this.receive(data, from));
    sock.on('error', () => undefined);
    sock.on('close', () => {
      if (this.sock !== sock) return;
      this.sock = undefined;
      this.scheduleRebind();
    });
    try {
      await sock.bind(link.localAddress, link.port);
      if (!this.started) {
        await sock.close();
        return;
      }
      this.sock = sock;
      this.bindProblem = '';
    } catch (err) {
      sock.removeAllListeners();
      const text = (err as Error).message;
      // Retried every rebindMs; reported once per distinct problem.
      if (text !== this.bindProblem)
        this.o.events.append({
          severity: 'warning',
          source: 'peer',
          code: 'PEER_CHANNEL_UNBOUND',
          message: `peer command channel: cannot bind ${link.localAddress}:${link.port}: ${text}`,
        });
      this.bindProblem = text;
      this.scheduleRebind();
    }
  }

  private scheduleRebind(): void {
    if (!this.started || this.rebind !== undefined) return;
    this.rebind = this.o.clock.after(this.o.rebindMs ?? 2000, () => {
      this.rebind = undefined;
      void this.bind();
    });
  }

  /** One datagram off the link. Never throws. */
  private receive(data: Buffer, from: DatagramSender): void {
    if (from.address !== this.o.link?.peerAddress) return this.count('wrong-source');
    const r = decodeFragment(data, this.o.key);
    if (!r.ok) return this.count(r.error);
    const f = r.value;
    if (f.boxId !== this.box) return this.count('other-box');
    if (f.sender !== this.peer) return this.count('not-from-peer');
    const whole = this.assembler.add(f, this.o.clock.monotonicMs());
    if (whole === undefined) return;
    if (whole.header.kind === 'request') {
      this.counters.requestsReceived += 1;
      this.server.handle(whole.header, whole.body);
    } else {
      this.counters.responsesReceived += 1;
      this.client.receive(whole.header, whole.body);
    }
  }

  private count(reason: string): void {
    this.dropped[reason] = (this.dropped[reason] ?? 0) + 1;
  }
}
