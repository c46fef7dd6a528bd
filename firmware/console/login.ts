// /usr/sbin/tandem-login: the program BusyBox getty runs on the serial
// console (`getty -n -l /usr/sbin/tandem-login 115200 console`). It asks
// `login:` and `Password:` (no echo), checks the pair with the daemon's
// `login` command over web.sock exactly as the web panel does (the web
// panel's users; while there are none, `admin` with the initial password),
// has a user who must change the password choose a new one through
// `password-change`, then runs the shell (shell.ts) for that user and role.
// `root` is no firmware user: /bin/login checks root's own password (the
// wrapper execs it when this program exits with ROOT_LOGIN_EXIT). Three
// wrong tries end the program (getty starts it again), each after a pause;
// the daemon's event log keeps every failure (WEB_LOGIN_FAILED).
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { errorMessage } from '../../hal/errors.ts';
import { paths } from '../../hal/paths.ts';
import type { Role } from '../commands/define.ts';
import { WEB_USER_NAME } from '../config/patterns.ts';
import type { CommandName, CommandResponse } from '../core/envelope.ts';
import { stripControl } from '../core/text.ts';
import { sendRequest, UnreachableError } from './client.ts';
import { useColor } from './format.ts';
import { CONSOLE_ADDRESS } from './on-behalf.ts';
import { webSocketPath } from './panel-socket.ts';
import { historyPathFor, runShell, type ShellUser } from './shell.ts';
import { Terminal } from './terminal.ts';

export const TRIES = 3;
/** The pause after a wrong password, doubled after each (as login(1) pauses). */
export const FAIL_DELAY_MS = 2000;
/** A name longer than this is no user's (WEB_USER_NAME allows 32). */
const MAX_NAME = 64;
/** The registry's bound on a password; longer ones are wrong without asking the daemon. */
const MAX_PASSWORD = 256;
export const WRONG = 'Login incorrect';

export interface LoginOptions {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
  readonly terminal: boolean;
  /** The daemon's web.sock. */
  readonly socket: string;
  /** The control socket: there without web.sock, the daemon runs with the web panel (and its users) off. */
  readonly controlSocket?: string;
  readonly stateDir: string;
  readonly color: boolean;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Hands the console to /bin/login for root; resolves with the exit code to end with. */
  readonly rootLogin: () => Promise<number>;
  readonly timeoutMs?: number;
}

/** Exit code: 0 after a session, 1 after three failures or the end of the input. */
export async function login(o: LoginOptions): Promise<number> {
  const term = new Terminal({ input: o.input, output: o.output, terminal: o.terminal });
  try {
    return await session(o, term);
  } finally {
    term.close();
  }
}

async function session(o: LoginOptions, term: Terminal): Promise<number> {
  const say = (text: string): void => term.write(`${text}\n`);
  say(`\nTandem storage controller ${stripControl(hostname()).slice(0, 64)}: serial console`);
  let daemonUp = existsSync(o.socket);
  if (!daemonUp)
    say(
      o.controlSocket !== undefined && existsSync(o.controlSocket)
        ? 'The web panel is off (web.enabled), and its users with it: only root can log in.'
        : `The firmware is not running (no ${o.socket}): only root can log in.`,
    );
  let delay = FAIL_DELAY_MS;
  for (let tries = 0; tries < TRIES;) {
    const typed = await term.ask('login: ');
    if (typed === null) return 1;
    term.forget(typed); // the shell's history starts with its own lines
    const name = stripControl(typed).trim().slice(0, MAX_NAME);
    if (name === '') continue;
    if (name === 'root') {
      term.close();
      return o.rootLogin();
    }
    tries += 1;
    // The console's getty starts before the daemon is up: look again.
    daemonUp ||= existsSync(o.socket);
    let who: Checked | null = null;
    if (!daemonUp) {
      say('Only root can log in now (see above).');
    } else {
      const password = await term.askSecret('Password: ');
      if (password === null && term.isClosed) return 1;
      who = await check(o, name, password ?? '');
      if ('error' in who && who.error === 'unreachable') {
        daemonUp = false;
        say('The firmware is not answering: only root can log in now.');
        continue;
      }
    }
    if (who === null || 'error' in who) {
      await o.sleep(delay);
      delay *= 2;
      say(who === null ? WRONG : who.error);
      continue;
    }
    if (who.mustChange && !(await newPassword(o, term, who))) return 1;
    await runShell({
      term,
      user: { name: who.name, role: who.role },
      socket: o.socket,
      historyPath: historyPathFor(who.name, o.stateDir),
      color: o.color,
      now: o.now,
      ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }),
    });
    return 0;
  }
  return 1;
}

