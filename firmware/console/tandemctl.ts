#!/usr/bin/env node
// tandemctl: the serial-console (and SSH) client of the controller daemon.
// `node firmware/console/tandemctl.ts [--json] COMMAND ...`; /usr/bin/tandemctl
// on the box execs exactly this. Exit codes: 0 ok, 1 error from the daemon,
// 2 usage, 3 daemon unreachable. `log --follow` runs until Ctrl-C (exit 0).
// `tandemctl shell` is the interactive shell (shell.ts) with the root socket's admin role.
import { createInterface } from 'node:readline';
import { errorMessage } from '../../hal/errors.ts';
import { paths } from '../../hal/paths.ts';
import { parseArgs } from './cli-args.ts';
import { useColor } from './format.ts';
import { EXIT, main as runOnce, type Io } from './run.ts';
import { historyPathFor, runShell, SHELL_WORD } from './shell.ts';

export { EXIT, type Io } from './run.ts';

/** tandemctl's words: `shell` starts the interactive shell, anything else is one request. */
export function main(argv: readonly string[], io: Io): Promise<number> {
  return argv[0] === SHELL_WORD ? rootShell(argv.slice(1), io) : runOnce(argv, io);
}

const SHELL_USAGE = 'usage: tandemctl shell [--socket PATH | --controller A|B]';

/** `tandemctl shell` as root: the control socket's admin role, on this process's terminal. */
async function rootShell(rest: readonly string[], io: Io): Promise<number> {
  // The socket options are parsed as for any command (status stands in for one).
  const parsed = parseArgs([...rest, 'status'], io.now());
  if (parsed.kind !== 'request' || parsed.json || parsed.command !== 'status') {
    io.err(`tandemctl: shell: only --socket or --controller may follow it\n${SHELL_USAGE}`);
    return EXIT.usage;
  }
  await runShell({
    input: process.stdin,
    output: process.stdout,
    terminal: process.stdin.isTTY && process.stdout.isTTY,
    user: null,
    socket: parsed.socket ?? paths.controlSocket,
    historyPath: historyPathFor('root', paths.stateDir),
    color: io.color,
    now: io.now,
  });
  return EXIT.ok;
}

/**
 * Secrets from standard input: on a terminal each is asked for on stderr and
 * typed without echo (raw mode, Enter ends it, Ctrl-C gives up); otherwise
 * they are the lines piped in, in order.
 */
function stdinSecrets(): (metavar: string) => Promise<string | null> {
  let lines: AsyncIterator<string> | null = null;
  return async (metavar) => {
    const stdin = process.stdin;
    if (stdin.isTTY) return askWithoutEcho(`${metavar}: `);
    lines ??= createInterface({ input: stdin, terminal: false })[Symbol.asyncIterator]();
    const next = await lines.next();
    return next.done === true ? null : next.value.slice(0, MAX_SECRET_CHARS);
  };
}

/** A secret line is at most this long; the registry bounds each argument again. */
const MAX_SECRET_CHARS = 4096;

function askWithoutEcho(prompt: string): Promise<string | null> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  let typed = '';
  return new Promise((resolve) => {
    const done = (value: string | null): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      resolve(value);
    };
    const onData = (chunk: Buffer): void => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done(typed);
        if (ch === '\u0003' || ch === '\u0004') return done(null); // Ctrl-C, Ctrl-D
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else if (typed.length < MAX_SECRET_CHARS) typed += ch;
      }
    };
    stdin.on('data', onData);
  });
}

if (import.meta.main) {
  let following = false;
  main(process.argv.slice(2), {
    out: (t) => process.stdout.write(t + '\n'),
    err: (t) => process.stderr.write(t + '\n'),
    color: useColor(process.stdout, process.env),
    now: () => Date.now(),
    readSecret: stdinSecrets(),
    interrupt: () => {
      following = true;
      const ctrlC = new AbortController();
      process.once('SIGINT', () => ctrlC.abort());
      // `log --follow | head`: the reader went away, which ends the follow as Ctrl-C does.
      process.stdout.on('error', () => ctrlC.abort());
      return ctrlC.signal;
    },
  }).then(
    (code) => {
      process.exitCode = code;
      // A poll still in flight when Ctrl-C came must not hold the exit (stdout is synchronous on Linux).
      if (following) process.exit(code);
    },
    (err: unknown) => {
      process.stderr.write(`tandemctl: internal error: ${errorMessage(err)}\n`);
      process.exitCode = 1;
    },
  );
}
