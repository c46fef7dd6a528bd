// When a group whose start failed here is tried again, and for how long.
// Reasoning and the bound: docs/failover.md "Start retry".
//
// A takeover's start can fail for a reason that lies with the peer: a frozen
// peer still holds the filesystem (e2fsck exit 8), or still claims the
// group. Failure memory gives such a group one last-resort start while the
// peer cannot take it; if that fails too, the group used to stay down until
// an operator acted, even after the peer had self-fenced and let go. Now,
// once the peer has done something that may have cleared the cause since
// that failure (self-fenced, released the group, or been confirmed down),
// the start is retried with an exponential back-off, a bounded number of
// times. Waiting for such a sign, instead of retrying on a timer alone,
// keeps a start that fails for a reason of its own from looping.

/** The back-off before retry n (1-based) is FIRST x 2^(n-1), capped at MAX. */
export const START_RETRY_FIRST_MS = 2000;
export const START_RETRY_MAX_DELAY_MS = 16_000;
/** Retries after the last-resort start; then the group waits for cleanup or its failure to expire. */
export const START_RETRY_LIMIT = 5;

/** Back-off before retry `n` (1..START_RETRY_LIMIT), counted from the failure before it. */
export function startRetryDelayMs(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`retry ${n}: retries count from 1`);
  return Math.min(START_RETRY_MAX_DELAY_MS, START_RETRY_FIRST_MS * 2 ** (n - 1));
}

/**
 * The stated bound: from the sign that the cause may have cleared, the last
 * retry has begun within this long, 2 + 4 + 8 + 16 + 16 = 46 s, plus per
 * attempt its own start time and the few intervals a free group settles.
 * (Retry 1 begins at most 2 s after the sign, retry n the back-off after
 * the failure of retry n-1.)
 */
export function startRetryBoundMs(): number {
  let total = 0;
  for (let n = 1; n <= START_RETRY_LIMIT; n++) total += startRetryDelayMs(n);
  return total;
}

/**
 * What a group that failed here waits for before it may start here again,
 * while the peer cannot take it (the GROUP_DOWN alarm says it).
 *   last-resort: nothing; its one last-resort start is due
 *   cause:       a sign from the peer (self-fenced, released, confirmed down)
 *   retry:       the back-off; retry `retry` of `of` is due in `inMs`
 *   gave-up:     every retry failed; tandemctl cleanup or the failure's expiry
 */
export type StartWait =
  | { readonly kind: 'last-resort' }
  | { readonly kind: 'cause' }
  | { readonly kind: 'retry'; readonly retry: number; readonly of: number; readonly inMs: number }
  | { readonly kind: 'gave-up'; readonly retries: number };