type Checked = (ShellUser & { readonly mustChange: boolean; readonly password: string }) | { error: string };

/** The daemon's answer to name and password; never says which of the two was wrong. */
async function check(o: LoginOptions, name: string, password: string): Promise<Checked> {
  // What the web checks before it asks (routes-auth.ts): the daemon would refuse these anyway.
  if (!new RegExp(WEB_USER_NAME).test(name) || password.length === 0 || password.length > MAX_PASSWORD)
    return { error: WRONG };
  const r = await ask(o, 'login', { name, password }, { name, role: 'viewer' });
  if (r === null) return { error: 'unreachable' };
  if (r.status !== 'ok') return { error: WRONG };
  const d = r.data as { name?: unknown; role?: unknown; mustChange?: unknown };
  const role = d.role === 'admin' || d.role === 'operator' ? d.role : 'viewer';
  return { name, role, mustChange: d.mustChange === true, password };
}

/** The first login with the initial (or a reset) password: a new one, typed twice. */
async function newPassword(
  o: LoginOptions,
  term: Terminal,
  who: ShellUser & { readonly password: string },
): Promise<boolean> {
  const say = (text: string): void => term.write(`${text}\n`);
  say('You must choose a new password (10 to 256 characters).');
  for (let tries = 0; tries < TRIES; tries++) {
    const first = await term.askSecret('New password: ');
    if (first === null && term.isClosed) return false;
    const again = await term.askSecret('Retype new password: ');
    if (again === null && term.isClosed) return false;
    if (first === null || again === null || first !== again) {
      say('The passwords do not match.');
      continue;
    }
    const r = await ask(o, 'password-change', { name: who.name, old: who.password, new: first }, who);
    if (r === null) {
      say('The firmware is not answering.');
      return false;
    }
    if (r.status === 'ok') {
      say('Password changed.');
      return true;
    }
    say(stripControl(r.error ?? 'refused'));
  }
  return false;
}

/** One request on the user's behalf; null when the daemon cannot be reached. */
async function ask(
  o: LoginOptions,
  command: CommandName,
  args: Record<string, unknown>,
  who: { readonly name: string; readonly role: Role },
): Promise<CommandResponse | null> {
  try {
    return await sendRequest(o.socket, command, args, o.timeoutMs, {
      user: who.name,
      role: who.role,
      address: CONSOLE_ADDRESS,
    });
  } catch (err) {
    if (err instanceof UnreachableError) return null;
    throw err;
  }
}

/**
 * The exit code that asks the wrapper (/usr/sbin/tandem-login, a sh script)
 * to `exec /bin/login root`: a real exec, so no Node process stays between
 * root's shell and the terminal, nor reads from it.
 */
export const ROOT_LOGIN_EXIT = 100;

if (import.meta.main) {
  login({
    input: process.stdin,
    output: process.stdout,
    terminal: process.stdin.isTTY && process.stdout.isTTY,
    socket: webSocketPath(),
    controlSocket: paths.controlSocket,
    stateDir: paths.stateDir,
    color: useColor(process.stdout, process.env),
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    // root's own password is /bin/login's to check (/etc/shadow): the wrapper execs it.
    rootLogin: () => Promise.resolve(ROOT_LOGIN_EXIT),
  }).then(
    (code) => process.exit(code),
    (err: unknown) => {
      // Never a stack trace on the console; getty starts the login again.
      process.stdout.write(`tandem-login: ${errorMessage(err)}\n`);
      process.exit(1);
    },
  );
}
