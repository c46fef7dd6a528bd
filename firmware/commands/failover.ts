// The failover commands: groups, switchover, failback, takeover, maintenance,
// cleanup. The state machine's table decides whether an operator command is
// allowed here and now; the reply says what it decided (the transition, or
// why it refused), so an operator never has to guess from the log. Whether a
// group exists or runs here depends on the moment, so it is checked here, not
// by the argument schema.
import type { CommandName } from '../core/envelope.ts';
import { argObject, booleanArg, groupArg, Optional } from './args.ts';
import type { CommandContext, FailoverOps, OperatorOp, TransitionView } from './context.ts';
import { defineCommand, fail, ok, type Outcome } from './define.ts';

/** The failover host, or the refusal of a node that runs none (a monitor-only daemon). */
export function withFailover(
  ctx: CommandContext,
  command: CommandName,
  then: (host: FailoverOps) => Outcome | Promise<Outcome>,
): Outcome | Promise<Outcome> {
  const host = ctx.host();
  if (host === undefined) return fail(`command ${command}: this node runs no failover core`);
  return then(host);
}

/** null for a configured group; else a refusal that lists the configured ones. */
function configured(host: FailoverOps, group: string): string | null {
  const names = host.groupStatus().map((g) => g.name);
  if (names.includes(group)) return null;
  const known = names.length === 0 ? 'no group is configured' : `configured: ${names.join(', ')}`;
  return `group: ${JSON.stringify(group.slice(0, 64))} is not a configured group (${known})`;
}

/**
 * Why a group that does not run here cannot be moved from here, and what
 * to do: the controller that runs it (as its heartbeat says) is where the
 * command belongs.
 */
function heldElsewhere(
  ctx: CommandContext,
  host: FailoverOps,
  command: 'switchover' | 'failback',
  group: string,
): string {
  const self = ctx.status.current().controller;
  const owner = host.groupStatus().find((g) => g.name === group)?.owner ?? null;
  if (owner !== null && owner !== self)
    return `group: ${group} runs on controller ${owner}, not on ${self}; run "${command} ${group}" on ${owner}`;
  const verb = command === 'switchover' ? 'switch over' : 'fail back';
  return `group: ${group} runs on no controller now: nothing to ${verb} (see groups and log for why)`;
}

/** Dispatch synchronously: the first transition record the command produced, if the machine runs. */
function transitionOf(
  host: FailoverOps,
  op: OperatorOp,
  groups?: readonly string[],
): TransitionView | undefined {
  let seen: TransitionView | undefined;
  const unsubscribe = host.failover.onTransition((r) => {
    seen ??= r;
  });
  try {
    host.failover.command(op, groups);
  } finally {
    unsubscribe();
  }
  return seen;
}

const notRunning = (op: OperatorOp): Outcome => fail(`${op}: the failover core is not running`);

/** Dispatch synchronously and report the cell the table chose for it. */
function operate(host: FailoverOps, op: OperatorOp, groups?: readonly string[]): Outcome {
  const seen = transitionOf(host, op, groups);
  if (seen === undefined) return notRunning(op);
  if (seen.outcome !== 'go') return fail(`${op} refused in state ${seen.from}: ${seen.text}`);
  return ok({ from: seen.from, to: seen.to, actions: [...seen.actions], text: seen.text });
}

/** switchover and failback: a configured group that runs here (the failover drill's moves too). */
export function moveHeld(ctx: CommandContext, command: 'switchover' | 'failback', group: string) {
  return withFailover(ctx, command, (host) => {
    const unknown = configured(host, group);
    if (unknown !== null) return fail(unknown);
    if (!host.heldGroups().includes(group)) return fail(heldElsewhere(ctx, host, command, group));
    return operate(host, command, [group]);
  });
}

/**
 * Maintenance is the box's: the reply says what the box is in now. Off
 * clears the box even on a controller that was not itself in maintenance
 * (it was busy while the peer set it), so one command always ends it.
 */
