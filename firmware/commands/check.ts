// The one checker of command requests, for every channel (control socket,
// MQTT, the sim console, in-process callers). Input is untrusted: its size
// and depth are bounded before anything walks it, then the arguments are
// validated against the command's schema, and each refusal names what is
// wrong (the argument, the role, the transaction) and changes nothing.
//
// A channel admits a request (admit) before handing it to a CommandHandler,
// so a refused request never reaches the handler; the registry's handler
// recognises an admitted request and does not validate it a second time.
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { COMMANDS, type CommandRequest } from '../core/envelope.ts';
import { LIMITS } from '../core/limits.ts';
import type { Result } from '../core/result.ts';
import { mustOf } from './args.ts';
import { roleAllows, type CommandDef, type Role } from './define.ts';
import { commandNamed } from './registry.ts';

export const MAX_TRANSACTION = 64;

/** What any request's arguments may hold, checked before the schema looks at them (core/limits.ts). */
export const ARG_LIMITS = LIMITS.args;

/** A command and its arguments, checked. */
export interface Admitted {
  readonly def: CommandDef;
  readonly args: Readonly<Record<string, unknown>>;
}

interface Compiled {
  readonly whole: TypeCheck<TSchema>;
  readonly props: ReadonlyMap<string, TypeCheck<TSchema>>;
}

/** Compiled on first use: tandemctl compiles only the command it sends. */
const compiled = new WeakMap<CommandDef, Compiled>();

function compiledOf(def: CommandDef): Compiled {
  let c = compiled.get(def);
  if (c === undefined) {
    const props = new Map<string, TypeCheck<TSchema>>();
    for (const [key, schema] of Object.entries(def.args.properties))
      props.set(key, TypeCompiler.Compile(schema));
    c = { whole: TypeCompiler.Compile(def.args), props };
    compiled.set(def, c);
  }
  return c;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** How an argument is named in an error: args.on, or quoted when the key is odd. */
export function argPath(key: string): string {
  return /^[A-Za-z0-9_$-]{1,64}$/.test(key) ? `args.${key}` : `args[${JSON.stringify(key.slice(0, 64))}]`;
}

/**
 * Size and depth of any value, walked with a budget so a hostile one costs
 * at most the budget; null if within ARG_LIMITS. Exported for channels that
 * must walk the arguments before checking them (MQTT signs over them).
 */
export function argsOutOfBounds(args: unknown): string | null {
  if (typeof args === 'object' && args !== null && Object.keys(args).length > ARG_LIMITS.keys)
    return `args: more than ${ARG_LIMITS.keys} arguments`;
  let nodes = 0;
  let chars = 0;
  const walk = (v: unknown, depth: number): string | null => {
    if (depth > ARG_LIMITS.depth) return `args: nested deeper than ${ARG_LIMITS.depth} levels`;
    if (++nodes > ARG_LIMITS.nodes) return `args: more than ${ARG_LIMITS.nodes} values`;
    if (typeof v === 'string') chars += v.length;
    else if (typeof v === 'object' && v !== null) {
      for (const key of Object.keys(v)) {
        chars += key.length;
        const problem = walk((v as Record<string, unknown>)[key], depth + 1);
        if (problem !== null) return problem;
      }
    }
    return chars > ARG_LIMITS.chars ? `args: more than ${ARG_LIMITS.chars} characters` : null;
  };
  return walk(args, 0);
}

/** Why `value` is not a valid `key` of `def` ("must be ..."), or null if it is. */
export function argValueProblem(def: CommandDef, key: string, value: unknown): string | null {
  const schema = Object.hasOwn(def.args.properties, key) ? def.args.properties[key] : undefined;
  const check = compiledOf(def).props.get(key);
  if (schema === undefined || check === undefined) return `unknown argument for ${def.name}`;
  return check.Check(value) ? null : mustOf(schema);
}

/** Validates `args` against `def`'s schema; on success, a frozen copy of the declared keys. */
export function checkArgs(def: CommandDef, args: unknown): Result<Readonly<Record<string, unknown>>, string> {
  if (args === undefined) args = {};
  if (!isPlainObject(args)) return { ok: false, error: 'args: must be an object' };
  const bounds = argsOutOfBounds(args);
  if (bounds !== null) return { ok: false, error: bounds };
  const declared = def.args.properties;
  for (const key of Object.keys(args)) {
    if (!Object.hasOwn(declared, key)) {
      return { ok: false, error: `${argPath(key)}: unknown argument for ${def.name}` };
    }
  }
  for (const key of def.args.required ?? []) {
    if (!Object.hasOwn(args, key)) return { ok: false, error: `${argPath(key)}: required by ${def.name}` };
  }
  const value: Record<string, unknown> = {};
  for (const key of Object.keys(declared)) {
    if (!Object.hasOwn(args, key)) continue;
    const problem = argValueProblem(def, key, args[key]);
    if (problem !== null) return { ok: false, error: `${argPath(key)}: ${problem}` };
    value[key] = args[key];
  }
  // The schema as a whole has the last word (keywords beyond single arguments).
  if (!compiledOf(def).whole.Check(value)) {
    return { ok: false, error: `args: do not match the arguments of ${def.name}` };
  }
  return { ok: true, value: Object.freeze(value) };
}

function roleProblem(
  def: CommandDef,
  args: Readonly<Record<string, unknown>> | null,
  role: Role,
): string | null {
  if (!roleAllows(role, def.role))
    return `role: ${def.name} needs the ${def.role} role; this request has ${role}`;
  const stronger = def.stronger;
  if (args === null || stronger === undefined || !stronger.needed(args)) return null;
  return roleAllows(role, stronger.role)
    ? null
    : `role: ${def.name} with ${stronger.when} needs the ${stronger.role} role; this request has ${role}`;
}

function unknownCommand(name: unknown): string {
  const shown =
    typeof name === 'string'
      ? JSON.stringify(name.slice(0, 40))
      : typeof name === 'object' && name !== null
        ? `(an ${Array.isArray(name) ? 'array' : 'object'})`
        : String(name);
  return `command: unknown command ${shown}; known: ${COMMANDS.join(', ')}`;
}

/** Command name, role, arguments (and the role those arguments need), in that order. */
export function admitCommand(name: unknown, args: unknown, role: Role): Result<Admitted, string> {
  const def = commandNamed(name);
  if (def === undefined) return { ok: false, error: unknownCommand(name) };
  const early = roleProblem(def, null, role);
  if (early !== null) return { ok: false, error: early };
  const checked = checkArgs(def, args);
  if (!checked.ok) return checked;
  const late = roleProblem(def, checked.value, role);
  if (late !== null) return { ok: false, error: late };
  return { ok: true, value: { def, args: checked.value } };
}

export function checkTransaction(value: unknown): Result<string, string> {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TRANSACTION) {
    return {
      ok: false,
      error: `transaction: must be a non-empty string of at most ${MAX_TRANSACTION} characters`,
    };
  }
  return { ok: true, value };
}

