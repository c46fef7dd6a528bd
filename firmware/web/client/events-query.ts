// The Events page's filters as the `log` command and the CSV export take
// them, and its paging. Pure (no DOM), so it is unit-tested in Node. Times
// are typed and shown in UTC, as every time on the page is (dom.ts time()):
// the operator and the box may be in different zones.

/** The form's raw values, as typed. */
export interface EventFilters {
  /** "YYYY-MM-DDTHH:MM[:SS]" in UTC, or empty. */
  readonly from: string;
  readonly to: string;
  /** A severity name, or empty for all. */
  readonly severity: string;
  readonly source: string;
  readonly text: string;
}

/** Where the shown page sits: the newest events, or a page before/after an id. */
export type Cursor =
  | { readonly kind: 'newest' }
  | { readonly kind: 'before'; readonly id: number }
  | { readonly kind: 'after'; readonly id: number };

export const PAGE_SIZE = 100;
/** The log command's bounds (firmware/commands/alarms.ts). */
export const MAX_TEXT = 128;
export const SOURCE_PATTERN = '^[A-Za-z0-9_:.*-]{1,64}$';
/** The same for an input's pattern= (implicitly anchored, compiled with the v flag). */
export const SOURCE_HTML_PATTERN = '[A-Za-z0-9_:.*\\-]{1,64}';
const SEVERITY_NAMES = ['debug', 'info', 'notice', 'warning', 'error', 'critical'];

const UTC_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?$/;

/** A datetime-local value read as UTC: epoch ms, null when empty, or undefined when malformed. */
export function parseUtc(value: string): number | null | undefined {
  const v = value.trim();
  if (v === '') return null;
  const m = UTC_TIME.exec(v);
  if (m === null) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  // Date.UTC rolls 2026-02-31 over into March: refuse what does not round-trip.
  const back = new Date(ms);
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59)
    return undefined;
  return ms;
}

/** Epoch ms as the form's "YYYY-MM-DDTHH:MM" (UTC). */
export function formatUtc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16);
}

/** The filters as `log` arguments (no paging), or the first problem with them. */
export function filterArgs(f: EventFilters): { args: Record<string, unknown> } | { problem: string } {
  const args: Record<string, unknown> = {};
  const since = parseUtc(f.from);
  const until = parseUtc(f.to);
  if (since === undefined) return { problem: 'From: give a date and time as YYYY-MM-DDTHH:MM (UTC)' };
  if (until === undefined) return { problem: 'To: give a date and time as YYYY-MM-DDTHH:MM (UTC)' };
  if (since !== null && since < 0) return { problem: 'From: before 1970' };
  if (since !== null && until !== null && until <= since) return { problem: 'To must be after From' };
  if (since !== null) args['since'] = since;
  if (until !== null) args['until'] = until;
  if (f.severity !== '') {
    if (!SEVERITY_NAMES.includes(f.severity)) return { problem: 'Severity: not a severity' };
    args['severity'] = f.severity;
  }
  const source = f.source.trim();
  if (source !== '') {
    if (!new RegExp(SOURCE_PATTERN).test(source))
      return { problem: 'Source: letters, digits and _ : . * - only (a prefix ends in *), at most 64' };
    args['source'] = source;
  }
  const text = f.text.trim();
  if (text !== '') {
    // eslint-disable-next-line no-control-regex
    if (text.length > MAX_TEXT || /[\u0000-\u001f\u007f]/.test(text))
      return { problem: `Text: at most ${MAX_TEXT} printable characters` };
    args['text'] = text;
  }
  return { args };
}

/** The `log` arguments for one page of the filtered events. */
export function pageArgs(
  filters: Record<string, unknown>,
  cursor: Cursor,
  limit = PAGE_SIZE,
): Record<string, unknown> {
  const args: Record<string, unknown> = { ...filters, limit };
  if (cursor.kind === 'before') args['beforeId'] = cursor.id;
  if (cursor.kind === 'after') args['afterId'] = cursor.id;
  return args;
}

/** Which way the operator can page from what is shown (events newest first). */
export function paging(
  cursor: Cursor,
  ids: readonly number[],
  limit = PAGE_SIZE,
): { newer: Cursor | null; older: Cursor | null } {
  const newest = ids[0];
  const oldest = ids.at(-1);
  // After a cursor the oldest `limit` past it come back: fewer means we reached the newest.
  const atTop = cursor.kind === 'newest' || (cursor.kind === 'after' && ids.length < limit);
  return {
    newer: atTop ? null : newest === undefined ? { kind: 'newest' } : { kind: 'after', id: newest },
    older: oldest === undefined || ids.length < limit ? null : { kind: 'before', id: oldest },
  };
}

/** The CSV export's address with the same filters (routes-api.ts /api/events.csv). */
export function csvHref(filters: Record<string, unknown>): string {
  const q = new URLSearchParams();
  for (const key of ['since', 'until', 'severity', 'source', 'text']) {
    const v = filters[key];
    if (typeof v === 'string' || typeof v === 'number') q.set(key, String(v));
  }
  const s = q.toString();
  return s === '' ? '/api/events.csv' : `/api/events.csv?${s}`;
}
