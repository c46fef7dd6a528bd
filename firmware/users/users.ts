// The web users list (web.users) and the rules every change keeps: names
// unique, never without an admin, passwords within bounds and never the old
// or the initial one. Pure: each operation answers the new list or why not;
// the commands hash, store it through the ConfigManager and log.
import type { WEB_ROLES } from '../config/schema.ts';
import { WEB_USER_NAME } from '../config/patterns.ts';
import type { Result } from '../core/result.ts';

export type WebRole = (typeof WEB_ROLES)[number];

export interface WebUser {
  readonly name: string;
  readonly role: WebRole;
  /** The scrypt record (password.ts). */
  readonly hash: string;
  readonly mustChange: boolean;
}

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 256;
export const MAX_USERS = 64;

const NAME = new RegExp(WEB_USER_NAME);

export function isUserName(name: unknown): name is string {
  return typeof name === 'string' && NAME.test(name);
}

/** Why `password` may not become a password, or null. `old` and `initial` are refused too. */
export function passwordProblem(
  password: string,
  avoid: { old?: string; initial?: string } = {},
): string | null {
  if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX)
    return `the new password must have ${PASSWORD_MIN} to ${PASSWORD_MAX} characters`;
  if (avoid.old !== undefined && password === avoid.old)
    return 'the new password must differ from the old one';
  if (avoid.initial !== undefined && password === avoid.initial)
    return 'the new password must differ from the initial one';
  return null;
}

const admins = (users: readonly WebUser[]) => users.filter((u) => u.role === 'admin').length;

function find(users: readonly WebUser[], name: string): Result<number, string> {
  const i = users.findIndex((u) => u.name === name);
  return i < 0 ? { ok: false, error: `no user ${JSON.stringify(name)}` } : { ok: true, value: i };
}

/** A new user; they choose their own password at the first login (mustChange). */
export function addUser(
  users: readonly WebUser[],
  user: { name: string; role: WebRole; hash: string },
): Result<WebUser[], string> {
  if (!isUserName(user.name))
    return { ok: false, error: `user name ${JSON.stringify(user.name)}: must match ${WEB_USER_NAME}` };
  if (users.some((u) => u.name === user.name))
    return { ok: false, error: `user ${user.name} exists already` };
  if (users.length >= MAX_USERS) return { ok: false, error: `at most ${MAX_USERS} users` };
  return { ok: true, value: [...users, { ...user, mustChange: true }] };
}

export function removeUser(users: readonly WebUser[], name: string): Result<WebUser[], string> {
  const i = find(users, name);
  if (!i.ok) return i;
  if (users[i.value]?.role === 'admin' && admins(users) === 1)
    return { ok: false, error: `${name} is the last admin; make another user admin first` };
  return { ok: true, value: users.filter((_, j) => j !== i.value) };
}

export function setRole(users: readonly WebUser[], name: string, role: WebRole): Result<WebUser[], string> {
  const i = find(users, name);
  if (!i.ok) return i;
  if (users[i.value]?.role === 'admin' && role !== 'admin' && admins(users) === 1)
    return { ok: false, error: `${name} is the last admin; make another user admin first` };
  return { ok: true, value: users.map((u, j) => (j === i.value ? { ...u, role } : u)) };
}

/** An admin sets a password for someone else, who must change it at the next login. */
export function resetUser(users: readonly WebUser[], name: string, hash: string): Result<WebUser[], string> {
  const i = find(users, name);
  if (!i.ok) return i;
  return { ok: true, value: users.map((u, j) => (j === i.value ? { ...u, hash, mustChange: true } : u)) };
}

/** A user's own new password (already checked with passwordProblem and hashed). */
export function changeOwnPassword(
  users: readonly WebUser[],
  name: string,
  hash: string,
): Result<WebUser[], string> {
  const i = find(users, name);
  if (!i.ok) return i;
  return { ok: true, value: users.map((u, j) => (j === i.value ? { ...u, hash, mustChange: false } : u)) };
}

/** What `users` answers: never the hashes. */
export function publicView(
  users: readonly WebUser[],
): { name: string; role: WebRole; mustChange: boolean }[] {
  return users.map((u) => ({ name: u.name, role: u.role, mustChange: u.mustChange }));
}
