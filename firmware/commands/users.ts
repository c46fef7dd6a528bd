// The web panel's users (issue #15): login and password change for the web
// process, the users list for admins, and the initial admin password. The
// list lives in the config (web.users, hashes only) and every change goes
// through the ConfigManager, so it is versioned and replicated to the peer;
// replies never carry a hash. Passwords are never logged: events name the
// user and the browser's address, nothing more.
import { WEB_USER_NAME } from '../config/patterns.ts';
import { argObject, oneOfArg, patternArg } from './args.ts';
import type { CommandContext, ConfigOps } from './context.ts';
import { defineCommand, fail, type Outcome } from './define.ts';
import * as ops from './users-ops.ts';

const nameArg = (description: string) =>
  patternArg(WEB_USER_NAME, 32, 'a user name (a-z first, then a-z 0-9 . _ -; at most 32)', description);
const passwordArg = (description: string) =>
  patternArg('^[\\s\\S]{1,256}$', 256, 'a password of 1 to 256 characters', description);
const roleArg = () =>
  oneOfArg(['viewer', 'operator', 'admin'] as const, 'the role: viewer, operator or admin');

const noStore = (command: string): Outcome => fail(`${command}: no configuration store on this controller`);

/** The config store, when it can be read (the daemon's ConfigManager). */
function store(
  ctx: CommandContext,
): (ConfigOps & { current: NonNullable<ConfigOps['current']> }) | undefined {
  const c = ctx.config;
  return c?.current === undefined
    ? undefined
    : (c as ConfigOps & { current: NonNullable<ConfigOps['current']> });
}

export const userCommands = [
  defineCommand({
    name: 'login',
    summary: 'check a web user’s password (the web process only)',
    role: 'viewer',
    args: argObject({ name: nameArg('the user name'), password: passwordArg('the password') }),
    cli: {
      words: ['web', 'login'],
      positionals: [{ arg: 'name', metavar: 'USER' }],
      secrets: [{ arg: 'password', metavar: 'PASSWORD' }],
    },
    run: async (ctx, args) => {
      if (ctx.webChannel !== true) return fail('login: only the web panel logs in (web.sock)');
      const s = store(ctx);
      if (s === undefined) return noStore('login');
      return ops.login(ctx, s, args.name, args.password);
    },
  }),
  defineCommand({
    name: 'password-change',
    summary: 'change a web user’s own password (old and new)',
    role: 'viewer',
    args: argObject({
      name: nameArg('the user whose password changes'),
      old: passwordArg('the password now'),
      new: passwordArg('the new password, 10 to 256 characters'),
    }),
    cli: {
      words: ['web', 'password'],
      positionals: [{ arg: 'name', metavar: 'USER' }],
      secrets: [
        { arg: 'old', metavar: 'OLD' },
        { arg: 'new', metavar: 'NEW' },
      ],
    },
    run: async (ctx, args) => {
      if (ctx.webChannel !== true && ctx.secretsChannel !== true)
        return fail('password-change: only on the web panel or the root-only control socket');
      if (ctx.webChannel === true && ctx.onBehalf?.user !== args.name)
        return fail('password-change: a web user may change only their own password');
      const s = store(ctx);
      if (s === undefined) return noStore('password-change');
      return ops.changePassword(ctx, s, args.name, args.old, args.new);
    },
  }),
  defineCommand({
    name: 'users',
    summary: 'the web panel’s users: name, role, must change password',
    role: 'admin',
    args: argObject({}),
    cli: { words: ['web', 'users'] },
    run: (ctx) => {
      const s = store(ctx);
      return s === undefined ? noStore('users') : ops.list(s);
    },
  }),
  defineCommand({
    name: 'user-add',
    summary: 'add a web user, who chooses a new password at the first login',
    role: 'admin',
    args: argObject({
      name: nameArg('the new user'),
      role: roleArg(),
      password: passwordArg('their first password, 10 to 256 characters'),
    }),
    cli: {
      words: ['web', 'user-add'],
      positionals: [
        { arg: 'name', metavar: 'USER' },
        { arg: 'role', metavar: 'viewer|operator|admin' },
      ],
      secrets: [{ arg: 'password', metavar: 'PASSWORD' }],
    },
    run: async (ctx, args) => {
      const s = store(ctx);
      return s === undefined ? noStore('user-add') : ops.addOne(ctx, s, args.name, args.role, args.password);
    },
  }),
  defineCommand({
    name: 'user-remove',
    summary: 'remove a web user (never the last admin)',
    role: 'admin',
    args: argObject({ name: nameArg('the user to remove') }),
    cli: { words: ['web', 'user-remove'], positionals: [{ arg: 'name', metavar: 'USER' }] },
    run: async (ctx, args) => {
      const s = store(ctx);
      return s === undefined ? noStore('user-remove') : ops.removeOne(ctx, s, args.name);
    },
  }),
  defineCommand({
    name: 'user-role',
    summary: 'change a web user’s role (never demote the last admin)',
    role: 'admin',
    args: argObject({ name: nameArg('the user'), role: roleArg() }),
    cli: {
      words: ['web', 'user-role'],
      positionals: [
        { arg: 'name', metavar: 'USER' },
        { arg: 'role', metavar: 'viewer|operator|admin' },
      ],
    },
    run: async (ctx, args) => {
      const s = store(ctx);
      return s === undefined ? noStore('user-role') : ops.roleOne(ctx, s, args.name, args.role);
    },
  }),
  defineCommand({
    name: 'user-reset',
    summary: 'set a web user’s password; they must change it at the next login',
    role: 'admin',
    args: argObject({
      name: nameArg('the user'),
      password: passwordArg('the password to give them, 10 to 256 characters'),
    }),
    cli: {
      words: ['web', 'user-reset'],
      positionals: [{ arg: 'name', metavar: 'USER' }],
      secrets: [{ arg: 'password', metavar: 'PASSWORD' }],
    },
    run: async (ctx, args) => {
      const s = store(ctx);
      return s === undefined ? noStore('user-reset') : ops.resetOne(ctx, s, args.name, args.password);
    },
  }),
  defineCommand({
    name: 'initial-password',
    summary: 'the web panel’s initial admin password, until it is changed (console and front panel only)',
    // The front panel's socket has the operator role; the channel check below
    // keeps every other operator channel (web, MQTT) out.
    role: 'operator',
    args: argObject({}),
    cli: { words: ['web', 'initial-password'] },
    run: (ctx) => {
      if (ctx.secretsChannel !== true && ctx.panelChannel !== true)
        return fail('initial-password: only on the root-only control socket or the front panel');
      const s = store(ctx);
      return s === undefined ? noStore('initial-password') : ops.initial(s);
    },
  }),
];
