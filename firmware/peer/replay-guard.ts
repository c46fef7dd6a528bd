// Which peer requests are new. A request carries a random id, an attempt
// number (1, then one more per retry) and the sender's wall-clock time:
//   - sent more than `windowMs` from our clock (either way): stale, refused;
//   - an id not seen: new, it runs;
//   - a seen id with a higher attempt: the client's retry; it never runs
//     again, the answer already given is sent again;
//   - a seen id with an attempt already seen: a replay, dropped.
// Ids are remembered for twice the window, so a request cannot come back
// once forgotten (it is stale by then). At most `maxIds` are kept; when all
// are younger than that, a new request is refused as busy rather than an
// id forgotten early.

export type ReplayVerdict =
  | { readonly kind: 'new' }
  | { readonly kind: 'retry'; readonly answer: readonly Uint8Array[] | undefined }
  | { readonly kind: 'replay' }
  | { readonly kind: 'stale'; readonly error: string }
  | { readonly kind: 'busy'; readonly error: string };

interface Seen {
  attempt: number;
  readonly atMs: number;
  /** The response's datagrams, once answered. */
  answer: readonly Uint8Array[] | undefined;
}

export const DEFAULT_REPLAY_WINDOW_MS = 30_000;

export class ReplayGuard {
  private readonly seen = new Map<string, Seen>();
  readonly windowMs: number;
  private readonly maxIds: number;

  constructor(options: { windowMs?: number; maxIds?: number } = {}) {
    this.windowMs = options.windowMs ?? DEFAULT_REPLAY_WINDOW_MS;
    this.maxIds = options.maxIds ?? 1024;
  }

  /** `sentAtMs` from the request, `wallMs` our wall clock, `monoMs` our monotonic clock. */
  check(id: string, attempt: number, sentAtMs: number, wallMs: number, monoMs: number): ReplayVerdict {
    const skew = wallMs - sentAtMs;
    if (!Number.isFinite(skew) || Math.abs(skew) > this.windowMs)
      return {
        kind: 'stale',
        error: `stale: sent ${Number.isFinite(skew) ? Math.round(skew) : '?'} ms from our clock (window ±${this.windowMs} ms; are both controllers' clocks set?)`,
      };
    this.forget(monoMs);
    const known = this.seen.get(id);
    if (known !== undefined) {
      if (attempt <= known.attempt) return { kind: 'replay' };
      known.attempt = attempt;
      return { kind: 'retry', answer: known.answer };
    }
    if (this.seen.size >= this.maxIds)
      return { kind: 'busy', error: `busy: ${this.maxIds} peer requests within ${2 * this.windowMs} ms` };
    this.seen.set(id, { attempt, atMs: monoMs, answer: undefined });
    return { kind: 'new' };
  }

  /** Keeps the response of a request, for the client's retries. */
  answered(id: string, answer: readonly Uint8Array[]): void {
    const known = this.seen.get(id);
    if (known !== undefined) known.answer = answer;
  }

  get size(): number {
    return this.seen.size;
  }

  private forget(monoMs: number): void {
    // Insertion order is age order: stop at the first one still young.
    for (const [id, s] of this.seen) {
      if (monoMs - s.atMs <= 2 * this.windowMs) break;
      this.seen.delete(id);
    }
  }
}
