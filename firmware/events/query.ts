// Turns an EventQuery into parameterised SQL (never string-built values).
import { severityRank, type EventQuery } from './types.ts';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 10_000;
/** The longest message filter: a search box, not a way to make SQLite scan with a huge pattern. */
export const MAX_TEXT_FILTER = 128;

/** `text` as a LIKE pattern matching it anywhere, its own %, _ and backslash taken literally (ESCAPE '\\'). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function buildQuery(q: EventQuery): { sql: string; params: (number | string)[] } {
  const where: string[] = [];
  const params: (number | string)[] = [];
  if (q.fromTs !== undefined) {
    where.push('ts >= ?');
    params.push(Math.floor(q.fromTs));
  }
  if (q.toTs !== undefined) {
    where.push('ts < ?');
    params.push(Math.floor(q.toTs));
  }
  if (q.minSeverity !== undefined) {
    where.push('severity >= ?');
    params.push(severityRank(q.minSeverity));
  }
  if (q.source !== undefined && q.source !== '') {
    if (q.source.endsWith('*')) {
      // Prefix match without LIKE, so '%' and '_' in a source are literal.
      const prefix = q.source.slice(0, -1);
      where.push('substr(source, 1, ?) = ?');
      params.push(prefix.length, prefix);
    } else {
      where.push('source = ?');
      params.push(q.source);
    }
  }
  if (q.code !== undefined) {
    where.push('code = ?');
    params.push(q.code);
  }
  if (q.afterId !== undefined) {
    where.push('id > ?');
    params.push(Math.floor(q.afterId));
  }
  if (q.beforeId !== undefined) {
    where.push('id < ?');
    params.push(Math.floor(q.beforeId));
  }
  if (q.text !== undefined && q.text !== '') {
    // A bound parameter, never spliced in; callers bound it already (the log command's schema).
    where.push("message LIKE ? ESCAPE '\\'");
    params.push(containsPattern(q.text.slice(0, MAX_TEXT_FILTER)));
  }
  const limit = Math.min(MAX_LIMIT, Math.max(1, Math.floor(q.limit ?? DEFAULT_LIMIT)));
  const select =
    'SELECT id, ts, mono_ms, severity, source, code, message, data FROM events' +
    (where.length > 0 ? ' WHERE ' + where.join(' AND ') : '');
  params.push(limit);
  // After a cursor: the oldest `limit` past it (no gap for the reader), still returned newest first.
  const sql =
    q.afterId !== undefined
      ? `SELECT * FROM (${select} ORDER BY id ASC LIMIT ?) ORDER BY id DESC`
      : `${select} ORDER BY id DESC LIMIT ?`;
  return { sql, params };
}
