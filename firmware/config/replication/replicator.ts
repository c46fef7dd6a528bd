// Config replication over the private link (issue 7). Each controller offers
// its box-wide config (shared-fields.ts) to the peer on its own UDP port
// (heartbeat port + 1, private-link addresses), signed with the box key:
//   - at once when our config changes (an operator import, a replicated one),
//   - again every `resendMs` while the peer's heartbeat shows an older version
//     (covers lost fragments and a peer that was down),
//   - when the peer's heartbeat version becomes equal to ours, and every
//     `announceMs` while it stays equal, so two sides that changed
//     independently find out (a conflict).
// The receiver applies replication.ts's rule through ConfigManager: newer is
// validated and applied (keeping our per-controller fields), older is
// refused with an event, equal with different content raises CONFIG_CONFLICT.
// Nothing here ever throws on what arrives; bad datagrams are only counted.
import { inflateRawSync, deflateRawSync } from 'node:zlib';
import type { Clock, TimerHandle } from '../../../hal/clock/clock.ts';
import type { DatagramSender, DatagramSocket } from '../../../hal/net/datagram.ts';
import type { AlarmManager } from '../../alarms/alarm-manager.ts';
import { otherController, type ControllerId } from '../../cluster/codes.ts';
import type { ConfigManager } from '../config-manager.ts';
import { decideReplication } from './decision.ts';
import { formatIssues } from '../validate.ts';
import type { Extension } from '../../core/extension.ts';
import type { EventInput, EventSink } from '../../events/types.ts';
import { boxNumber } from '../../cluster/identity.ts';
import { OfferAssembler } from './assembler.ts';
import { decodeOfferFragment, encodeOffer, newOfferId, type OfferFragment } from './offer-wire.ts';
import { sharedHash, sharedPart } from './shared-fields.ts';

/** A deflated offer inflates to at most this (the import limit is 256 KiB). */
const MAX_INFLATED = 1024 * 1024;

export interface ReplicatorOptions {
  readonly clock: Clock;
  readonly self: ControllerId;
  readonly boxId: string;
  readonly key: Uint8Array;
  readonly localAddress: string;
  readonly peerAddress: string;
  readonly port: number;
  readonly makeSocket: () => DatagramSocket;
  readonly config: ConfigManager;
  /** configVersion in the peer's latest accepted heartbeat; undefined until heard. */
  readonly peerVersion: () => number | undefined;
  readonly events: EventSink;
  readonly alarms: Pick<AlarmManager, 'raise' | 'clear'>;
  readonly tickMs?: number;
  readonly resendMs?: number;
  /** How often equal versions are re-announced, to find conflicts (default 30 s). */
  readonly announceMs?: number;
}

/** The replication port: next to the heartbeat's, on the same private-link addresses. */
export function replicationPort(heartbeatPort: number): number {
  return heartbeatPort < 65535 ? heartbeatPort + 1 : heartbeatPort - 1;
}

export class ConfigReplicator implements Extension {
  readonly name = 'config-replication';
  private readonly o: ReplicatorOptions;
  private readonly peer: ControllerId;
  private readonly box: number;
  private readonly assembler = new OfferAssembler();
  private sock: DatagramSocket | undefined;
  private timer: TimerHandle | undefined;
  private lastLocal = '';
  private lastPeerVersion: number | undefined;
  private lastSentMs = -Infinity;
  /**
   * Wait before re-offering to a peer that still shows an older version. A
   * peer advertises the version in force, which stays older while what we
   * sent waits for its restart, so the wait doubles (up to announceMs) rather
   * than resending every resendMs for as long as that lasts.
   */
  private resendGapMs = 0;
  private applying = false;
  /** Refusals already logged, so a repeating peer does not flood the log. */
  private readonly told = new Set<string>();
  private bindProblem = '';
  readonly counters = { offersSent: 0, fragmentsReceived: 0, accepted: 0, refused: 0, conflicts: 0 };
  readonly dropped: Record<string, number> = {};

