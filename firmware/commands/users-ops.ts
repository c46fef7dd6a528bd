// What the users commands do (users.ts declares them): read web.users from
// the config store, apply one of the pure operations of users/users.ts, and
// store the new list as a config change whose origin names who asked. One
// change at a time per store, so two admins adding users at once cannot
// overwrite each other's list.
import { INITIAL_ADMIN, initialPassword } from '../users/initial.ts';
import { DUMMY_RECORD, hashPassword, verifyPassword } from '../users/password.ts';
import {
  addUser,
  changeOwnPassword,
  passwordProblem,
  publicView,
  removeUser,
  resetUser,
  setRole,
  type WebRole,
  type WebUser,
} from '../users/users.ts';
import { timingSafeEqual } from 'node:crypto';
import type { CommandContext, ConfigOps } from './context.ts';
import { fail, ok, type Outcome } from './define.ts';
import type { TandemConfig } from '../config/schema.ts';
import type { Result } from '../core/result.ts';

export type Store = ConfigOps & { current(): TandemConfig };

export const WRONG_LOGIN = 'wrong user name or password';

const chains = new WeakMap<object, Promise<unknown>>();

/** Runs `job` after every earlier users change on the same store. */
function serialised<T>(s: Store, job: () => Promise<T>): Promise<T> {
  const run = (chains.get(s) ?? Promise.resolve()).then(job, job);
  chains.set(
    s,
    run.catch(() => undefined),
  );
  return run;
}

const usersOf = (s: Store): WebUser[] => s.current().web.users.map((u) => ({ ...u }));

function initialOf(s: Store): string | undefined {
  const secret = s.current().web.secret;
  return secret === undefined ? undefined : initialPassword(secret);
}

/** Equal strings, compared in time that does not depend on where they differ. */
function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function note(
  ctx: CommandContext,
  severity: 'info' | 'notice' | 'warning',
  code: string,
  message: string,
  data: Record<string, string>,
): void {
  ctx.events?.append?.({ severity, source: 'web', code, message, data });
}

/** Who asks, for the config change's origin. */
const asker = (ctx: CommandContext): string => ctx.defaultActor ?? 'operator';

const where = (ctx: CommandContext): string => ctx.onBehalf?.address ?? 'unknown';

