// The rolling upgrade's commands (firmware/upgrade, docs/upgrade.md):
// `tandemctl upgrade BUNDLE` starts it from any controller, `upgrade status`
// shows the plan and this controller's slots, `abort`, `resume`, and
// `rollback` (one controller at a time, the one holding no group).
// `upgrade-peer` is what one controller's firmware asks of the other's over
// the peer channel; no operator channel runs it.
import { argObject, booleanArg, oneOfArg, Optional, patternArg, textArg } from './args.ts';
import type { CommandContext } from './context.ts';
import { defineCommand, fail, type Outcome } from './define.ts';
import { parseBoundedJson } from '../core/bounded-json.ts';

const BUNDLE_PATTERN = '^(https?://|/)[^\\s]*$';
const PLAN_BYTES = 16_000;

function actor(ctx: CommandContext): string {
  return ctx.onBehalf?.user ?? ctx.defaultActor ?? 'operator';
}

function needUpgrade(ctx: CommandContext): NonNullable<CommandContext['upgrade']> | Outcome {
  return ctx.upgrade ?? fail('upgrades are not available on this controller (no boot slots)');
}

function isOutcome(v: unknown): v is Outcome {
  return typeof v === 'object' && v !== null && 'ok' in v;
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
      const u = needUpgrade(ctx);
      return isOutcome(u) ? u : u.begin(args.bundle, args.failback ?? false);
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
    run: async (ctx) => {
      const u = needUpgrade(ctx);
      return isOutcome(u) ? u : { ok: true, data: await u.status() };
    },
  }),
  defineCommand({
    name: 'upgrade-abort',
    summary: 'stop the rolling upgrade after the step running now (an install under way finishes)',
    role: 'admin',
    args: argObject({}),
    cli: { words: ['upgrade', 'abort'] },
    run: (ctx) => {
      const u = needUpgrade(ctx);
      return isOutcome(u) ? u : u.abort(actor(ctx));
    },
  }),
  defineCommand({
    name: 'upgrade-resume',
    summary: 'carry on with a rolling upgrade that stopped, from where the controllers stand',
    role: 'admin',
    args: argObject({}),
    cli: { words: ['upgrade', 'resume'] },
    run: (ctx) => {
      const u = needUpgrade(ctx);
      return isOutcome(u) ? u : u.resume(actor(ctx));
    },
  }),
  defineCommand({
    name: 'upgrade-rollback',
    summary:
      'boot this controller from its other slot again (the old firmware); refused while it holds groups',
    role: 'admin',
    args: argObject({}),
    cli: { words: ['upgrade', 'rollback'] },
    run: (ctx) => {
      const u = needUpgrade(ctx);
      if (isOutcome(u)) return u;
      const holds = (ctx.host()?.heldGroups().length ?? 0) > 0;
      return u.rollback(holds);
    },
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
      const u = needUpgrade(ctx);
      if (isOutcome(u)) return u;
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
    },
  }),
];
