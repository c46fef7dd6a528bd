// Groups: each group and its resources with state and fail counts, and the
// operator's actions, each behind a confirmation that names its effect.
// Switchover and failback run on the controller that runs the group (the
// daemon refuses them elsewhere), so the page offers them only there.
import { run } from './api.ts';
import { fill, h } from './dom.ts';
import { drillSection } from './drill.ts';
import type { PageContext } from './page.ts';

interface Resource {
  readonly name: string;
  readonly type: string;
  readonly health: string;
  readonly failCount: number;
}

function act(ctx: PageContext, command: string, args: Record<string, unknown>, effect: string): void {
  if (!window.confirm(effect)) return;
  run(command, args)
    .then(() => ctx.say(`${command} accepted: ${effect}`, 'ok'))
    .catch((err: unknown) => ctx.say(`${command} refused: ${(err as Error).message}`, 'bad'));
}

export function renderGroups(main: HTMLElement, ctx: PageContext): void {
  const s = ctx.status!;
  const r = s.report;
  if (r === null) return fill(main, h('h1', {}, 'Groups'), h('p', {}, 'No status yet.'));
  const here = r.controller;
  const rows = r.groups.map((g) => {
    const resources = ((g as { resources?: readonly Resource[] }).resources ?? []).map((x) =>
      h(
        'li',
        { class: x.health === 'failed' ? 'bad' : x.health === 'ok' ? 'ok' : '' },
        `${x.name} (${x.type}): ${x.health}, ${x.failCount} failure(s)`,
      ),
    );
    const other = r.peer.id;
    const buttons = [
      ctx.can('switchover') && g.owner === here
        ? h(
            'button',
            {
              class: 'switchover',
              'data-group': g.name,
              onclick: () =>
                act(
                  ctx,
                  'switchover',
                  { group: g.name },
                  `Stop ${g.name} on ${here} and start it on ${other}: its clients see a short outage.`,
                ),
            },
            'Switch over',
          )
        : null,
      ctx.can('failback') && g.owner === here && g.preferred !== here
        ? h(
            'button',
            {
              onclick: () =>
                act(
                  ctx,
                  'failback',
                  { group: g.name },
                  `Move ${g.name} home to ${g.preferred}: its clients see a short outage.`,
                ),
            },
            'Fail back',
          )
        : null,
      ctx.can('cleanup') && (g.state === 'failed' || g.failedOn.length > 0)
        ? h(
            'button',
            {
              onclick: () =>
                act(
                  ctx,
                  'cleanup',
                  { group: g.name },
                  `Forget ${g.name}'s failures on ${here} so it may run here again.`,
                ),
            },
            'Clean up',
          )
        : null,
    ];
    const note =
      ctx.can('switchover') && g.owner !== null && g.owner !== here
        ? `Runs on ${g.owner}: move it from ${g.owner}'s web panel.`
        : '';
    return h(
      'tr',
      { 'data-group': g.name, 'data-owner': g.owner ?? '' },
      h('td', {}, g.name),
      h('td', { class: 'owner' }, g.owner ?? 'nowhere'),
      h('td', {}, g.state),
      h('td', {}, g.preferred),
      h('td', {}, g.failedOn.join(', ') || '—'),
      h('td', {}, h('ul', {}, ...resources)),
      h('td', {}, ...buttons, note),
    );
  });
  const maintenance = ctx.can('maintenance')
    ? h(
        'button',
        {
          id: 'maintenance',
          onclick: () =>
            act(
              ctx,
              'maintenance',
              { on: !r.maintenance },
              r.maintenance
                ? 'Turn automatic failover back on.'
                : 'Turn automatic failover off for the box: a failure will not be taken over until maintenance ends.',
            ),
        },
        r.maintenance ? 'End maintenance' : 'Start maintenance',
      )
    : null;
  fill(
    main,
    h('h1', {}, 'Groups'),
    h(
      'table',
      { id: 'groups' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['Group', 'Runs on', 'State', 'Home', 'Failed on', 'Resources', 'Actions'].map((t) =>
            h('th', {}, t),
          ),
        ),
      ),
      h('tbody', {}, ...rows),
    ),
    maintenance,
    drillSection(ctx),
  );
}