/** Requests admitted by a channel, with what was found and the role they were admitted for. */
const admitted = new WeakMap<CommandRequest, Admitted & { readonly role: Role }>();

/**
 * A whole envelope as parsed from JSON, {command, args, transaction}, from a
 * channel whose callers have `role`. The command may come from elsewhere (an
 * MQTT topic level) via `command`.
 */
export function admit(body: unknown, role: Role, command?: string): Result<CommandRequest, string> {
  if (!isPlainObject(body)) return { ok: false, error: 'request: must be a JSON object' };
  const name = command ?? body['command'];
  // The name first: an unknown command is the clearest answer, whatever else is wrong.
  if (commandNamed(name) === undefined) return { ok: false, error: unknownCommand(name) };
  const tx = checkTransaction(body['transaction']);
  if (!tx.ok) return tx;
  const checked = admitCommand(name, body['args'], role);
  if (!checked.ok) return checked;
  const { def, args } = checked.value;
  const request: CommandRequest = Object.freeze({ command: def.name, args, transaction: tx.value });
  admitted.set(request, { def, args, role });
  return { ok: true, value: request };
}

/** What admit() found for this very request object, if a channel admitted it. */
export function admittedAs(request: CommandRequest): (Admitted & { readonly role: Role }) | undefined {
  return admitted.get(request);
}

/** The role check alone, for a request admitted earlier (maybe for a stronger role). */
export function recheckRole(found: Admitted, role: Role): Result<Admitted, string> {
  const problem = roleProblem(found.def, found.args, role);
  return problem === null ? { ok: true, value: found } : { ok: false, error: problem };
}

/** The transaction to echo on an error, if the body carried a usable one. */
export function salvageTransaction(body: unknown): string {
  if (!isPlainObject(body)) return '';
  const tx = checkTransaction(body['transaction']);
  return tx.ok ? tx.value : '';
}