  constructor(options: ReplicatorOptions) {
    this.o = options;
    this.peer = otherController(options.self);
    this.box = boxNumber(options.boxId);
  }

  start(): Promise<void> {
    this.lastLocal = this.localStamp().key;
    this.resendGapMs = this.o.resendMs ?? 2000;
    this.timer = this.o.clock.every(this.o.tickMs ?? 500, () => this.tick());
    return this.bind();
  }

  async stop(): Promise<void> {
    this.timer?.cancel();
    this.timer = undefined;
    const sock = this.sock;
    this.sock = undefined;
    await sock?.close();
  }

  /** Offer our config to the peer now. */
  offer(): void {
    const sock = this.sock;
    if (sock === undefined) return;
    // As stored: at the committed schema, which a peer on older firmware reads.
    const cfg = this.o.config.storedDocument();
    let fragments: Uint8Array[];
    try {
      fragments = encodeOffer(
        {
          sender: this.o.self,
          boxId: this.box,
          offerId: newOfferId(),
          version: cfg.configVersion,
          hash: sharedHash(cfg),
        },
        deflateRawSync(JSON.stringify(sharedPart(cfg))),
        this.o.key,
      );
    } catch (err) {
      this.log('error', 'CONFIG_OFFER_FAILED', `cannot offer config: ${(err as Error).message}`);
      return;
    }
    this.lastSentMs = this.o.clock.monotonicMs();
    this.counters.offersSent += 1;
    for (const f of fragments) {
      // A send error (link down) is normal; the peer's heartbeat tells us to try again.
      sock.send(f, this.o.peerAddress, this.o.port).catch(() => this.drop('send-error'));
    }
  }

  private async bind(): Promise<void> {
    const sock = this.o.makeSocket();
    sock.on('message', (data, from) => this.receive(data, from));
    sock.on('error', () => undefined);
    sock.on('close', () => {
      if (this.sock === sock) this.sock = undefined;
    });
    try {
      await sock.bind(this.o.localAddress, this.o.port);
      this.sock = sock;
      this.bindProblem = '';
    } catch (err) {
      sock.removeAllListeners();
      const text = (err as Error).message;
      // Retried on every tick; reported once per distinct problem.
      if (text !== this.bindProblem)
        this.log(
          'warning',
          'CONFIG_REPLICATION_UNBOUND',
          `cannot bind ${this.o.localAddress}:${this.o.port}: ${text}`,
        );
      this.bindProblem = text;
    }
  }

  private localStamp(): { version: number; hash: string; key: string } {
    const cfg = this.o.config.storedDocument();
    const hash = sharedHash(cfg);
    return { version: cfg.configVersion, hash, key: `${cfg.configVersion}:${hash}` };
  }

  private tick(): void {
    if (this.sock === undefined) {
      if (this.timer !== undefined) void this.bind();
      return;
    }
    const local = this.localStamp();
    if (local.key !== this.lastLocal) {
      this.lastLocal = local.key;
      this.resendGapMs = this.o.resendMs ?? 2000;
      this.told.clear();
      this.o.alarms.clear('CONFIG_CONFLICT');
      this.offer();
      return;
    }
    const peerVersion = this.o.peerVersion();
    if (peerVersion === undefined) return;
    const changed = peerVersion !== this.lastPeerVersion;
    this.lastPeerVersion = peerVersion;
    if (changed) this.resendGapMs = this.o.resendMs ?? 2000;
    const now = this.o.clock.monotonicMs();
    const since = now - this.lastSentMs;
    if (peerVersion < local.version && since >= this.resendGapMs) {
      this.offer();
      this.resendGapMs = Math.min(this.resendGapMs * 2, this.o.announceMs ?? 30_000);
    }
    // Equal versions may still differ (both changed while apart): announce on
    // every change and now and then, so a lost announcement is not final.
    else if (peerVersion === local.version && (changed || since >= (this.o.announceMs ?? 30_000)))
      this.offer();
  }

