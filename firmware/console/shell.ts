// `tandemctl shell`: the interactive shell of the serial console. Each line
// is split into words (shell-words.ts) and run exactly as tandemctl runs its
// argv (run.ts: the same parsing, client and formatting); Tab completes what
// the user's role may run (completer.ts); `help` is the registry's help. For
// a logged-in web user (login.ts) every request goes over web.sock on their
// behalf (`as`, address 'console'), so the daemon applies the same role rules
// and audit as for the web panel; root's shell uses the control socket (admin).
import { ConfigSchema } from '../config/schema.ts';
import { stripControl } from '../core/text.ts';
import { commandList } from '../commands/help.ts';
import type { Role } from '../commands/define.ts';
import type { CommandResponse } from '../core/envelope.ts';
import { errorMessage } from '../../hal/errors.ts';
import { parseArgs } from './cli-args.ts';
import { sendRequest, UnreachableError } from './client.ts';
import { commandsFor, complete, NOT_IN_SHELL } from './completer.ts';
import { FOLLOW_FLAG } from './follow.ts';
import { formatData, formatError } from './format.ts';
import { CONSOLE_ADDRESS } from './on-behalf.ts';
import { main, type Io, type Send } from './run.ts';
import { loadHistory, MAX_HISTORY, saveHistory } from './shell-history.ts';
import { splitWords } from './shell-words.ts';
import { Terminal } from './terminal.ts';
import { helpText } from './usage.ts';

export { historyPathFor } from './shell-history.ts';

/** tandemctl's word for the shell. */
export const SHELL_WORD = 'shell';

/** A web user logged in on the console (login.ts). */
export interface ShellUser {
  readonly name: string;
  readonly role: Role;
}

export interface ShellOptions {
  /** The login's terminal, or streams to make one on. */
  readonly term?: Terminal;
  readonly input?: NodeJS.ReadableStream;
  readonly output?: NodeJS.WritableStream;
  readonly terminal?: boolean;
  /** null: root, on the control socket with its admin role. */
  readonly user: ShellUser | null;
  /** web.sock for a user; the control socket for root. */
  readonly socket: string;
  /** The history file; null keeps history in memory only. */
  readonly historyPath: string | null;
  readonly color: boolean;
  readonly now: () => number;
  /** A user's shell ends after this long without a line; default web.idleMinutes, as the web's sessions. */
  readonly idleMs?: number;
  /** Each request's deadline (default the client's 30 s). */
  readonly timeoutMs?: number;
}

/** Runs the shell until exit, quit, Ctrl-D or the end of the input. */
export async function runShell(o: ShellOptions): Promise<void> {
  const saved = o.historyPath === null ? [] : loadHistory(o.historyPath);
  const own = o.term === undefined;
  const term =
    o.term ??
    new Terminal({
      input: o.input ?? process.stdin,
      output: o.output ?? process.stdout,
      terminal: o.terminal ?? false,
      history: [...saved].reverse(),
    });
  if (!own) term.history.unshift(...[...saved].reverse());
  const role: Role = o.user?.role ?? 'admin';
  const name = o.user?.name ?? 'root';
  term.completer = (line) => complete(line, role);
  const as = o.user === null ? undefined : { user: o.user.name, role: o.user.role, address: CONSOLE_ADDRESS };
  // Every request goes to the shell's own socket: a line's --socket is refused below.
  const send: Send = (_socket, command, args) => sendRequest(o.socket, command, args, o.timeoutMs, as);
  const say = (text: string): void => term.write(`${text}\n`);
  const io: Io = {
    out: say,
    err: say,
    color: o.color,
    now: o.now,
    send,
    help: (topic) => shellHelp(topic, role),
    readSecret: (metavar) => term.askSecret(`${metavar}: `),
    interrupt: () => {
      const ctrlC = new AbortController();
      term.interrupt = () => ctrlC.abort();
      return ctrlC.signal;
    },
  };
  const history = new HistoryFile(o.historyPath, saved, say);
  const prompt = `${await statusScreen(send, io)} ${name}> `;
  // root's shell, like root's sh, is not logged out.
  const idleMs = o.user === null ? undefined : (o.idleMs ?? (await webIdleMs(send)));
  for (;;) {
    const line = await term.ask(prompt, idleMs);
    if (line === null) {
      if (!term.isClosed && idleMs !== undefined)
        say(`\nlogged out after ${Math.round(idleMs / 60_000)} min without a command`);
      break;
    }
    const words = splitWords(line.trim());
    if (!words.ok) {
      term.forget(line);
      say(`tandemctl: ${words.error}`);
      continue;
    }
    const [first] = words.value;
    if (first === undefined) continue;
    if ((first === 'exit' || first === 'quit') && words.value.length === 1) break;
    const refusal = refused(words.value, o);
    if (refusal.record) history.add(line.trim());
    else term.forget(line);
    if (refusal.error !== null) {
      say(`tandemctl: ${refusal.error}`);
      continue;
    }
    try {
      await main(words.value, io);
    } catch (err) {
      say(`tandemctl: internal error: ${errorMessage(err)}`);
    } finally {
      term.interrupt = null;
    }
  }
  if (own) term.close();
}

