// The Events page's filters and paging: UTC times typed in the form, each
// filter checked as the log command will, pages moving by id, and the CSV
// address carrying the same filters, encoded.
import { describe, expect, it } from 'vitest';
import {
  csvHref,
  filterArgs,
  formatUtc,
  pageArgs,
  paging,
  parseUtc,
  SOURCE_HTML_PATTERN,
  SOURCE_PATTERN,
  type EventFilters,
} from '../../../firmware/web/client/events-query.ts';

const NONE: EventFilters = { from: '', to: '', severity: '', source: '', text: '' };

describe('times typed in UTC', () => {
  it('reads datetime-local values as UTC', () => {
    expect(parseUtc('2026-03-01T12:30')).toBe(Date.UTC(2026, 2, 1, 12, 30));
    expect(parseUtc('2026-03-01T12:30:15')).toBe(Date.UTC(2026, 2, 1, 12, 30, 15));
    expect(parseUtc('  ')).toBeNull();
    for (const bad of ['2026-02-31T00:00', '2026-13-01T00:00', '2026-01-01T24:00', 'yesterday', '2026-01-01'])
      expect(parseUtc(bad), bad).toBeUndefined();
    expect(formatUtc(Date.UTC(2026, 2, 1, 12, 30))).toBe('2026-03-01T12:30');
  });
});

describe('filters as log arguments', () => {
  it('passes only what is set', () => {
    expect(filterArgs(NONE)).toEqual({ args: {} });
    expect(
      filterArgs({
        from: '2026-01-01T00:00',
        to: '2026-01-02T00:00',
        severity: 'warning',
        source: ' resource:* ',
        text: ' Peer dead ',
      }),
    ).toEqual({
      args: {
        since: Date.UTC(2026, 0, 1),
        until: Date.UTC(2026, 0, 2),
        severity: 'warning',
        source: 'resource:*',
        text: 'Peer dead',
      },
    });
  });

  it('says what is wrong instead of sending it', () => {
    const problem = (f: Partial<EventFilters>) => {
      const r = filterArgs({ ...NONE, ...f });
      return 'problem' in r ? r.problem : null;
    };
    expect(problem({ from: 'soon' })).toMatch(/^From/);
    expect(problem({ to: '2026-02-30T00:00' })).toMatch(/^To/);
    expect(problem({ from: '2026-01-02T00:00', to: '2026-01-01T00:00' })).toMatch(/after From/);
    expect(problem({ severity: 'loud' })).toMatch(/^Severity/);
    expect(problem({ source: 'a b' })).toMatch(/^Source/);
    expect(problem({ source: "x'; DROP TABLE events" })).toMatch(/^Source/);
    expect(problem({ text: 'x'.repeat(129) })).toMatch(/^Text/);
    expect(problem({ text: 'a\u0007b' })).toMatch(/^Text/);
    expect(problem({ text: 'x'.repeat(128) })).toBeNull();
  });

  it('has an HTML pattern for the source that the browser (v flag) compiles and that agrees', () => {
    const html = new RegExp(`^(?:${SOURCE_HTML_PATTERN})$`, 'v');
    const own = new RegExp(SOURCE_PATTERN);
    for (const s of ['resource:*', 'failover', 'a-b.c_d', 'a b', '', 'x'.repeat(65), 'é'])
      expect(html.test(s), s).toBe(own.test(s));
  });
});

describe('paging by id', () => {
  const ids = (from: number, n: number) => Array.from({ length: n }, (_, i) => from - i);

  it('adds the cursor and the page size', () => {
    expect(pageArgs({ text: 'x' }, { kind: 'newest' }, 10)).toEqual({ text: 'x', limit: 10 });
    expect(pageArgs({}, { kind: 'before', id: 50 }, 10)).toEqual({ limit: 10, beforeId: 50 });
    expect(pageArgs({}, { kind: 'after', id: 60 }, 10)).toEqual({ limit: 10, afterId: 60 });
  });

  it('offers Older while pages are full and Newer once off the newest page', () => {
    expect(paging({ kind: 'newest' }, ids(100, 10), 10)).toEqual({
      newer: null,
      older: { kind: 'before', id: 91 },
    });
    expect(paging({ kind: 'before', id: 91 }, ids(90, 10), 10)).toEqual({
      newer: { kind: 'after', id: 90 },
      older: { kind: 'before', id: 81 },
    });
    expect(paging({ kind: 'before', id: 5 }, ids(4, 4), 10)).toEqual({
      newer: { kind: 'after', id: 4 },
      older: null,
    });
    // After a cursor, a short page is the newest one.
    expect(paging({ kind: 'after', id: 95 }, ids(100, 5), 10).newer).toBeNull();
    expect(paging({ kind: 'newest' }, [], 10)).toEqual({ newer: null, older: null });
  });
});

describe('CSV export address', () => {
  it('carries the same filters, encoded, and no cursor', () => {
    expect(csvHref({})).toBe('/api/events.csv');
    const href = csvHref({
      since: 1,
      until: 2,
      severity: 'error',
      source: 'resource:*',
      text: 'a&b=c %#',
      limit: 5,
    });
    const url = new URL(href, 'https://box');
    expect(url.pathname).toBe('/api/events.csv');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      since: '1',
      until: '2',
      severity: 'error',
      source: 'resource:*',
      text: 'a&b=c %#',
    });
  });
});