function maintenance(host: FailoverOps, on: boolean): Outcome {
  const op = on ? 'maintenance-on' : 'maintenance-off';
  const before = host.failover.status().maintenance;
  const seen = transitionOf(host, op);
  if (seen === undefined) return notRunning(op);
  const after = host.failover.status().maintenance;
  const box = after.on
    ? 'the box is in maintenance; the peer follows within a heartbeat'
    : 'the box is out of maintenance';
  if (seen.outcome === 'go')
    return ok({ from: seen.from, to: seen.to, actions: [...seen.actions], text: seen.text, box });
  const here = `this controller, in state ${seen.from}: ${seen.text}`;
  if (after.epoch !== before.epoch) return ok({ box, text: `${box} (${here})` });
  // Asking for what the box already is does nothing and is no error.
  if (before.on === on) return ok({ box, text: `nothing to do: ${box}` });
  return fail(`${op} refused in state ${seen.from}: ${seen.text}`);
}

export const failoverCommands = [
  defineCommand({
    name: 'groups',
    summary: 'resource groups and who runs them',
    role: 'viewer',
    args: argObject({}),
    cli: { words: ['groups'] },
    run: (ctx) => withFailover(ctx, 'groups', (host) => ok({ groups: host.groupStatus() })),
  }),
  defineCommand({
    name: 'switchover',
    summary: 'move the group to the other controller',
    role: 'operator',
    args: argObject({ group: groupArg('the group to move; it must run on this controller') }),
    cli: { words: ['switchover'], positionals: [{ arg: 'group', metavar: 'GROUP' }] },
    run: (ctx, args) => moveHeld(ctx, 'switchover', args.group),
  }),
  defineCommand({
    name: 'failback',
    summary: 'move the group back to its preferred controller',
    role: 'operator',
    args: argObject({ group: groupArg('the group to move home; it must run on this controller') }),
    cli: { words: ['failback'], positionals: [{ arg: 'group', metavar: 'GROUP' }] },
    run: (ctx, args) => moveHeld(ctx, 'failback', args.group),
  }),
  defineCommand({
    name: 'takeover',
    summary: 'take over all groups now (only if the peer is confirmed down)',
    role: 'operator',
    args: argObject({
      force: Optional(
        booleanArg('confirms the forced takeover (no lease wait, the peer is fenced); false is refused'),
      ),
    }),
    cli: { words: ['takeover'], flags: [{ arg: 'force', flag: '--force' }] },
    run: (ctx, args) =>
      withFailover(ctx, 'takeover', (host) =>
        // The table has only the forced takeover (guarded: the peer must be
        // confirmed down). An explicit force false must not end up there.
        args.force === false
          ? fail('force: false asks for an unforced takeover, which does not exist; nothing done')
          : operate(host, 'forced-takeover'),
      ),
  }),
  defineCommand({
    name: 'maintenance',
    summary: 'disable (on) or enable (off) automatic failover',
    role: 'operator',
    args: argObject({
      on: booleanArg('on (true): no automatic failover, resources left running; off (false): back to normal'),
    }),
    cli: {
      words: ['maintenance'],
      positionals: [{ arg: 'on', metavar: 'on|off', choices: { on: true, off: false } }],
    },
    run: (ctx, args) => withFailover(ctx, 'maintenance', (host) => maintenance(host, args.on)),
  }),
  defineCommand({
    name: 'cleanup',
    summary: 'forget that the group (default: every group) failed here; restart it here if left failed',
    role: 'operator',
    args: argObject({ group: Optional(groupArg('the group to clean up; without it, every group')) }),
    cli: { words: ['cleanup'], positionals: [{ arg: 'group', metavar: 'GROUP', optional: true }] },
    run: (ctx, args) =>
      withFailover(ctx, 'cleanup', async (host) => {
        if (args.group === undefined) return ok(await host.cleanup());
        const unknown = configured(host, args.group);
        if (unknown !== null) return fail(unknown);
        return ok(await host.cleanup([args.group]));
      }),
  }),
];
