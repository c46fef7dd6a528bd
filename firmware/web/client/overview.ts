// The overview: a drawing of the box as the serving controller sees it.
// Both controllers with their state, the heartbeat paths between them
// coloured by state, the shared disk and who holds it, each group under the
// controller that runs it, and a banner that says whether a takeover is
// possible now and, if not, every reason.
import type { LiveStatus } from '../live.ts';
import { duration, fill, h, svg, time } from './dom.ts';
import { upgradeView } from './upgrade-view.ts';

type Report = NonNullable<LiveStatus['report']>;
type Group = Report['groups'][number] & {
  resources?: readonly { name: string; type: string; health: string; failCount: number }[];
};

const PATH_COLOUR: Readonly<Record<string, string>> = { up: 'ok', late: 'warn', down: 'bad', init: 'idle' };

function controllerBox(x: number, id: string, state: string, note: string, here: boolean): SVGElement {
  const cls =
    state === 'active'
      ? 'ok'
      : state === 'standby'
        ? 'idle'
        : state === 'unknown' || state === 'down'
          ? 'bad'
          : 'warn';
  return svg(
    'g',
    { class: `ctl ${cls}`, 'data-controller': id, 'data-state': state },
    svg('rect', { x, y: 20, width: 220, height: 130, rx: 8 }),
    svg('text', { x: x + 12, y: 48, class: 'ctl-name' }, `Controller ${id}`),
    svg('text', { x: x + 12, y: 78, class: 'ctl-state' }, state),
    svg('text', { x: x + 12, y: 104, class: 'ctl-note' }, note),
    here ? svg('text', { x: x + 12, y: 130, class: 'ctl-note' }, 'serves this page') : null,
  );
}

function drawing(s: LiveStatus, r: Report): SVGElement {
  const self = r.controller;
  const peer = r.peer.id;
  const left = self < peer ? self : peer;
  const xOf = (c: string): number => (c === left ? 20 : 520);
  const daemonDown = s.daemon === 'offline';
  const selfState = daemonDown ? 'down' : r.state;
  const peerState = r.peer.state === 'dead' ? 'down' : (r.peer.peerState ?? 'unknown');
  const paths = r.peer.paths;
  const lines = paths.map((p, i) => {
    const y = 40 + i * 24;
    const state = daemonDown ? 'unknown' : p.state;
    return svg(
      'g',
      { class: `path ${PATH_COLOUR[state] ?? 'idle'}`, 'data-path': p.path, 'data-state': state },
      svg('line', { x1: 240, y1: y, x2: 520, y2: y }),
      svg(
        'text',
        { x: 380, y: y - 5, 'text-anchor': 'middle' },
        `${p.path}: ${state}${p.oneWay ? ' (one way)' : ''}`,
      ),
    );
  });
  const holders = [...new Set(r.groups.filter((g) => g.owner !== null).map((g) => g.owner))];
  const diskText =
    holders.length === 0 ? 'shared disk: no holder' : `shared disk: reserved by ${holders.join(', ')}`;
  const groups = (r.groups as readonly Group[]).map((g, i) => {
    const x = g.owner === null ? 270 : xOf(g.owner);
    return svg(
      'text',
      {
        x: x + 10,
        y: 255 + i * 20,
        class: `group ${g.state === 'running' ? 'ok' : g.state === 'failed' ? 'bad' : 'warn'}`,
        'data-group': g.name,
      },
      `${g.name}: ${g.state}${g.owner !== null ? ` on ${g.owner}` : ''}`,
    );
  });
  return svg(
    'svg',
    { viewBox: `0 0 760 ${260 + r.groups.length * 20}`, class: 'box', role: 'img', 'aria-label': 'the box' },
    controllerBox(
      xOf(self),
      self,
      selfState,
      daemonDown ? 'firmware down' : r.diskAccess ? 'disk path ok' : 'no disk path',
      true,
    ),
    controllerBox(
      xOf(peer),
      peer,
      peerState,
      `peer ${r.peer.state}${r.peer.diskAccess === false ? ', no disk path' : ''}`,
      false,
    ),
    ...lines,
    svg(
      'g',
      { class: 'disk' },
      svg('rect', { x: 230, y: 170, width: 300, height: 50, rx: 6 }),
      svg('text', { x: 380, y: 200, 'text-anchor': 'middle' }, diskText),
    ),
    ...groups,
  );
}

function banner(r: Report): HTMLElement {
  const items = r.takeover.map((t) =>
    t.possible
      ? h('li', { class: 'ok' }, `${t.by} can take over from ${t.from} now.`)
      : h('li', { class: 'bad' }, `${t.by} cannot take over from ${t.from}: `, t.why.join('; ')),
  );
  return h('ul', { class: 'takeover-banner', id: 'takeover-banner' }, ...items);
}

/** The rolling upgrade: title, step, a <progress> of the whole plan, versions, details; null (hidden) when none. */
function upgradeSection(r: Report): HTMLElement | null {
  const v = upgradeView(r.upgrade);
  if (v === null) return null;
  return h(
    'section',
    { class: `upgrade ${v.tone}`, id: 'upgrade', 'data-phase': v.phase },
    h('h2', {}, v.title),
    h('p', { class: 'upgrade-step' }, v.stepText),
    v.percent !== null
      ? h('progress', { max: 100, value: v.percent, 'aria-label': 'upgrade progress' }, `${v.percent} %`)
      : null,
    h('p', {}, `${v.versions} · ${v.order}`),
    v.detail.length > 0 ? h('ul', { class: 'upgrade-detail' }, ...v.detail.map((d) => h('li', {}, d))) : null,
  );
}

export function renderOverview(main: HTMLElement, s: LiveStatus): void {
  const r = s.report;
  if (r === null) {
    fill(
      main,
      h('h1', {}, 'Overview'),
      h('p', { class: 'warn' }, `No status from controller ${s.controller}'s firmware yet.`),
    );
    return;
  }
  const last = r.lastTakeover;
  fill(
    main,
    h('h1', {}, `Box ${r.boxId}`),
    s.daemon === 'offline'
      ? h(
          'p',
          { class: 'bad', id: 'daemon-down' },
          `The firmware on controller ${s.controller} is down; what follows is what it last reported.`,
        )
      : null,
    !s.broker.connected
      ? h('p', { class: 'bad' }, `Status unavailable since ${time(s.broker.since)}.`)
      : null,
    banner(r),
    upgradeSection(r),
    drawing(s, r),
    h(
      'p',
      {},
      `Firmware ${r.firmwareVersion} · config version ${r.configVersion} · ${r.activeAlarms} active alarm(s)`,
      r.maintenance ? ' · maintenance: automatic failover is off' : '',
    ),
    last !== null
      ? h(
          'p',
          {},
          `Last takeover by ${last.by} at ${time(last.at)}: ${last.reason}`,
          last.phases ? ` (${last.phases.map((p) => `${p.name} ${duration(p.ms)}`).join(', ')})` : '',
        )
      : null,
  );
}
