// The failover drill on the web panel (docs/drill.md): an operator starts it
// (`drill`, behind a confirmation that names its effect), and anyone who may
// read `drill-status` sees the drill under way or the last report, a row per
// step with its phases. The report's every field is shown as text.
import { run } from './api.ts';
import { fill, h } from './dom.ts';
import type { PageContext } from './page.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);
const text = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

function phases(step: Obj): string {
  return list(step['phases'])
    .map((p) => `${text(p['name'])} ${text(p['ms'])} ms (${text(p['on'])})`)
    .join(', ');
}

/** The drill under way, or the last report, from a `drill-status` answer. */
function view(data: unknown): HTMLElement {
  const d = isObj(data) ? data : {};
  const progress = isObj(d['drill']) ? d['drill'] : null;
  if (progress !== null && progress['state'] === 'running')
    return h(
      'div',
      { id: 'drill-view' },
      h('p', {}, `Drill ${text(progress['id'])} under way:`),
      h('ul', {}, ...linesOf(progress).map((l) => h('li', {}, l))),
    );
  const report = isObj(progress?.['report']) ? progress['report'] : isObj(d['last']) ? d['last'] : null;
  if (report === null) return h('p', { id: 'drill-view' }, 'No drill has run on this controller.');
  const slower = list(report['slower']);
  return h(
    'div',
    { id: 'drill-view', 'data-result': text(report['result']) },
    h(
      'p',
      { class: report['result'] === 'passed' && slower.length === 0 ? 'ok' : 'bad' },
      `Drill ${text(report['id'])} on ${text(report['by'])} by ${text(report['actor'])}: ${text(report['result'])}` +
        (slower.length > 0
          ? `; more than 50 % slower than the previous drill: ${slower
              .map((s) => `${text(s['phase'])} ${text(s['previousMs'])} → ${text(s['ms'])} ms`)
              .join(', ')}`
          : ''),
    ),
    h(
      'table',
      { id: 'drill-steps' },
      h(
        'thead',
        {},
        h('tr', {}, ...['Step', 'Subject', 'Result', 'Phases', 'Detail'].map((t) => h('th', {}, t))),
      ),
      h(
        'tbody',
        {},
        ...list(report['steps']).map((s) =>
          h(
            'tr',
            {},
            h('td', {}, text(s['kind'])),
            h('td', {}, text(s['subject'])),
            h('td', { class: s['ok'] === true ? 'ok' : 'bad' }, s['ok'] === true ? 'ok' : 'failed'),
            h('td', {}, phases(s)),
            h('td', {}, text(s['detail'])),
          ),
        ),
      ),
    ),
  );
}

const linesOf = (p: Obj): string[] => (Array.isArray(p['lines']) ? p['lines'].map(text) : []);

function show(root: HTMLElement, ctx: PageContext): void {
  run<unknown>('drill-status')
    .then((data) => fill(root, view(data)))
    .catch((err: unknown) => ctx.say(`drill status refused: ${(err as Error).message}`, 'bad'));
}

/** The drill's section of the Groups page, or null for a user who may do neither. */
export function drillSection(ctx: PageContext): HTMLElement | null {
  if (!ctx.can('drill-status')) return null;
  const shown = h('div', {});
  const start = ctx.can('drill')
    ? h(
        'button',
        {
          id: 'drill-start',
          onclick: () => {
            if (
              !window.confirm(
                'Run the failover drill: every group is switched over and failed back (its clients see short outages), ' +
                  'each database is killed and restarted, each heartbeat path is muted for half the deadtime.',
              )
            )
              return;
            run('drill')
              .then(() => {
                ctx.say('drill started: the report follows (Show drill)', 'ok');
                show(shown, ctx);
              })
              .catch((err: unknown) => ctx.say(`drill refused: ${(err as Error).message}`, 'bad'));
          },
        },
        'Run failover drill',
      )
    : null;
  return h(
    'section',
    { id: 'drill' },
    h('h2', {}, 'Failover drill'),
    start,
    h('button', { id: 'drill-show', onclick: () => show(shown, ctx) }, 'Show drill'),
    shown,
  );
}
