// Alarms: the active ones, most severe first (the daemon's order), each with
// what to do about it and, for an operator, an Acknowledge button; the
// buzzer's mute; and the cleared ones, read back from the event log
// (alarm-history.ts: the `alarms` command lists only active alarms). The
// page fetches when it is opened and again when the live status says the
// number of active alarms changed, not on every live update.
import type { Alarm } from '../../alarms/alarm-row.ts';
import type { LoggedEvent } from '../../events/types.ts';
import { ALARM_EVENTS_QUERY, pastAlarms, type PastAlarm } from './alarm-history.ts';
import { run } from './api.ts';
import { fill, h, time } from './dom.ts';
import type { PageContext } from './page.ts';

const ROOT_ID = 'page-alarms';
let seenCount: number | null = null;

const refused = (ctx: PageContext, what: string) => (err: unknown) =>
  ctx.say(`${what} refused: ${(err as Error).message}`, 'bad');

function activeRow(a: Alarm, ctx: PageContext, reload: () => void): HTMLElement {
  const acked = a.acknowledgedAt !== null;
  const ack =
    !acked && ctx.can('alarm-ack')
      ? h(
          'button',
          {
            class: 'ack',
            'data-alarm-id': a.id,
            onclick: () => {
              if (!window.confirm(`Acknowledge alarm ${a.id} (${a.code}): ${a.message}`)) return;
              run('alarm-ack', { id: a.id })
                .then(() => {
                  ctx.say(`Alarm ${a.id} acknowledged.`, 'ok');
                  reload();
                })
                .catch(refused(ctx, 'alarm-ack'));
            },
          },
          'Acknowledge',
        )
      : null;
  const children =
    Array.isArray(a.children) && a.children.length > 0
      ? h('ul', {}, ...a.children.map((c) => h('li', {}, `${String(c.subject)}: ${String(c.message)}`)))
      : null;
  return h(
    'tr',
    {
      'data-alarm-id': a.id,
      'data-code': String(a.code),
      'data-severity': String(a.severity),
      'data-acked': acked ? 'yes' : 'no',
    },
    h('td', { class: `sev sev-${String(a.severity)}` }, String(a.severity)),
    h('td', {}, String(a.code)),
    h('td', {}, String(a.subject)),
    h(
      'td',
      {},
      String(a.message),
      children,
      a.count > 1 ? h('span', { class: 'hint' }, ` (×${a.count})`) : null,
    ),
    h('td', {}, time(a.raisedAt)),
    h(
      'td',
      { class: 'acked' },
      acked ? `by ${a.acknowledgedBy ?? '?'} at ${time(a.acknowledgedAt)}` : 'no',
      a.latched && !acked ? h('div', { class: 'hint' }, 'stays until acknowledged') : null,
    ),
    h('td', { class: 'remedy' }, String(a.remedy)),
    h('td', {}, ack),
  );
}

function pastRow(p: PastAlarm): HTMLElement {
  return h(
    'tr',
    { 'data-alarm-id': p.alarmId, 'data-code': p.code, 'data-severity': p.severity },
    h('td', { class: `sev sev-${p.severity}` }, p.severity),
    h('td', {}, p.code),
    h('td', {}, p.subject),
    h('td', {}, p.message),
    h('td', {}, time(p.raisedAt)),
    h('td', {}, time(p.clearedAt)),
    h('td', {}, p.acknowledgedBy ?? '—'),
  );
}

const head = (...titles: string[]) => h('thead', {}, h('tr', {}, ...titles.map((t) => h('th', {}, t))));

function load(root: HTMLElement, ctx: PageContext): void {
  const active = h('tbody', {});
  const past = h('tbody', {});
  const reload = () => load(root, ctx);
  fill(
    root,
    h('h1', {}, 'Alarms'),
    ctx.can('mute')
      ? h(
          'button',
          {
            id: 'mute',
            onclick: () =>
              void run<{ muted: boolean; silenced: number[] }>('mute')
                .then((r) => ctx.say(`Buzzer muted (${r.silenced.length} alarm(s) silenced).`, 'ok'))
                .catch(refused(ctx, 'mute')),
          },
          'Mute buzzer',
        )
      : null,
    h('button', { id: 'alarms-refresh', onclick: reload }, 'Refresh'),
    h('h2', {}, 'Active'),
    h(
      'table',
      { id: 'alarms-active' },
      head('Severity', 'Code', 'Subject', 'Message', 'Raised', 'Acknowledged', 'What to do', ''),
      active,
    ),
    h('h2', {}, 'Cleared'),
    h(
      'p',
      { class: 'hint' },
      'From the event log (raised, acknowledged and cleared events of each alarm), newest first.',
    ),
    h(
      'table',
      { id: 'alarms-past' },
      head('Severity', 'Code', 'Subject', 'Message', 'Raised', 'Cleared', 'Acknowledged by'),
      past,
    ),
  );
  run<{ alarms: Alarm[] }>('alarms')
    .then((r) => {
      const list = Array.isArray(r.alarms) ? r.alarms : [];
      fill(
        active,
        ...(list.length === 0
          ? [h('tr', { class: 'empty' }, h('td', { colspan: 8 }, 'No active alarm.'))]
          : list.map((a) => activeRow(a, ctx, reload))),
      );
    })
    .catch(refused(ctx, 'alarms'));
  if (ctx.can('log'))
    run<{ events: LoggedEvent[] }>('log', { ...ALARM_EVENTS_QUERY })
      .then((r) => {
        const list = pastAlarms(Array.isArray(r.events) ? r.events : []);
        fill(
          past,
          ...(list.length === 0
            ? [h('tr', { class: 'empty' }, h('td', { colspan: 7 }, 'No cleared alarm in the event log.'))]
            : list.map(pastRow)),
        );
      })
      .catch(refused(ctx, 'log'));
}

export function renderAlarms(main: HTMLElement, ctx: PageContext): void {
  const count = ctx.status?.report?.activeAlarms ?? null;
  const shown = main.firstElementChild?.id === ROOT_ID ? (main.firstElementChild as HTMLElement) : null;
  // Drawn again on every live update: fetch only when opened or when the alarms changed.
  if (shown !== null && count === seenCount) return;
  seenCount = count;
  const root = shown ?? h('section', { id: ROOT_ID });
  if (shown === null) fill(main, root);
  load(root, ctx);
}
