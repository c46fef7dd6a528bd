// Puts one peer message's fragments back together. Messages are keyed by
// kind, request id and attempt; at most `maxPending` half-received ones are
// kept (the oldest goes first) and one without news for `maxAgeMs` is
// dropped, so lost or hostile fragments cannot pile up memory.
import type { PeerFragment, PeerHeader } from './wire.ts';

interface Pending {
  readonly header: PeerHeader;
  readonly count: number;
  readonly totalBytes: number;
  readonly parts: (Uint8Array | undefined)[];
  lastMs: number;
}

export class PeerAssembler {
  private readonly pending = new Map<string, Pending>();
  private readonly maxAgeMs: number;
  private readonly maxPending: number;

  constructor(options: { maxAgeMs?: number; maxPending?: number } = {}) {
    this.maxAgeMs = options.maxAgeMs ?? 10_000;
    this.maxPending = options.maxPending ?? 16;
  }

  /** The whole body once the message's last fragment is in, else undefined. */
  add(f: PeerFragment, nowMs: number): { header: PeerHeader; body: Buffer } | undefined {
    if (f.count === 1) return { header: f, body: Buffer.from(f.bytes) };
    this.expire(nowMs);
    const key = `${f.kind}:${f.id}:${f.attempt}`;
    let p = this.pending.get(key);
    if (p !== undefined && (p.count !== f.count || p.totalBytes !== f.totalBytes)) {
      this.pending.delete(key);
      p = undefined;
    }
    if (p === undefined) {
      while (this.pending.size >= this.maxPending) {
        const oldest = this.pending.keys().next().value;
        if (oldest === undefined) break;
        this.pending.delete(oldest);
      }
      p = {
        header: f,
        count: f.count,
        totalBytes: f.totalBytes,
        parts: new Array<Uint8Array | undefined>(f.count).fill(undefined),
        lastMs: nowMs,
      };
      this.pending.set(key, p);
    }
    p.parts[f.index] = f.bytes;
    p.lastMs = nowMs;
    if (p.parts.some((part) => part === undefined)) return undefined;
    this.pending.delete(key);
    return { header: p.header, body: Buffer.concat(p.parts as Uint8Array[]) };
  }

  /** Half-received messages held now (tests, metrics). */
  get size(): number {
    return this.pending.size;
  }

  private expire(nowMs: number): void {
    for (const [key, p] of this.pending) if (nowMs - p.lastMs > this.maxAgeMs) this.pending.delete(key);
  }
}