async function save(s: Store, users: readonly WebUser[], origin: string): Promise<Outcome | null> {
  const r = await s.importText(JSON.stringify({ web: { users } }), origin, { merge: true });
  return r.ok ? null : fail(`not stored: ${r.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
}

export async function login(ctx: CommandContext, s: Store, name: string, password: string): Promise<Outcome> {
  const users = usersOf(s);
  let who: { role: WebRole; mustChange: boolean } | undefined;
  if (users.length === 0) {
    const initial = initialOf(s);
    // Costs what a real check costs, whichever way it ends.
    await verifyPassword(password, DUMMY_RECORD);
    if (name === INITIAL_ADMIN && initial !== undefined && sameText(password, initial))
      who = { role: 'admin', mustChange: true };
  } else {
    const user = users.find((u) => u.name === name);
    const good = await verifyPassword(password, user?.hash ?? DUMMY_RECORD);
    if (user !== undefined && good) who = { role: user.role, mustChange: user.mustChange };
  }
  const address = where(ctx);
  if (who === undefined) {
    note(ctx, 'warning', 'WEB_LOGIN_FAILED', `web login refused for ${name} from ${address}`, {
      user: name,
      address,
    });
    return fail(WRONG_LOGIN);
  }
  note(ctx, 'info', 'WEB_LOGIN', `web login: ${name} (${who.role}) from ${address}`, {
    user: name,
    address,
    role: who.role,
  });
  return ok({ name, role: who.role, mustChange: who.mustChange });
}

export function changePassword(
  ctx: CommandContext,
  s: Store,
  name: string,
  old: string,
  next: string,
): Promise<Outcome> {
  return serialised(s, async () => {
    const users = usersOf(s);
    const initial = initialOf(s);
    if (users.length === 0) {
      const good = name === INITIAL_ADMIN && initial !== undefined && sameText(old, initial);
      await verifyPassword(old, DUMMY_RECORD);
      if (!good) return fail(WRONG_LOGIN);
    } else {
      const user = users.find((u) => u.name === name);
      const good = await verifyPassword(old, user?.hash ?? DUMMY_RECORD);
      if (user === undefined || !good) return fail(WRONG_LOGIN);
    }
    const problem = passwordProblem(next, { old, ...(initial !== undefined ? { initial } : {}) });
    if (problem !== null) return fail(`password-change: ${problem}`);
    const hash = await hashPassword(next);
    const list =
      users.length === 0
        ? {
            ok: true as const,
            value: [{ name: INITIAL_ADMIN, role: 'admin' as const, hash, mustChange: false }],
          }
        : changeOwnPassword(users, name, hash);
    if (!list.ok) return fail(`password-change: ${list.error}`);
    const stored = await save(s, list.value, `${asker(ctx)}: password-change ${name}`);
    if (stored !== null) return stored;
    note(ctx, 'notice', 'WEB_PASSWORD_CHANGED', `web user ${name} changed their password`, {
      user: name,
      address: where(ctx),
    });
    return ok({ name, changed: true });
  });
}

export function list(s: Store): Outcome {
  return ok(publicView(usersOf(s)));
}

/** A hash for a password an admin gives someone (add, reset), or why that password is refused. */
async function hashFor(s: Store, password: string): Promise<Result<string, string>> {
  const initial = initialOf(s);
  const problem = passwordProblem(password, initial !== undefined ? { initial } : {});
  return problem !== null ? { ok: false, error: problem } : { ok: true, value: await hashPassword(password) };
}

function change(
  ctx: CommandContext,
  s: Store,
  command: string,
  target: string,
  edit: (users: WebUser[]) => Promise<Result<WebUser[], string>>,
): Promise<Outcome> {
  return serialised(s, async () => {
    const users = usersOf(s);
    if (users.length === 0)
      return fail(
        `${command}: the initial admin password must be changed first (log in as ${INITIAL_ADMIN})`,
      );
    const r = await edit(users);
    if (!r.ok) return fail(`${command}: ${r.error}`);
    const stored = await save(s, r.value, `${asker(ctx)}: ${command} ${target}`);
    return stored ?? ok(publicView(r.value));
  });
}

export function addOne(
  ctx: CommandContext,
  s: Store,
  name: string,
  role: WebRole,
  password: string,
): Promise<Outcome> {
  return change(ctx, s, 'user-add', name, async (users) => {
    const h = await hashFor(s, password);
    return h.ok ? addUser(users, { name, role, hash: h.value }) : h;
  });
}

export function removeOne(ctx: CommandContext, s: Store, name: string): Promise<Outcome> {
  return change(ctx, s, 'user-remove', name, (users) => Promise.resolve(removeUser(users, name)));
}

export function roleOne(ctx: CommandContext, s: Store, name: string, role: WebRole): Promise<Outcome> {
  return change(ctx, s, 'user-role', name, (users) => Promise.resolve(setRole(users, name, role)));
}

export function resetOne(ctx: CommandContext, s: Store, name: string, password: string): Promise<Outcome> {
  return change(ctx, s, 'user-reset', name, async (users) => {
    const h = await hashFor(s, password);
    return h.ok ? resetUser(users, name, h.value) : h;
  });
}

export function initial(s: Store): Outcome {
  if (usersOf(s).length > 0) return fail('initial-password: the initial password was already changed');
  const password = initialOf(s);
  if (password === undefined)
    return fail('initial-password: no web.secret yet (the daemon makes one when it starts with web.enabled)');
  return ok({ password });
}
