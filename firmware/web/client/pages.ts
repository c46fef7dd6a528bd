// The pages under the navigation bar, in its order. A page draws itself
// into <main> from the live status and whatever it fetches; it is drawn
// again on every live update while shown.
import { renderAlarms } from './alarms.ts';
import { renderConfig } from './config.ts';
import { renderEvents } from './events.ts';
import { renderGroups } from './groups.ts';
import { renderOverview } from './overview.ts';
import { renderTakeovers } from './takeovers.ts';
import { renderUsers } from './users.ts';
import { renderCertificate } from './certificate.ts';
import type { Page } from './page.ts';

const waiting = (main: HTMLElement): void => {
  main.replaceChildren('Waiting for the status…');
};

export const PAGES: readonly Page[] = [
  {
    id: 'overview',
    title: 'Overview',
    visible: () => true,
    render: (main, ctx) => (ctx.status === null ? waiting(main) : renderOverview(main, ctx.status)),
  },
  {
    id: 'groups',
    title: 'Groups',
    visible: () => true,
    render: (main, ctx) => (ctx.status === null ? waiting(main) : renderGroups(main, ctx)),
  },
  // The pages below read what they show with commands; each draws itself
  // once when opened and decides itself whether a live update needs a redraw.
  { id: 'alarms', title: 'Alarms', visible: (ctx) => ctx.can('alarms'), render: renderAlarms },
  { id: 'events', title: 'Events', visible: (ctx) => ctx.can('log'), render: renderEvents },
  { id: 'takeovers', title: 'Takeovers', visible: (ctx) => ctx.can('takeovers'), render: renderTakeovers },
  // Admins edit; any role that may read the config sees it read-only.
  { id: 'config', title: 'Config', visible: (ctx) => ctx.can('config-show'), render: renderConfig },
  { id: 'users', title: 'Users', visible: (ctx) => ctx.can('user-add'), render: renderUsers },
  {
    id: 'certificate',
    title: 'Certificate',
    visible: (ctx) => ctx.session.role === 'admin',
    render: renderCertificate,
  },
];
