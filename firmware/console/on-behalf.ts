// Requests on web.sock: the web process sends each one with `as`, the web
// user it acts for ({user, role, address}). The daemon trusts the web
// process to have checked the session (the socket is root-only, like the
// control socket), but never more than it says: the command runs with the
// weaker of the socket's role and `as.role` (a request without `as` as a
// viewer), names `<user>@<address> (web)` as its actor, and every request
// for a command that needs an operator or an admin leaves an audit event,
// WEB_ACTION or WEB_REFUSED, without its password fields. The serial
// console's shell (shell.ts) sends its user's requests here the same way,
// with the address 'console'.
import { isIP } from 'node:net';
import { admit, salvageTransaction } from '../commands/check.ts';
import type { OnBehalf } from '../commands/context.ts';
import { ROLES, weakerRole, type CommandDef, type Role } from '../commands/define.ts';
import { commandNamed } from '../commands/registry.ts';
import { WEB_USER_NAME } from '../config/patterns.ts';
import type { CommandHandler, CommandResponse } from '../core/envelope.ts';
import type { Result } from '../core/result.ts';
import type { EventInput, JsonValue } from '../events/types.ts';
import { errorMessage } from '../../hal/errors.ts';

export type { OnBehalf };

export interface OnBehalfOptions {
  /** The handler for requests acting for `as` (null: the request named nobody). */
  handlerFor(as: OnBehalf | null): CommandHandler;
  /** Where WEB_ACTION and WEB_REFUSED go (the event log). */
  audit(event: EventInput): void;
}

const USER = new RegExp(WEB_USER_NAME);

/**
 * The address of a user logged in on the serial console (console/login.ts):
 * the same web users, the same role rules and audit, no browser address.
 */
export const CONSOLE_ADDRESS = 'console';
const KEYS = ['user', 'role', 'address'];

/** `as` checked: a plain object of exactly user, role and address, each bounded. */
export function parseOnBehalf(value: unknown): Result<OnBehalf, string> {
  const bad = (error: string) => ({ ok: false as const, error });
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return bad('as: must be an object {user, role, address}');
  const extra = Object.keys(value).find((k) => !KEYS.includes(k));
  if (extra !== undefined)
    return bad(`as: unknown key ${JSON.stringify(extra.slice(0, 40))}; only user, role, address`);
  const v = value as Record<string, unknown>;
  const user = v['user'];
  if (typeof user !== 'string' || user.length > 32 || !USER.test(user))
    return bad(`as.user: must be a user name matching ${WEB_USER_NAME}`);
  const role = v['role'];
  if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role))
    return bad(`as.role: must be one of ${ROLES.join(', ')}`);
  const address = v['address'];
  if (
    typeof address !== 'string' ||
    address.length > 45 ||
    (address !== CONSOLE_ADDRESS && isIP(address) === 0)
  )
    return bad(
      `as.address: must be an IPv4 or IPv6 address literal of at most 45 characters, or ${CONSOLE_ADDRESS}`,
    );
  return { ok: true, value: { user, role: role as Role, address } };
}

/** Argument names whose values never go into the log. */
const HIDDEN = new Set(['password', 'old', 'new']);
/** Long texts (a config import) are logged by their size only: they may carry secrets. */
const SIZE_ONLY = new Set(['text']);

/** The arguments as the audit shows them: declared keys only, passwords left out, strings cut short. */
export function auditArgs(def: CommandDef, args: unknown): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  if (typeof args !== 'object' || args === null || Array.isArray(args)) return out;
  for (const key of Object.keys(def.args.properties)) {
    if (!Object.hasOwn(args, key) || HIDDEN.has(key)) continue;
    const value: unknown = (args as Record<string, unknown>)[key];
    if (SIZE_ONLY.has(key) && typeof value === 'string') out[key] = `(${value.length} characters)`;
    else if (typeof value === 'string') out[key] = value.slice(0, 200);
    else if (typeof value === 'number' || typeof value === 'boolean' || value === null) out[key] = value;
    else if (Array.isArray(value))
      out[key] = value.slice(0, 20).map((x) => (typeof x === 'string' ? x.slice(0, 64) : String(typeof x)));
    else out[key] = '(object)';
  }
  return out;
}

/** One request line's body on web.sock: checked, run for its user, audited. */
export async function answerOnBehalf(
  body: unknown,
  socketRole: Role,
  o: OnBehalfOptions,
): Promise<CommandResponse> {
  const transaction = salvageTransaction(body);
  const refuse = (error: string): CommandResponse => ({ status: 'error', data: null, error, transaction });
  const raw =
    typeof body === 'object' && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>)
      : {};
  const parsed = Object.hasOwn(raw, 'as') ? parseOnBehalf(raw['as']) : null;
  const as: OnBehalf | null = parsed?.ok === true ? parsed.value : null;
  const role = as === null ? 'viewer' : weakerRole(socketRole, as.role);
  const def = commandNamed(raw['command']);
  // Audited: whatever needs more than a viewer, admitted or not.
  const audited = def !== undefined && (def.role !== 'viewer' || def.stronger !== undefined);
  const log = (response: CommandResponse): CommandResponse => {
    if (!audited) return response;
    const who = as === null ? 'nobody' : `${as.user}@${as.address}`;
    const channel = as?.address === CONSOLE_ADDRESS ? 'console' : 'web';
    const okay = response.status === 'ok';
    o.audit({
      severity: okay ? 'notice' : 'warning',
      source: 'web',
      code: okay ? 'WEB_ACTION' : 'WEB_REFUSED',
      message: `${channel}: ${def.name} by ${who}${okay ? '' : ` refused: ${response.error ?? ''}`}`.slice(
        0,
        500,
      ),
      data: {
        user: as?.user ?? null,
        role,
        address: as?.address ?? null,
        command: def.name,
        args: auditArgs(def, raw['args']),
        ...(okay ? {} : { error: (response.error ?? '').slice(0, 300) }),
      },
    });
    return response;
  };
  // A bad `as` is refused before anything runs, and audited like any refusal (who: nobody known).
  if (parsed !== null && !parsed.ok) return log(refuse(parsed.error));
  const checked = admit(body, role);
  if (!checked.ok) return log(refuse(checked.error));
  const request = checked.value;
  try {
    const response = await o.handlerFor(as).handle(request);
    return log({ ...response, transaction: request.transaction });
  } catch (err) {
    return log(refuse(`internal: ${errorMessage(err)}`));
  }
}
