// Reconnect delays: exponential with full jitter, capped, so a fleet of boxes
// that lost the broker together does not reconnect in lockstep.
export interface BackoffOptions {
  readonly baseMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1000, maxMs: 60_000 };

/** Delay before reconnect attempt `attempt` (1 = first retry). `random` in [0,1). */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random = Math.random(),
): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  // Never below half the ceiling: full jitter alone could retry at once.
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}