/**
 * Whether the line may go into the history (it parses, the shell runs it,
 * and the command asks for no secret: a password typed at the prompt by
 * mistake must not be kept), and why the shell will not run it, if it will not.
 */
function refused(words: readonly string[], o: ShellOptions): { record: boolean; error: string | null } {
  const parsed = parseArgs(
    words.filter((w) => w !== FOLLOW_FLAG),
    o.now(),
  );
  if (parsed.kind === 'help') return { record: true, error: null };
  if (parsed.kind === 'usage') return { record: false, error: null }; // run.ts says what is wrong
  const record = parsed.secrets === undefined;
  if (NOT_IN_SHELL.has(parsed.command))
    return { record: false, error: `${parsed.command}: not in the shell (log out, and log in as that user)` };
  if (parsed.socket !== undefined)
    return { record: false, error: '--socket, --controller: the shell talks only to its own controller' };
  // The shell runs as root for a web user: files would be root's, which the web never reaches either.
  if (o.user !== null && (parsed.readFile !== undefined || parsed.exportFile !== undefined))
    return {
      record: false,
      error: 'FILE: a web user’s shell reads and writes no files (without FILE, config export prints)',
    };
  return { record, error: null };
}

/** The `status` screen at the start; answers the prompt's start: box and controller. */
async function statusScreen(send: Send, io: Io): Promise<string> {
  let r: CommandResponse;
  try {
    r = await send(undefined, 'status', {});
  } catch (err) {
    io.err(`tandemctl: ${err instanceof UnreachableError ? err.message : errorMessage(err)}`);
    return 'tandem';
  }
  if (r.status === 'error') {
    io.err(formatError('status', r.error ?? ''));
    return 'tandem';
  }
  io.out(formatData('status', r.data, { color: io.color, nowMs: io.now() }));
  const d = (typeof r.data === 'object' && r.data !== null ? r.data : {}) as Record<string, unknown>;
  const box = typeof d['boxId'] === 'string' ? d['boxId'] : 'tandem';
  const controller = typeof d['controller'] === 'string' ? `-${d['controller']}` : '';
  return stripControl(`${box}${controller}`).slice(0, 40);
}

/** web.idleMinutes as the schema declares it (its default and bounds). */
const IDLE = ConfigSchema.properties.web.properties.idleMinutes;
const DEFAULT_IDLE_MINUTES = Number(IDLE.default);
const MIN_IDLE = IDLE.minimum ?? 1;
const MAX_IDLE = IDLE.maximum ?? DEFAULT_IDLE_MINUTES;

/** The web sessions' idle time (web.idleMinutes) from the config in force; its default when unknown. */
async function webIdleMs(send: Send): Promise<number> {
  let minutes = DEFAULT_IDLE_MINUTES;
  try {
    const r = await send(undefined, 'config-show', {});
    const web = (r.data as { web?: { idleMinutes?: unknown } } | null)?.web;
    const m = web?.idleMinutes;
    if (r.status === 'ok' && typeof m === 'number' && Number.isInteger(m) && m >= MIN_IDLE && m <= MAX_IDLE)
      minutes = m;
  } catch {
    // unreachable: the default; the prompt's next command will say so
  }
  return minutes * 60_000;
}

/** The shell's help: the commands this role may run, or the registry's help on one. */
export function shellHelp(topic: readonly string[], role: Role): string | null {
  if (topic.length > 0) return helpText(topic);
  return [
    `commands for the ${role} role:`,
    commandList(commandsFor(role)),
    '',
    'shell:',
    '  help [COMMAND]              this list, or one command’s arguments',
    '  exit, quit, Ctrl-D          leave the shell',
    '  Tab                         complete a command or --option; Ctrl-C clears the line',
    `  log ${FOLLOW_FLAG}                keep printing new events until Ctrl-C`,
    '  --json                      the daemon’s reply as JSON',
    '  secrets (passwords) are asked for after the line, without echo',
  ].join('\n');
}

/** The lines kept for the next session; writing it may fail (said once), the shell goes on. */
class HistoryFile {
  private readonly lines: string[];
  private warned = false;
  private readonly path: string | null;
  private readonly say: (text: string) => void;

  constructor(path: string | null, saved: readonly string[], say: (text: string) => void) {
    this.path = path;
    this.lines = [...saved];
    this.say = say;
  }

  add(line: string): void {
    if (this.lines.at(-1) === line) return;
    this.lines.push(line);
    if (this.lines.length > MAX_HISTORY) this.lines.splice(0, this.lines.length - MAX_HISTORY);
    if (this.path === null) return;
    try {
      saveHistory(this.path, this.lines);
    } catch (err) {
      if (!this.warned) this.say(`tandemctl: history not kept: ${errorMessage(err)}`);
      this.warned = true;
    }
  }
}
