// Takeovers: every takeover, switchover and failback this controller's
// event log holds (the `takeovers` command), as a timeline with one row
// each, its phases as consecutive bars on one scale and its total; and the
// last 50 durations over time with a seconds axis. The geometry is
// takeover-chart.ts; this only turns it into SVG, text always as text.
import { run } from './api.ts';
import { duration, fill, h, svg, time } from './dom.ts';
import type { PageContext } from './page.ts';
import {
  checkedRecords,
  DURATIONS,
  durationLayout,
  TIMELINE,
  timelineLayout,
  type TakeoverRecord,
} from './takeover-chart.ts';

const ROOT_ID = 'page-takeovers';
/** Phase names the style sheet colours (the rest share one colour). */
const PHASE_CLASS: Readonly<Record<string, string>> = {
  detected: 'ph-detected',
  fenced: 'ph-fenced',
  disk: 'ph-disk',
  mounted: 'ph-mounted',
  'database up': 'ph-database',
  'VIP announced': 'ph-vip',
};
let seenTakeover: number | null = null;

function timeline(records: readonly TakeoverRecord[]): SVGElement {
  const { rows, height } = timelineLayout(records);
  const t = TIMELINE;
  return svg(
    'svg',
    {
      id: 'takeover-timeline',
      class: 'chart',
      viewBox: `0 0 ${t.width} ${height}`,
      role: 'img',
      'aria-label': 'takeover phases',
    },
    ...rows.map((row) => {
      const r = records[row.index]!;
      const mid = row.y + t.barHeight / 2 + 4;
      return svg(
        'g',
        {
          class: `takeover kind-${String(r.kind)}`,
          'data-takeover-index': row.index,
          'data-kind': String(r.kind),
          'data-at': r.at,
          'data-total-ms': row.totalMs,
        },
        svg(
          'text',
          { x: 4, y: mid, class: 'row-label' },
          `${time(r.at)} ${String(r.kind)} ${String(r.from)}→${String(r.by)}`,
        ),
        ...row.bars.map((b) =>
          svg(
            'g',
            { class: `phase ${PHASE_CLASS[b.name] ?? 'ph-other'}`, 'data-phase': b.name, 'data-ms': b.ms },
            svg('rect', { x: b.x, y: row.y, width: Math.max(b.width, 1), height: t.barHeight }),
            svg('title', {}, `${b.name}: ${duration(b.ms)}`),
            // A label only where it fits; the title (hover) always names the phase.
            b.width > 70
              ? svg('text', { x: b.x + 4, y: mid, class: 'phase-label' }, `${b.name} ${duration(b.ms)}`)
              : null,
          ),
        ),
        svg('text', { x: row.totalX, y: mid, class: 'total' }, duration(row.totalMs)),
      );
    }),
  );
}

function durations(records: readonly TakeoverRecord[]): SVGElement {
  const d = DURATIONS;
  const { points, ticks } = durationLayout(records, 50);
  const bottom = d.height - d.bottom;
  return svg(
    'svg',
    {
      id: 'takeover-durations',
      class: 'chart',
      viewBox: `0 0 ${d.width} ${d.height}`,
      role: 'img',
      'aria-label': 'takeover durations over time',
    },
    ...ticks.map((k) =>
      svg(
        'g',
        { class: 'tick', 'data-seconds': k.seconds },
        svg('line', { x1: d.left, y1: k.y, x2: d.width - d.right, y2: k.y }),
        svg('text', { x: d.left - 6, y: k.y + 4, 'text-anchor': 'end' }, `${k.seconds} s`),
      ),
    ),
    svg('line', { class: 'axis', x1: d.left, y1: d.top, x2: d.left, y2: bottom }),
    svg('line', { class: 'axis', x1: d.left, y1: bottom, x2: d.width - d.right, y2: bottom }),
    points.length > 1
      ? svg('polyline', { class: 'trend', points: points.map((p) => `${p.x},${p.y}`).join(' ') })
      : null,
    ...points.map((p, i) =>
      svg(
        'circle',
        {
          class: `point kind-${p.kind}`,
          'data-duration-index': i,
          'data-seconds': p.seconds,
          cx: p.x,
          cy: p.y,
          r: 4,
        },
        svg('title', {}, `${time(p.at)} ${p.kind}: ${p.seconds.toFixed(1)} s`),
      ),
    ),
    points.length > 0 ? svg('text', { x: d.left, y: d.height - 10 }, time(points[0]!.at)) : null,
    points.length > 1
      ? svg('text', { x: d.width - d.right, y: d.height - 10, 'text-anchor': 'end' }, time(points.at(-1)!.at))
      : null,
  );
}

function table(records: readonly TakeoverRecord[]): HTMLElement {
  return h(
    'table',
    { id: 'takeover-table' },
    h(
      'thead',
      {},
      h('tr', {}, ...['When', 'Kind', 'From → to', 'Reason', 'Total'].map((t) => h('th', {}, t))),
    ),
    h(
      'tbody',
      {},
      ...records.map((r, i) =>
        h(
          'tr',
          { 'data-takeover-index': i },
          h('td', {}, time(r.at)),
          h('td', {}, String(r.kind)),
          h('td', {}, `${String(r.from)} → ${String(r.by)}`),
          h('td', {}, String(r.reason)),
          h('td', {}, duration(r.totalMs)),
        ),
      ),
    ),
  );
}

function load(root: HTMLElement, ctx: PageContext): void {
  run<unknown>('takeovers', { limit: 50 })
    .then((data) => {
      const records = checkedRecords(data);
      fill(
        root,
        h('h1', {}, 'Takeovers'),
        h('button', { id: 'takeovers-refresh', onclick: () => load(root, ctx) }, 'Refresh'),
        records.length === 0
          ? h(
              'p',
              { id: 'takeovers-none' },
              'No takeover, switchover or failback in this controller’s event log.',
            )
          : h(
              'div',
              {},
              h('h2', {}, 'Phases, newest first'),
              timeline(records),
              h('h2', {}, `Durations of the last ${Math.min(50, records.length)}`),
              durations(records),
              table(records),
            ),
      );
    })
    .catch((err: unknown) => ctx.say(`takeovers refused: ${(err as Error).message}`, 'bad'));
}

export function renderTakeovers(main: HTMLElement, ctx: PageContext): void {
  const last = ctx.status?.report?.lastTakeover?.at ?? null;
  const shown = main.firstElementChild?.id === ROOT_ID ? (main.firstElementChild as HTMLElement) : null;
  // Read again only when opened or when the live status reports a newer takeover.
  if (shown !== null && last === seenTakeover) return;
  seenTakeover = last;
  const root = shown ?? h('section', { id: ROOT_ID }, h('h1', {}, 'Takeovers'), 'Loading…');
  if (shown === null) fill(main, root);
  load(root, ctx);
}
