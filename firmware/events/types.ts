// The shape of one event in the persistent log, and severity ordering.

export const SEVERITIES = ['debug', 'info', 'notice', 'warning', 'error', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Rank for "at least this severe" queries; higher is more severe. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value);
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** What a caller supplies; the log stamps id and times. */
export interface EventInput {
  severity: Severity;
  /** Subsystem, e.g. 'cluster', 'failover', 'resource:pg'. */
  source: string;
  /** Stable machine-readable code, e.g. 'PEER_DEAD'. */
  code: string;
  message: string;
  data?: JsonValue;
}

export interface LoggedEvent {
  id: number;
  /** Wall-clock ms since the epoch (for people; may jump). */
  ts: number;
  /** Monotonic ms (for ordering and intervals within one boot). */
  monoMs: number;
  severity: Severity;
  source: string;
  code: string;
  message: string;
  data: JsonValue;
}

export interface EventQuery {
  /** Inclusive lower bound on ts (wall ms). */
  fromTs?: number;
  /** Exclusive upper bound on ts (wall ms). */
  toTs?: number;
  minSeverity?: Severity;
  /** Exact source, or a prefix ending in ':' / '*' (e.g. 'resource:*'). */
  source?: string;
  /** Exact code, e.g. 'TAKEOVER'. */
  code?: string;
  /**
   * Only events with a greater id (a reader's cursor, e.g. `log --follow`).
   * Over the limit, the OLDEST events after the cursor are the ones kept,
   * so a reader that moves its cursor to the newest id it got skips none.
   */
  afterId?: number;
  /** Only events with a smaller id: the page before (older than) one already shown. */
  beforeId?: number;
  /**
   * Case-insensitive (ASCII) substring of the message, at most
   * MAX_TEXT_FILTER characters (query.ts); wildcards in it are literal.
   */
  text?: string;
  /** Newest first, at most this many (default 100, max 10000). */
  limit?: number;
}

/** Anything that accepts events: the log itself, or a fake in tests. */
export interface EventSink {
  append(event: EventInput): LoggedEvent;
}
