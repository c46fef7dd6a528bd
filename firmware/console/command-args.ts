// Argument rules for every command, shared by every command channel (the
// control socket and MQTT requests), so a request is judged the same way
// whichever way it arrives. Input is untrusted: each rule names the argument
// it rejects, and a request that fails any rule never reaches the daemon.
import { COMMANDS, isCommandName, type CommandName, type CommandRequest } from '../core/envelope.ts';
import { isSeverity, SEVERITIES } from '../events/types.ts';

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

type ArgRule = (value: unknown) => string | null;

const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const SOURCE = /^[A-Za-z0-9_:.*-]{1,64}$/;
/** A config document is small; this bounds what a request can make us parse. */
export const MAX_CONFIG_TEXT = 256 * 1024;
export const MAX_TRANSACTION = 64;

const rules = {
  string:
    (pattern: RegExp, what: string): ArgRule =>
    (v) =>
      typeof v === 'string' && pattern.test(v) ? null : `must be ${what}`,
  boolean: (): ArgRule => (v) => (typeof v === 'boolean' ? null : 'must be true or false'),
  integer:
    (min: number, max: number): ArgRule =>
    (v) =>
      typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max
        ? null
        : `must be an integer from ${min} to ${max}`,
  text:
    (max: number): ArgRule =>
    (v) =>
      typeof v === 'string' && v.length > 0 && v.length <= max
        ? null
        : `must be a non-empty string of at most ${max} characters`,
};

interface ArgSpec {
  readonly required: Readonly<Record<string, ArgRule>>;
  readonly optional: Readonly<Record<string, ArgRule>>;
}

const NONE: ArgSpec = { required: {}, optional: {} };
const GROUP: ArgSpec = {
  required: { group: rules.string(GROUP_NAME, 'a group name (letters, digits, _ . -; at most 64)') },
  optional: {},
};

/** The argument contract of each command (documented in docs/mqtt.md). */
export const COMMAND_ARGS: Readonly<Record<CommandName, ArgSpec>> = {
  status: NONE,
  peer: NONE,
  paths: NONE,
  groups: NONE,
  pr: NONE,
  alarms: NONE,
  'config-show': NONE,
  switchover: GROUP,
  failback: GROUP,
  maintenance: { required: { on: rules.boolean() }, optional: {} },
  takeover: { required: {}, optional: { force: rules.boolean() } },
  // No group: every group's failure on this controller.
  cleanup: { required: {}, optional: GROUP.required },
  'alarm-ack': {
    required: { id: rules.integer(1, Number.MAX_SAFE_INTEGER) },
    optional: { by: rules.string(/^\S.{0,63}$/, 'a name of at most 64 characters') },
  },
  log: {
    required: {},
    optional: {
      since: rules.integer(0, 8_640_000_000_000_000),
      severity: (v) => (isSeverity(v) ? null : `must be one of ${SEVERITIES.join(', ')}`),
      source: rules.string(SOURCE, 'a source name or prefix (letters, digits, _ : . * -)'),
      limit: rules.integer(1, 10_000),
    },
  },
  'config-export': { required: {}, optional: { includeSecrets: rules.boolean() } },
  'config-import': { required: { text: rules.text(MAX_CONFIG_TEXT) }, optional: {} },
  'config-validate': { required: { text: rules.text(MAX_CONFIG_TEXT) }, optional: {} },
};

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function checkArgs(command: CommandName, args: unknown): Checked<Record<string, unknown>> {
  if (args === undefined) args = {};
  if (!isPlainObject(args)) return { ok: false, error: 'args: must be an object' };
  const spec = COMMAND_ARGS[command];
  for (const key of Object.keys(args)) {
    if (!(key in spec.required) && !(key in spec.optional)) {
      return { ok: false, error: `args.${key}: unknown argument for ${command}` };
    }
  }
  for (const [key, rule] of Object.entries(spec.required)) {
    if (!(key in args)) return { ok: false, error: `args.${key}: required by ${command}` };
    const problem = rule(args[key]);
    if (problem !== null) return { ok: false, error: `args.${key}: ${problem}` };
  }
  for (const [key, rule] of Object.entries(spec.optional)) {
    if (!(key in args)) continue;
    const problem = rule(args[key]);
    if (problem !== null) return { ok: false, error: `args.${key}: ${problem}` };
  }
  return { ok: true, value: { ...args } };
}

export function checkTransaction(value: unknown): Checked<string> {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TRANSACTION) {
    return {
      ok: false,
      error: `transaction: must be a non-empty string of at most ${MAX_TRANSACTION} characters`,
    };
  }
  return { ok: true, value };
}

/**
 * A whole envelope as parsed from JSON: {command, args, transaction}. The
 * command may come from elsewhere (an MQTT topic level) via `command`.
 */
export function checkRequest(body: unknown, command?: string): Checked<CommandRequest> {
  if (!isPlainObject(body)) return { ok: false, error: 'request: must be a JSON object' };
  const name = command ?? body['command'];
  if (!isCommandName(name)) {
    const shown = typeof name === 'string' ? JSON.stringify(name.slice(0, 40)) : String(name);
    return { ok: false, error: `command: unknown command ${shown}; known: ${COMMANDS.join(', ')}` };
  }
  const tx = checkTransaction(body['transaction']);
  if (!tx.ok) return tx;
  const args = checkArgs(name, body['args']);
  if (!args.ok) return args;
  return { ok: true, value: { command: name, args: args.value, transaction: tx.value } };
}

/** The transaction to echo on an error, if the body carried a usable one. */
export function salvageTransaction(body: unknown): string {
  if (!isPlainObject(body)) return '';
  const tx = checkTransaction(body['transaction']);
  return tx.ok ? tx.value : '';
}
