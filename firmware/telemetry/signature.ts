// Who may command a controller over MQTT. The broker ACL decides who may
// publish on request topics at all; this is the second, end-to-end check that
// does not trust the broker: each request carries an HMAC-SHA256 under the
// configured mqtt.commandToken over a canonical form that binds the target
// (box, controller, command), the arguments, the transaction and a timestamp.
// A timestamp outside the window, or a transaction already seen inside it, is
// a replay and is refused.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { LIMITS } from '../core/limits.ts';

export const DEFAULT_WINDOW_MS = 30_000;

export interface SignedFields {
  readonly boxId: string;
  readonly controller: string;
  readonly command: string;
  readonly args: unknown;
  readonly transaction: string;
  readonly ts: number;
}

/**
 * JSON with object keys sorted at every depth, so both ends hash the same
 * bytes. Iterative (an explicit work stack, not recursion): whatever the
 * nesting of `value`, this cannot overflow the call stack, and its work is
 * linear in the size of the value.
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  // Each item is a value still to write, or literal text (brackets, commas, keys).
  const work: ({ readonly v: unknown } | string)[] = [{ v: value }];
  for (let item = work.pop(); item !== undefined; item = work.pop()) {
    if (typeof item === 'string') {
      out.push(item);
      continue;
    }
    const v = item.v;
    if (Array.isArray(v)) {
      out.push('[');
      work.push(']');
      for (let i = v.length - 1; i >= 0; i--) {
        work.push({ v: v[i] as unknown });
        if (i > 0) work.push(',');
      }
    } else if (v !== null && typeof v === 'object') {
      const obj = v as Record<string, unknown>;
      const keys = Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort();
      out.push('{');
      work.push('}');
      for (let i = keys.length - 1; i >= 0; i--) {
        const k = keys[i] ?? '';
        work.push({ v: obj[k] });
        work.push(`${JSON.stringify(k)}:`);
        if (i > 0) work.push(',');
      }
    } else {
      out.push(JSON.stringify(v ?? null));
    }
  }
  return out.join('');
}

export function canonicalRequest(f: SignedFields): string {
  return canonicalJson({
    v: 1,
    box: f.boxId,
    controller: f.controller,
    command: f.command,
    args: f.args ?? {},
    transaction: f.transaction,
    ts: f.ts,
  });
}

export function signRequest(token: string, f: SignedFields): string {
  return createHmac('sha256', token).update(canonicalRequest(f)).digest('hex');
}

export type Verdict = { ok: true } | { ok: false; reason: string };

/** Checks signatures and remembers recent transactions to refuse replays. */
export class RequestVerifier {
  private readonly token: string | undefined;
  private readonly windowMs: number;
  private readonly seen = new Map<string, number>();
  private readonly maxSeen: number;

  constructor(options: { token: string | undefined; windowMs?: number; maxSeen?: number }) {
    this.token = options.token;
    this.windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
    this.maxSeen = options.maxSeen ?? 10_000;
  }

  verify(f: SignedFields, sig: unknown, nowMs: number): Verdict {
    if (this.token === undefined)
      return { ok: false, reason: 'unauthorised: commands are disabled (mqtt.commandToken is not set)' };
    // The config schema refuses a short token; this holds for callers that bypass it too.
    if (this.token.length < LIMITS.commandTokenMinChars)
      return {
        ok: false,
        reason: `unauthorised: commands are disabled (mqtt.commandToken is shorter than ${LIMITS.commandTokenMinChars} characters)`,
      };
    if (typeof sig !== 'string' || !/^[0-9a-f]{64}$/.test(sig)) {
      return { ok: false, reason: 'unauthorised: sig is missing or not 64 hex digits' };
    }
    if (typeof f.ts !== 'number' || !Number.isFinite(f.ts))
      return { ok: false, reason: 'unauthorised: ts is missing or not a number' };
    const expected = Buffer.from(signRequest(this.token, f), 'hex');
    if (!timingSafeEqual(expected, Buffer.from(sig, 'hex')))
      return { ok: false, reason: 'unauthorised: bad signature' };
    // Only a correctly signed request may tell us the time is off or fill the replay cache.
    if (Math.abs(nowMs - f.ts) > this.windowMs) {
      return {
        ok: false,
        reason: `unauthorised: ts is ${Math.round(nowMs - f.ts)} ms from our clock (window ±${this.windowMs} ms)`,
      };
    }
    this.forgetOlderThan(nowMs - this.windowMs);
    if (this.seen.has(f.transaction)) return { ok: false, reason: 'unauthorised: replayed transaction' };
    if (this.seen.size >= this.maxSeen)
      return { ok: false, reason: 'busy: too many requests in the replay window' };
    this.seen.set(f.transaction, f.ts);
    return { ok: true };
  }

  private forgetOlderThan(cutoff: number): void {
    for (const [tx, ts] of this.seen) if (ts < cutoff) this.seen.delete(tx);
  }
}
