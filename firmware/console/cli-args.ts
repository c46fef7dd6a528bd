// tandemctl's command line -> one request envelope, spelled as the command
// registry declares each command (firmware/commands: words, positionals,
// --flags, FILE) and checked by the registry's own argument rules, so the
// console refuses exactly what the daemon would. Pure (no I/O) so every usage
// error is unit-tested; each names the word or option that is wrong, as the
// usage spells it.
import { simControlSocket } from '../../hal/paths.ts';
import { argValueProblem } from '../commands/check.ts';
import type { CliFlag, CliPositional, CommandDef } from '../commands/define.ts';
import { REGISTRY } from '../commands/registry.ts';
import type { CommandName } from '../core/envelope.ts';
import { LIMITS } from '../core/limits.ts';

export interface ParsedRequest {
  readonly kind: 'request';
  readonly command: CommandName;
  readonly args: Record<string, unknown>;
  readonly json: boolean;
  /** --socket PATH, or the simulated box's socket of --controller. */
  readonly socket: string | undefined;
  /** --controller A|B: a controller of the simulated box (`npm start`). */
  readonly controller?: 'A' | 'B';
  /** config export FILE: where to write the export instead of stdout. */
  readonly exportFile?: string;
  /** config import|validate FILE: read by tandemctl, sent as args.text. */
  readonly readFile?: string;
  /** Arguments tandemctl reads from standard input (CliSpec.secrets), in order. */
  readonly secrets?: readonly { readonly arg: string; readonly metavar: string }[];
}

export type Parsed =
  | ParsedRequest
  /** --help, -h or `help [COMMAND]`: `topic` holds the command words, if any. */
  | { readonly kind: 'help'; readonly topic: readonly string[] }
  | { readonly kind: 'usage'; readonly message: string };

