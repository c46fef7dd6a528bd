// Receiver-side acceptance of heartbeats from the peer: decode + authenticate,
// then refuse wrong boxes, our own reflected messages, replays and retired
// incarnations. Every refusal is counted by reason for telemetry.
//
// The same message (same incarnation and seq) is sent on every path, so the
// "last seq" is tracked per path: a serial copy arriving after the UDP copy of
// that seq is not a replay.
//
// Incarnations are opaque 64-bit values chosen at process start (docs/heartbeat.md
// "Incarnations"). We do not order them: ordering would need a persisted boot
// counter, and a counter that resets (replaced flash, restored config) would lock
// a healthy peer out forever, i.e. a false failover. Instead we remember the
// current incarnation plus a bounded FIFO of retired ones; a retired incarnation
// is never accepted again, an unseen one is taken as a peer restart.
import type { ControllerId } from './codes.ts';
import {
  decodeHeartbeat,
  type Heartbeat,
  type HeartbeatEnvelope,
  type HeartbeatErrorCode,
} from './message.ts';
import type { HeartbeatPath } from './heartbeat-paths.ts';
import { err, ok, type Result } from '../core/result.ts';

export type RejectReason =
  | HeartbeatErrorCode
  | 'wrong-box'
  | 'reflection'
  /** Same seq again on the same path: e.g. an unchanged witness slot re-read. */
  | 'duplicate'
  /** Older seq on the same path than one already accepted there. */
  | 'replay'
  | 'stale-incarnation';

export const REJECT_REASONS: readonly RejectReason[] = [
  'short',
  'too-long',
  'bad-magic',
  'bad-version',
  'bad-mac',
  'bad-field',
  'trailing-bytes',
  'other-major',
  'wrong-box',
  'reflection',
  'duplicate',
  'replay',
  'stale-incarnation',
];

export interface Rejection {
  readonly reason: RejectReason;
  readonly detail: string;
}

/**
 * An accepted message. `compatible: false`: the peer speaks another protocol
 * major; its envelope was authenticated and passed every rule below (box,
 * reflection, incarnation, seq), so it proves the peer alive, but its body
 * is not read.
 */
export type Accepted =
  | {
      readonly compatible: true;
      readonly msg: Heartbeat;
      /** True when this message started a new peer incarnation (peer restarted). */
      readonly newIncarnation: boolean;
    }
  | {
      readonly compatible: false;
      readonly msg: HeartbeatEnvelope;
      readonly newIncarnation: boolean;
    };

export interface AcceptorOptions {
  readonly boxId: number;
  readonly self: ControllerId;
  readonly key: Uint8Array;
  /** How many retired incarnations to remember (default 64). */
  readonly retiredLimit?: number;
}

export type AcceptCounters = Record<RejectReason | 'accepted', number>;

export class HeartbeatAcceptor {
  private readonly opts: AcceptorOptions;
  private readonly retiredLimit: number;
  private current: bigint | undefined;
  private readonly retired: bigint[] = [];
  private readonly lastSeq = new Map<HeartbeatPath, number>();
  private readonly count: AcceptCounters;

  constructor(opts: AcceptorOptions) {
    this.opts = opts;
    this.retiredLimit = opts.retiredLimit ?? 64;
    this.count = { accepted: 0 } as AcceptCounters;
    for (const r of REJECT_REASONS) this.count[r] = 0;
  }

  /** Decode untrusted bytes received on `path` and accept or refuse them. */
  receive(path: HeartbeatPath, bytes: Uint8Array): Result<Accepted, Rejection> {
    const decoded = decodeHeartbeat(bytes, this.opts.key);
    if (!decoded.ok) {
      const { code, field, detail, envelope } = decoded.error;
      // Another major: authenticated, so judged by its envelope like any other.
      if (code === 'other-major' && envelope !== undefined) return this.judge(path, envelope, false);
      return this.reject(code, field === undefined ? detail : `${field}: ${detail}`);
    }
    return this.accept(path, decoded.value);
  }

  /** Accept an already authenticated message (e.g. from the witness slot decoder). */
  accept(path: HeartbeatPath, msg: Heartbeat): Result<Accepted, Rejection> {
    return this.judge(path, msg, true);
  }

  private judge(
    path: HeartbeatPath,
    msg: HeartbeatEnvelope,
    compatible: boolean,
  ): Result<Accepted, Rejection> {
    const accepted = (newIncarnation: boolean): Result<Accepted, Rejection> =>
      compatible
        ? ok({ compatible: true, msg: msg as Heartbeat, newIncarnation })
        : ok({ compatible: false, msg, newIncarnation });
    if (msg.boxId !== this.opts.boxId) {
      return this.reject('wrong-box', `box ${msg.boxId}, we are ${this.opts.boxId}`);
    }
    if (msg.controller === this.opts.self) return this.reject('reflection', 'message carries our own id');
    if (msg.incarnation === this.current) {
      const last = this.lastSeq.get(path);
      if (last !== undefined && msg.seq === last)
        return this.reject('duplicate', `seq ${msg.seq} on ${path}`);
      if (last !== undefined && msg.seq < last) {
        return this.reject('replay', `seq ${msg.seq} after ${last} on ${path}`);
      }
      this.lastSeq.set(path, msg.seq);
      this.count.accepted++;
      return accepted(false);
    }
    if (this.retired.includes(msg.incarnation)) {
      return this.reject('stale-incarnation', `incarnation ${msg.incarnation.toString(16)} was retired`);
    }
    if (this.current !== undefined) this.retire(this.current);
    this.current = msg.incarnation;
    this.lastSeq.clear();
    this.lastSeq.set(path, msg.seq);
    this.count.accepted++;
    return accepted(true);
  }

  counters(): Readonly<AcceptCounters> {
    return { ...this.count };
  }

  currentIncarnation(): bigint | undefined {
    return this.current;
  }

  private retire(incarnation: bigint): void {
    this.retired.push(incarnation);
    if (this.retired.length > this.retiredLimit) this.retired.shift();
  }

  private reject(reason: RejectReason, detail: string): Result<Accepted, Rejection> {
    this.count[reason]++;
    return err({ reason, detail });
  }
}
