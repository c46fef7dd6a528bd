// What every page gets and what it is: the session, the live status, a way
// to say something at the top, and whether the role may run a command.
import type { LiveStatus } from '../live.ts';
import type { SessionView } from './api.ts';

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
