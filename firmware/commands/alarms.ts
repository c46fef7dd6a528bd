// Alarms and the event log: list and acknowledge alarms, query events.
// Acknowledging changes the alarm's record, so it needs an operator.
import { MAX_TEXT_FILTER } from '../events/query.ts';
import { SEVERITIES, type EventQuery } from '../events/types.ts';
import { argObject, integerArg, oneOfArg, Optional, patternArg } from './args.ts';
import type { CommandContext } from './context.ts';
import { defineCommand, fail, ok } from './define.ts';

/** A bare node handler has no event log or alarms; the operator surfaces add them. */
const missing = (command: string) =>
  fail(`command ${command}: no event log, alarms or config on this handler`);

/** The latest date JavaScript can represent, in epoch ms. */
const MAX_EPOCH_MS = 8_640_000_000_000_000;

export const alarmCommands = [
  defineCommand({
    name: 'alarms',
    summary: 'active alarms (the parts of each under it)',
    role: 'viewer',
    args: argObject({}),
    cli: { words: ['alarms'] },
    run: (ctx) => (ctx.alarms === undefined ? missing('alarms') : ok({ alarms: ctx.alarms.active() })),
  }),
  defineCommand({
    name: 'alarm-ack',
    summary: 'acknowledge an alarm',
    role: 'operator',
    args: argObject({
      id: integerArg(1, Number.MAX_SAFE_INTEGER, 'the alarm id that alarms lists'),
      by: Optional(
        patternArg(
          '^\\S.{0,63}$',
          64,
          'a name of at most 64 characters',
          'who acknowledges (default: the channel)',
        ),
      ),
    }),
    cli: {
      words: ['alarms', 'ack'],
      positionals: [{ arg: 'id', metavar: 'ID' }],
      flags: [{ arg: 'by', flag: '--by', metavar: 'NAME' }],
    },
    run: (ctx: CommandContext, args) => {
      if (ctx.alarms === undefined) return missing('alarm-ack');
      const r = ctx.alarms.acknowledge(args.id, args.by ?? ctx.defaultActor ?? 'operator');
      return r.ok ? ok({ alarm: r.value }) : fail(r.error);
    },
  }),
  defineCommand({
    name: 'log',
    summary: 'events, newest first',
    role: 'viewer',
    args: argObject({
      since: Optional(integerArg(0, MAX_EPOCH_MS, 'only events from then on, in epoch ms')),
      until: Optional(integerArg(0, MAX_EPOCH_MS, 'only events before then (exclusive), in epoch ms')),
      severity: Optional(oneOfArg(SEVERITIES, 'the minimum severity')),
      source: Optional(
        patternArg(
          '^[A-Za-z0-9_:.*-]{1,64}$',
          64,
          'a source name or prefix (letters, digits, _ : . * -)',
          "only this source, or a prefix ending in ':' or '*' (resource:*)",
        ),
      ),
      // Printable text only: it is matched against messages, never spliced into SQL (events/query.ts).
      text: Optional(
        patternArg(
          `^[^\\u0000-\\u001f\\u007f]{1,${MAX_TEXT_FILTER}}$`,
          MAX_TEXT_FILTER,
          `text of 1 to ${MAX_TEXT_FILTER} printable characters`,
          'only events whose message contains this (case-insensitive)',
        ),
      ),
      limit: Optional(integerArg(1, 10_000, 'at most this many events (default 100)')),
      // No spelling of its own: tandemctl log --follow sends it, polling.
      afterId: Optional(
        integerArg(
          0,
          Number.MAX_SAFE_INTEGER,
          'only events with a greater id (a cursor: over the limit, the oldest of them are kept)',
        ),
      ),
      // The web panel's Older page: the newest `limit` events before the oldest it shows.
      beforeId: Optional(
        integerArg(1, Number.MAX_SAFE_INTEGER, 'only events with a smaller id (the page before a cursor)'),
      ),
    }),
    cli: {
      words: ['log'],
      flags: [
        { arg: 'since', flag: '--since', metavar: 'TIME', convert: 'time' },
        { arg: 'until', flag: '--until', metavar: 'TIME', convert: 'time' },
        { arg: 'severity', flag: '--severity', metavar: 'SEV' },
        { arg: 'source', flag: '--source', metavar: 'SRC' },
        { arg: 'text', flag: '--text', metavar: 'TEXT' },
        { arg: 'limit', flag: '--limit', metavar: 'N' },
      ],
    },
    run: (ctx, args) => {
      if (ctx.events === undefined) return missing('log');
      const q: EventQuery = {};
      if (args.since !== undefined) q.fromTs = args.since;
      if (args.until !== undefined) q.toTs = args.until;
      if (args.text !== undefined) q.text = args.text;
      if (args.beforeId !== undefined) q.beforeId = args.beforeId;
      if (args.severity !== undefined) q.minSeverity = args.severity;
      if (args.source !== undefined) q.source = args.source;
      if (args.limit !== undefined) q.limit = args.limit;
      if (args.afterId !== undefined) q.afterId = args.afterId;
      return ok({ events: ctx.events.query(q) });
    },
  }),
];
