// Puts one offer's fragments back together. Fragments are keyed by content
// (version, hash, sizes), not by offer id: deflate is deterministic, so a
// repeated offer carries the very same fragments, and what a lossy link let
// through last time still counts. Only one offer is kept (a different one
// replaces it) and a half-received one is dropped after `maxAgeMs` without
// news, so lost fragments cannot pile up memory.
import type { OfferFragment, OfferHeader } from './offer-wire.ts';

interface Pending {
  readonly key: string;
  readonly header: OfferHeader;
  readonly parts: (Uint8Array | undefined)[];
  lastMs: number;
}

export class OfferAssembler {
  private current: Pending | undefined;
  private readonly maxAgeMs: number;

  constructor(maxAgeMs = 30_000) {
    this.maxAgeMs = maxAgeMs;
  }

  /** The whole deflated offer once its last fragment is in, else undefined. */
  add(fragment: OfferFragment, nowMs: number): { header: OfferHeader; deflated: Buffer } | undefined {
    const key = `${fragment.version}:${fragment.hash}:${fragment.count}:${fragment.totalBytes}`;
    let p = this.current;
    if (p === undefined || p.key !== key || nowMs - p.lastMs > this.maxAgeMs) {
      p = {
        key,
        header: fragment,
        parts: new Array<Uint8Array | undefined>(fragment.count).fill(undefined),
        lastMs: nowMs,
      };
      this.current = p;
    }
    p.parts[fragment.index] = fragment.bytes;
    p.lastMs = nowMs;
    if (p.parts.some((part) => part === undefined)) return undefined;
    this.current = undefined;
    return { header: p.header, deflated: Buffer.concat(p.parts as Uint8Array[]) };
  }

  reset(): void {
    this.current = undefined;
  }
}