  private receive(data: Buffer, from: DatagramSender): void {
    if (from.address !== this.o.peerAddress) return this.drop('wrong-source');
    const r = decodeOfferFragment(data, this.o.key);
    if (!r.ok) return this.drop(r.error);
    const f = r.value;
    if (f.boxId !== this.box) return this.drop('other-box');
    if (f.sender !== this.peer) return this.drop('not-from-peer');
    this.counters.fragmentsReceived += 1;
    const local = this.localStamp();
    const origin = `peer ${this.peer}`;
    const decision = decideReplication(local, { version: f.version, hash: f.hash, origin });
    switch (decision.action) {
      case 'unchanged':
        this.assembler.reset();
        this.o.alarms.clear('CONFIG_CONFLICT');
        return;
      case 'reject':
        this.assembler.reset();
        this.refuse(f, 'CONFIG_REPLICATION_REJECT', decision.reason);
        return;
      case 'conflict':
        this.assembler.reset();
        if (!this.told.has(`CONFIG_REPLICATION_CONFLICT:${f.version}:${f.hash}`)) {
          this.counters.conflicts += 1;
          this.refuse(f, 'CONFIG_REPLICATION_CONFLICT', decision.reason);
          this.o.alarms.raise('CONFIG_CONFLICT', { params: { version: f.version } });
          this.o.config.noteConflict();
        }
        return;
      case 'accept':
        this.collect(f);
        return;
    }
  }

  private collect(f: OfferFragment): void {
    if (this.applying) return;
    const whole = this.assembler.add(f, this.o.clock.monotonicMs());
    if (whole === undefined) return;
    let shared: unknown;
    try {
      shared = JSON.parse(inflateRawSync(whole.deflated, { maxOutputLength: MAX_INFLATED }).toString('utf8'));
    } catch (err) {
      this.refuse(
        f,
        'CONFIG_REPLICATION_REJECT',
        `offer from peer ${this.peer} unreadable: ${(err as Error).message}`,
      );
      return;
    }
    const body = (shared as { configVersion?: unknown } | null)?.configVersion;
    if (body !== whole.header.version) {
      this.refuse(
        f,
        'CONFIG_REPLICATION_REJECT',
        `offer from peer ${this.peer}: body version ${String(body)} is not ${whole.header.version}`,
      );
      return;
    }
    this.applying = true;
    void this.o.config
      .applyPeerOffer(shared, `peer ${this.peer}`)
      .then(
        (r) => {
          if (r.ok) {
            this.counters.accepted += 1;
            this.o.alarms.clear('CONFIG_CONFLICT');
            this.o.alarms.clear('CONFIG_REJECTED', this.peer);
            return;
          }
          // ConfigManager has logged why; the alarm tells the operator.
          this.counters.refused += 1;
          if (r.decision === undefined)
            this.o.alarms.raise('CONFIG_REJECTED', {
              subject: this.peer,
              params: { reason: formatIssues(r.errors).slice(0, 200) },
            });
        },
        (err: unknown) =>
          this.log('error', 'CONFIG_OFFER_FAILED', `applying the peer's config failed: ${String(err)}`),
      )
      .finally(() => {
        this.applying = false;
      });
  }

  private refuse(f: OfferFragment, code: string, reason: string): void {
    const key = `${code}:${f.version}:${f.hash}`;
    if (this.told.has(key)) return;
    this.told.add(key);
    if (code === 'CONFIG_REPLICATION_REJECT') this.counters.refused += 1;
    this.log('warning', code, reason, { from: this.peer, version: f.version, offerId: f.offerId });
  }

  private drop(reason: string): void {
    this.dropped[reason] = (this.dropped[reason] ?? 0) + 1;
  }

  private log(
    severity: EventInput['severity'],
    code: string,
    message: string,
    data?: EventInput['data'],
  ): void {
    this.o.events.append({
      severity,
      source: 'config',
      code,
      message,
      ...(data !== undefined ? { data } : {}),
    });
  }
}