const AGE = /^(\d{1,9})(s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** TIME for --since: an age (15m), epoch ms, or an ISO 8601 date; null if none. */
export function parseSince(text: string, nowMs: number): number | null {
  const age = AGE.exec(text);
  if (age) return nowMs - Number(age[1]) * (UNIT_MS[age[2] ?? 's'] ?? 1000);
  if (/^\d{1,16}$/.test(text)) return Number(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) && ms >= 0 ? ms : null;
}

/** Only these words mean yes or no (`--force=no` must not force). */
const YES = new Set(['true', 'yes', '1']);
const NO = new Set(['false', 'no', '0']);

class Usage extends Error {}

/** Every --flag of every command, and whether it takes a value. */
const FLAG_TAKES_VALUE = new Map<string, boolean>(
  REGISTRY.flatMap((d) => (d.cli.flags ?? []).map((f) => [f.flag, f.metavar !== undefined] as const)),
);

/**
 * `env` is where --controller looks up the simulated box's sockets
 * (hal/paths.ts simControlSocket).
 */
export function parseArgs(
  argv: readonly string[],
  nowMs: number,
  env: NodeJS.ProcessEnv = process.env,
): Parsed {
  try {
    return parse(argv, nowMs, env);
  } catch (err) {
    if (err instanceof Usage) return { kind: 'usage', message: err.message };
    throw err;
  }
}

function parse(argv: readonly string[], nowMs: number, env: NodeJS.ProcessEnv): Parsed {
  // Bounded before anything looks at the words (core/limits.ts).
  if (argv.length > LIMITS.cli.words)
    throw new Usage(`COMMAND: more than the ${LIMITS.cli.words}-word limit`);
  const long = argv.findIndex((a) => a.length > LIMITS.cli.wordChars);
  if (long >= 0) throw new Usage(`word ${long + 1}: longer than the ${LIMITS.cli.wordChars}-character limit`);
  if (argv.includes('--help') || argv.includes('-h')) {
    return { kind: 'help', topic: argv.filter((a) => !a.startsWith('-')) };
  }
  let json = false;
  let socket: string | undefined;
  let controller: 'A' | 'B' | undefined;
  const words: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (!a.startsWith('--')) {
      words.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq < 0 ? a : a.slice(0, eq);
    const inline = eq < 0 ? undefined : a.slice(eq + 1);
    if (name === '--json' && inline === undefined) {
      json = true;
      continue;
    }
    const own = name === '--socket' || name === '--controller';
    const takesValue = own ? true : FLAG_TAKES_VALUE.get(name);
    if (takesValue === undefined) throw new Usage(`${name}: unknown option`);
    if (
      flags.has(name) ||
      (name === '--socket' && socket !== undefined) ||
      (name === '--controller' && controller !== undefined)
    )
      throw new Usage(`${name}: given more than once`);
    // A switch takes no separate word: `--force no` leaves "no" a stray argument.
    const value = takesValue ? (inline ?? argv[++i]) : (inline ?? true);
    if (value === undefined || value === '') throw new Usage(`${name}: needs a value`);
    if (name === '--socket') socket = value === true ? undefined : value;
    else if (name === '--controller') controller = controllerOf(value);
    else flags.set(name, value);
  }
  if (controller !== undefined) {
    if (socket !== undefined) throw new Usage('--controller: give --controller or --socket, not both');
    socket = simSocket(controller, env);
  }
  if (words[0] === 'help') return { kind: 'help', topic: words.slice(1) };
  const def = findCommand(words);
  const base = {
    kind: 'request' as const,
    json,
    socket,
    ...(controller === undefined ? {} : { controller }),
  };
  return { ...base, ...commandArgs(def, words.slice(def.cli.words.length), flags, nowMs) };
}

function controllerOf(value: string | true): 'A' | 'B' {
  const c = value === true ? '' : value.toUpperCase();
  if (c === 'A' || c === 'B') return c;
  throw new Usage(`--controller: must be A or B, got ${JSON.stringify(String(value).slice(0, 64))}`);
}

function simSocket(controller: 'A' | 'B', env: NodeJS.ProcessEnv): string {
  try {
    return simControlSocket(controller, env);
  } catch (err) {
    throw new Usage(`--controller: ${(err as Error).message}`);
  }
}

/** The command whose words start the line (the longest, so `alarms ack` beats `alarms`). */
function findCommand(words: readonly string[]): CommandDef {
  const [first, second] = words;
  if (first === undefined) throw new Usage('COMMAND: missing (try --help)');
  let best: CommandDef | undefined;
  for (const def of REGISTRY) {
    const spelled = def.cli.words.every((w, i) => words[i] === w);
    if (spelled && def.cli.words.length > (best?.cli.words.length ?? 0)) best = def;
  }
  if (best !== undefined) return best;
  // `config` alone names no command, only a family of them.
  const family = REGISTRY.filter((d) => d.cli.words[0] === first && d.cli.words.length > 1);
  if (family.length > 0) {
    const subs = family.map((d) => d.cli.words[1] ?? '').join('|');
    throw new Usage(`${subs}: ${first} needs one of these, got ${JSON.stringify(second ?? '')}`);
  }
  throw new Usage(`COMMAND: unknown command ${JSON.stringify(first)} (try --help)`);
}

function commandArgs(
  def: CommandDef,
  rest: readonly string[],
  flags: ReadonlyMap<string, string | true>,
  nowMs: number,
): Pick<ParsedRequest, 'command' | 'args' | 'exportFile' | 'readFile' | 'secrets'> {
  const spelled = def.cli.words.join(' ');
  const own = def.cli.flags ?? [];
  for (const f of flags.keys())
    if (!own.some((o) => o.flag === f)) throw new Usage(`${f}: not an option of ${spelled}`);
  const args: Record<string, unknown> = {};
  const positionals = def.cli.positionals ?? [];
  positionals.forEach((p, i) => {
    const word = rest[i];
    if (word === undefined) {
      if (p.optional !== true) throw new Usage(`${p.metavar}: missing (${describe(def, p.arg)})`);
      return;
    }
    args[p.arg] = positionalValue(def, p, word);
  });
  let next = positionals.length;
  const file = def.cli.file;
  let path: string | undefined;
  if (file !== undefined) {
    path = rest[next];
    if (path === undefined && !file.optional) throw new Usage(`FILE: ${spelled} needs a file`);
    next += 1;
  }
  if (rest.length > next) throw new Usage(`${rest[next] ?? ''}: unexpected argument to ${spelled}`);
  for (const f of own) {
    const given = flags.get(f.flag);
    if (given !== undefined) args[f.arg] = flagValue(def, f, given, nowMs);
  }
  return {
    command: def.name,
    args,
    ...(path !== undefined && file?.mode === 'read' ? { readFile: path } : {}),
    ...(path !== undefined && file?.mode === 'write' ? { exportFile: path } : {}),
    ...(def.cli.secrets !== undefined ? { secrets: def.cli.secrets } : {}),
  };
}

function describe(def: CommandDef, arg: string): string {
  return String(def.args.properties[arg]?.description ?? arg);
}

function positionalValue(def: CommandDef, p: CliPositional, word: string): unknown {
  if (p.choices !== undefined) {
    if (Object.hasOwn(p.choices, word)) return p.choices[word];
    const choices = Object.keys(p.choices).join(' or ');
    throw new Usage(`${p.metavar}: ${def.cli.words.join(' ')} needs ${choices}, got ${JSON.stringify(word)}`);
  }
  return checked(def, p.arg, p.metavar, word, typed(def, p.arg, p.metavar, word));
}

function flagValue(def: CommandDef, f: CliFlag, given: string | true, nowMs: number): unknown {
  if (given === true) return checked(def, f.arg, f.flag, f.flag, true);
  if (f.convert === 'time') {
    const ms = parseSince(given, nowMs);
    if (ms === null)
      throw new Usage(
        `${f.flag}: ${JSON.stringify(given)} is not a time (ISO 8601, epoch ms, or 30s/15m/2h/7d)`,
      );
    return checked(def, f.arg, f.flag, given, ms);
  }
  return checked(def, f.arg, f.flag, given, typed(def, f.arg, f.flag, given));
}

/** The word as the argument's schema type: integer, boolean (yes/no words only) or string. */
function typed(def: CommandDef, arg: string, name: string, word: string): unknown {
  const type = def.args.properties[arg]?.['type'] as unknown;
  if (type === 'integer') {
    if (!/^-?\d{1,16}$/.test(word)) throw new Usage(`${name}: ${JSON.stringify(word)} is not an integer`);
    return Number(word);
  }
  if (type === 'boolean') {
    if (YES.has(word)) return true;
    if (NO.has(word)) return false;
    throw new Usage(`${name}: must be true, yes or 1, or false, no or 0, got ${JSON.stringify(word)}`);
  }
  return word;
}

/** The registry's rule for the argument, reported under the name the command line uses. */
function checked(def: CommandDef, arg: string, name: string, word: string, value: unknown): unknown {
  const problem = argValueProblem(def, arg, value);
  if (problem !== null) throw new Usage(`${name}: ${JSON.stringify(word.slice(0, 64))} ${problem}`);
  return value;
}
