// The pages under the navigation bar, in its order. A page draws itself
// into <main> from the live status and whatever it fetches; it is drawn
// again on every live update while shown.
import type { LiveStatus } from '../live.ts';
import type { SessionView } from './api.ts';
import { renderGroups } from './groups.ts';
import { renderOverview } from './overview.ts';

export interface PageContext {
  readonly session: SessionView;
  readonly status: LiveStatus | null;
  /** A message at the top of the page. */
  readonly say: (text: string, cls?: string) => void;
  /** Whether the session's role may run this command. */
  readonly can: (command: string) => boolean;
}

export interface Page {
  readonly id: string;
  readonly title: string;
  visible(ctx: PageContext): boolean;
  render(main: HTMLElement, ctx: PageContext): void;
}

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
];
