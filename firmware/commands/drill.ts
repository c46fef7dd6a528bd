// The failover drill's commands (firmware/drill, docs/drill.md): `drill`
// runs it on the live pair from any controller (an operator's, as a
// switchover is), `drill status` follows it and shows the last report.
// `drill-peer` is what the drill on one controller asks of the other over
// the peer channel; no operator channel runs it.
import { HEARTBEAT_PATHS } from '../cluster/heartbeat-paths.ts';
import { argObject, groupArg, integerArg, oneOfArg, Optional, patternArg } from './args.ts';
import type { CommandContext, DrillOps, PeerDrillOp } from './context.ts';
import { defineCommand, fail, ok, type Outcome } from './define.ts';
import { moveHeld } from './failover.ts';
import { statusReport } from './status.ts';

function withDrill(ctx: CommandContext, fn: (d: DrillOps) => Outcome | Promise<Outcome>) {
  return ctx.drill === undefined ? fail('this node runs no failover core: nothing to drill') : fn(ctx.drill);
}

/** The longest watch of a muted path: half the largest deadtime the config allows, and room around it. */
const MAX_WATCH_MS = 120_000;

export const drillCommands = [
  defineCommand({
    name: 'drill',
    summary:
      'failover drill on the live pair: preflight, switchover and failback of each group, a database kill, each heartbeat path muted; a report compared with the last drill',
    role: 'operator',
    args: argObject({}),
    cli: { words: ['drill'] },
    run: (ctx) =>
      withDrill(ctx, (d) => {
        const log = ctx.events;
        if (log === undefined) return fail('drill: no event log on this handler to time the drill with');
        return d.begin({
          actor: ctx.onBehalf?.user ?? ctx.defaultActor ?? 'operator',
          log,
          here: statusReport(ctx),
          move: (kind, group) => moveHeld(ctx, kind, group),
        });
      }),
  }),
  defineCommand({
    name: 'drill-status',
    summary: "the drill under way (its steps so far), and the last drill's report",
    role: 'viewer',
    args: argObject({}),
    cli: { words: ['drill', 'status'] },
    run: (ctx) => withDrill(ctx, async (d) => ok(await d.status())),
  }),
  defineCommand({
    name: 'drill-peer',
    summary: "the peer's drill asks this controller: its log mark, a step's timing, a kill, a watch, a move",
    role: 'admin',
    peer: true,
    args: argObject({
      op: oneOfArg(['mark', 'timing', 'crash', 'watch', 'handover'] as const, 'what is asked'),
      timing: Optional(oneOfArg(['stop', 'start', 'restart'] as const, 'timing: of which step')),
      move: Optional(oneOfArg(['switchover', 'failback'] as const, 'handover: which command')),
      group: Optional(groupArg('the group of the step')),
      resource: Optional(
        patternArg('^([a-z0-9][a-z0-9_-]{0,31})?$', 32, 'a resource name', 'timing: the resource (restart)'),
      ),
      afterId: Optional(integerArg(0, Number.MAX_SAFE_INTEGER, 'timing: read events after this id')),
      path: Optional(oneOfArg(HEARTBEAT_PATHS, 'watch: the heartbeat path')),
      ms: Optional(integerArg(1, MAX_WATCH_MS, 'watch: for how long')),
    }),
    // Spelled for completeness (the registry spells every argument); refused unless from the peer.
    cli: {
      words: ['drill', 'peer'],
      positionals: [{ arg: 'op', metavar: 'OP' }],
      flags: [
        { arg: 'timing', flag: '--timing', metavar: 'KIND' },
        { arg: 'move', flag: '--move', metavar: 'KIND' },
        { arg: 'group', flag: '--group', metavar: 'GROUP' },
        { arg: 'resource', flag: '--resource', metavar: 'NAME' },
        { arg: 'afterId', flag: '--after-id', metavar: 'ID' },
        { arg: 'path', flag: '--path', metavar: 'PATH' },
        { arg: 'ms', flag: '--ms', metavar: 'MS' },
      ],
    },
    run: (ctx, args) => {
      // Only the peer channel's principal: an operator runs `drill`.
      if (ctx.onBehalf?.address !== 'peer') return fail('drill-peer is sent by the peer controller only');
      const need = (what: string): Outcome => fail(`${args.op} needs ${what}`);
      switch (args.op) {
        case 'handover':
          if (args.move === undefined || args.group === undefined) return need('move and group');
          return moveHeld(ctx, args.move, args.group);
        case 'mark':
          return withDrill(ctx, (d) => d.peerOp({ op: 'mark' }, ctx.events));
        case 'timing': {
          if (args.timing === undefined || args.group === undefined || args.afterId === undefined)
            return need('timing, group and afterId');
          const op: PeerDrillOp = {
            op: 'timing',
            timing: args.timing,
            group: args.group,
            resource: args.resource ?? '',
            afterId: args.afterId,
          };
          return withDrill(ctx, (d) => d.peerOp(op, ctx.events));
        }
        case 'crash': {
          const group = args.group;
          if (group === undefined) return need('group');
          return withDrill(ctx, (d) => d.peerOp({ op: 'crash', group }, ctx.events));
        }
        case 'watch': {
          const { path, ms } = args;
          if (path === undefined || ms === undefined) return need('path and ms');
          return withDrill(ctx, (d) => d.peerOp({ op: 'watch', path, ms }, ctx.events));
        }
      }
    },
  }),
];
