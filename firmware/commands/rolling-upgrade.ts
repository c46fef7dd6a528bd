// The rolling upgrade's commands (firmware/upgrade, docs/upgrade.md):
// `tandemctl upgrade BUNDLE` starts it from any controller, `upgrade status`
// shows the plan and this controller's slots, `abort`, `resume`, and
// `rollback` (one controller at a time, the one holding no group).
// `upgrade-peer` is what one controller's firmware asks of the other's over
// the peer channel; no operator channel runs it.
import { argObject, booleanArg, oneOfArg, Optional, patternArg, textArg } from './args.ts';
import type { CommandContext, UpgradeOps } from './context.ts';
import { defineCommand, fail, type Outcome } from './define.ts';
import { parseBoundedJson } from '../core/bounded-json.ts';

const BUNDLE_PATTERN = '^(https?://|/)[^\\s]*$';
const PLAN_BYTES = 16_000;

function actor(ctx: CommandContext): string {
  return ctx.onBehalf?.user ?? ctx.defaultActor ?? 'operator';
}

/** Runs `fn` with this controller's upgrade, or refuses where there is none. */
function withUpgrade(
  ctx: CommandContext,
  fn: (u: UpgradeOps) => Outcome | Promise<Outcome>,
): Outcome | Promise<Outcome> {
  return ctx.upgrade === undefined
    ? fail('upgrades are not available on this controller (no boot slots)')
    : fn(ctx.upgrade);
}

export const rollingUpgradeCommands = [
  defineCommand({
    name: 'upgrade',
    summary:
      'rolling upgrade of both controllers with a signed bundle: standby first, switch over, then the other',
    role: 'admin',
    args: argObject({
      bundle: patternArg(BUNDLE_PATTERN, 1024, 'an http(s) URL or an absolute path', 'the RAUC bundle'),
      failback: Optional(booleanArg('move the groups back to their preferred controller at the end')),
    }),
    cli: {
      words: ['upgrade'],
      positionals: [{ arg: 'bundle', metavar: 'BUNDLE' }],
      flags: [{ arg: 'failback', flag: '--failback' }],
    },
    run: (ctx, args) => {
      return withUpgrade(ctx, (u) => u.begin(args.bundle, args.failback ?? false));
    },
  }),
  defineCommand({
    name: 'upgrade-status',
    summary: "the rolling upgrade's plan and step, and this controller's boot slots",
    role: 'viewer',
    // The peer's rolling upgrade polls it (read-only, so not audited each time).
    peer: true,
    args: argObject({}),
    cli: { words: ['upgrade', 'status'] },
    run: (ctx) => withUpgrade(ctx, async (u) => ({ ok: true, data: await u.status() })),
  }),
  defineCommand({
    name: 'upgrade-abort',
    summary: 'stop the rolling upgrade after the step running now (an install under way finishes)',
    role: 'admin',
    args: argObject({}),
    cli: { words: ['upgrade', 'abort'] },
    run: (ctx) => {
      return withUpgrade(ctx, (u) => u.abort(actor(ctx)));
    },
  }),
  defineCommand({
    name: 'upgrade-resume',
    summary: 'carry on with a rolling upgrade that stopped, from where the controllers stand',
    role: 'admin',
    args: argObject({}),
    cli: { words: ['upgrade', 'resume'] },
    run: (ctx) => {
      return withUpgrade(ctx, (u) => u.resume(actor(ctx)));
    },
  }),
  defineCommand({
    name: 'upgrade-rollback',
    summary:
      'boot this controller from its other slot again (the old firmware); refused while it holds groups',
    role: 'admin',
    args: argObject({}),
    cli: { words: ['upgrade', 'rollback'] },
    run: (ctx) => withUpgrade(ctx, (u) => u.rollback((ctx.host()?.heldGroups().length ?? 0) > 0)),
  }),
  defineCommand({
    name: 'upgrade-peer',
    summary: "the peer's firmware asks this controller's upgrade agent: status, fetch, install, plan",
    role: 'admin',
    peer: true,
    args: argObject({
      op: oneOfArg(['status', 'fetch', 'install', 'plan'] as const, 'what is asked'),
      bundle: Optional(
        patternArg(BUNDLE_PATTERN, 1024, 'an http(s) URL or an absolute path', 'the RAUC bundle'),
      ),
      plan: Optional(textArg(PLAN_BYTES, 'the plan, as JSON text')),
    }),
    // Spelled for completeness (the registry spells every argument); refused unless from the peer.
    cli: {
      words: ['upgrade', 'peer'],
      positionals: [{ arg: 'op', metavar: 'OP' }],
      flags: [
        { arg: 'bundle', flag: '--bundle', metavar: 'BUNDLE' },
        { arg: 'plan', flag: '--plan', metavar: 'JSON' },
      ],
    },
    run: (ctx, args) => {
      // Only the peer channel's principal: an operator drives the upgrade with the commands above.
      if (ctx.onBehalf?.address !== 'peer') return fail('upgrade-peer is sent by the peer controller only');
      return withUpgrade(ctx, (u) => {
        switch (args.op) {
          case 'status':
          case 'install':
            return u.peerOp({ op: args.op });
          case 'fetch':
            return args.bundle === undefined
              ? fail('fetch needs bundle')
              : u.peerOp({ op: 'fetch', bundle: args.bundle });
          case 'plan': {
            if (args.plan === undefined) return fail('plan needs plan');
            const parsed = parseBoundedJson(args.plan, { bytes: PLAN_BYTES, depth: 4, entries: 64 }, 'plan');
            return parsed.ok ? u.peerOp({ op: 'plan', plan: parsed.value }) : fail(parsed.error);
          }
        }
      });
    },
  }),
];
