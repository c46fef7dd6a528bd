// takeovers: the history of takeovers, switchovers and failbacks this
// controller's event log holds, newest first, with the phases of each
// (status/takeover-phases.ts). Read-only, so a viewer may ask.
import type { LoggedEvent } from '../events/types.ts';
import { HISTORY_CODES, takeoverHistory } from '../status/takeover-phases.ts';
import { argObject, integerArg, Optional } from './args.ts';
import { defineCommand, fail, ok } from './define.ts';

/** Rows read per code: the newest, enough for 50 records with their edges, bounded per request. */
const ROWS_PER_CODE = 2000;

export const takeoverCommands = [
  defineCommand({
    name: 'takeovers',
    summary: 'takeovers, switchovers and failbacks in this controller’s event log, newest first, with phases',
    role: 'viewer',
    args: argObject({ limit: Optional(integerArg(1, 50, 'at most this many (default 50)')) }),
    cli: { words: ['takeovers'], flags: [{ arg: 'limit', flag: '--limit', metavar: 'N' }] },
    run: (ctx, args) => {
      const log = ctx.events;
      if (log === undefined) return fail('command takeovers: no event log on this handler');
      const rows: LoggedEvent[] = HISTORY_CODES.flatMap((code) => log.query({ code, limit: ROWS_PER_CODE }));
      return ok({ takeovers: takeoverHistory(rows, ctx.status.current().controller, args.limit ?? 50) });
    },
  }),
];
