// Events: the event log, newest first, filtered by time (UTC), minimum
// severity, source and message text, a page at a time (Newer/Older move by
// event id, so events arriving meanwhile shift nothing), and the same
// filters as a CSV download. The filters and paging are events-query.ts;
// this draws them. Live updates do not redraw the page (the form keeps what
// is typed); Refresh or a filter change reads the log again.
import type { LoggedEvent } from '../../events/types.ts';
import { run } from './api.ts';
import { fill, h, time } from './dom.ts';
import {
  csvHref,
  filterArgs,
  MAX_TEXT,
  PAGE_SIZE,
  pageArgs,
  paging,
  SOURCE_HTML_PATTERN,
  type Cursor,
} from './events-query.ts';
import type { PageContext } from './page.ts';

const ROOT_ID = 'page-events';
const SEVERITIES = ['debug', 'info', 'notice', 'warning', 'error', 'critical'];

function row(e: LoggedEvent): HTMLElement {
  const data = e.data === null || e.data === undefined ? '' : JSON.stringify(e.data);
  return h(
    'tr',
    { 'data-event-id': e.id, 'data-severity': String(e.severity), 'data-source': String(e.source) },
    h('td', { class: 'num' }, e.id),
    h('td', { class: 'nowrap' }, time(e.ts)),
    h('td', { class: `sev sev-${String(e.severity)}` }, String(e.severity)),
    h('td', {}, String(e.source)),
    h('td', {}, String(e.code)),
    h('td', {}, String(e.message), data.length > 2 ? h('div', { class: 'data' }, data.slice(0, 500)) : null),
  );
}

function draw(main: HTMLElement, ctx: PageContext): void {
  const from = h('input', { id: 'events-from', type: 'datetime-local', step: 1 });
  const to = h('input', { id: 'events-to', type: 'datetime-local', step: 1 });
  const severity = h(
    'select',
    { id: 'events-severity' },
    h('option', { value: '' }, 'any'),
    ...SEVERITIES.map((s) => h('option', { value: s }, `${s} or worse`)),
  );
  const source = h('input', {
    id: 'events-source',
    // The browser compiles pattern= with the v flag, where a bare '-' in a class is an error.
    pattern: SOURCE_HTML_PATTERN,
    maxlength: 64,
    placeholder: 'failover, resource:*',
  });
  const text = h('input', {
    id: 'events-text',
    type: 'search',
    maxlength: MAX_TEXT,
    placeholder: 'words in the message',
  });
  const tbody = h('tbody', {});
  const newer = h('button', { id: 'events-newer', type: 'button', disabled: true }, 'Newer');
  const older = h('button', { id: 'events-older', type: 'button', disabled: true }, 'Older');
  const csv = h('a', { id: 'events-csv', href: csvHref({}), download: '' }, 'Export CSV');
  const where = h('span', { id: 'events-page', class: 'hint' });

  let filters: Record<string, unknown> = {};
  let cursor: Cursor = { kind: 'newest' };
  let next: { newer: Cursor | null; older: Cursor | null } = { newer: null, older: null };

  const load = (at: Cursor): void => {
    run<{ events: LoggedEvent[] }>('log', pageArgs(filters, at))
      .then((r) => {
        const events = Array.isArray(r.events) ? r.events : [];
        // Past the newest after a cursor: show the newest page instead of an empty one.
        if (at.kind === 'after' && events.length === 0) return load({ kind: 'newest' });
        cursor = at;
        next = paging(
          at,
          events.map((e) => e.id),
        );
        newer.disabled = next.newer === null;
        older.disabled = next.older === null;
        fill(where, events.length === 0 ? 'no events' : `events ${events.at(-1)!.id} to ${events[0]!.id}`);
        fill(
          tbody,
          ...(events.length === 0
            ? [h('tr', { class: 'empty' }, h('td', { colspan: 6 }, 'No event matches.'))]
            : events.map(row)),
        );
      })
      .catch((err: unknown) => ctx.say(`log refused: ${(err as Error).message}`, 'bad'));
  };

  const form = h(
    'form',
    { id: 'events-filters', class: 'filters' },
    h('label', {}, 'From (UTC) ', from),
    h('label', {}, 'To (UTC) ', to),
    h('label', {}, 'Severity ', severity),
    h('label', {}, 'Source ', source),
    h('label', {}, 'Text ', text),
    h('button', { id: 'events-apply', type: 'submit' }, 'Show'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const r = filterArgs({
      from: from.value,
      to: to.value,
      severity: severity.value,
      source: source.value,
      text: text.value,
    });
    if ('problem' in r) return ctx.say(r.problem, 'bad');
    filters = r.args;
    csv.href = csvHref(filters);
    load({ kind: 'newest' });
  });
  newer.addEventListener('click', () => next.newer !== null && load(next.newer));
  older.addEventListener('click', () => next.older !== null && load(next.older));

  fill(
    main,
    h(
      'section',
      { id: ROOT_ID },
      h('h1', {}, 'Events'),
      form,
      h(
        'div',
        { class: 'pager' },
        newer,
        older,
        h('button', { id: 'events-refresh', type: 'button', onclick: () => load(cursor) }, 'Refresh'),
        where,
        csv,
        h('span', { class: 'hint' }, ` (the filters shown, at most 10 000 events; ${PAGE_SIZE} a page here)`),
      ),
      h(
        'table',
        { id: 'events-table' },
        h(
          'thead',
          {},
          h('tr', {}, ...['Id', 'Time', 'Severity', 'Source', 'Code', 'Message'].map((t) => h('th', {}, t))),
        ),
        tbody,
      ),
    ),
  );
  load(cursor);
}

export function renderEvents(main: HTMLElement, ctx: PageContext): void {
  if (main.firstElementChild?.id === ROOT_ID) return;
  draw(main, ctx);
}
