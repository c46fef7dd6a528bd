#!/usr/bin/env node
// tandemctl: the serial-console (and SSH) client of the controller daemon.
// `node firmware/console/tandemctl.ts [--json] COMMAND ...`; /usr/bin/tandemctl
// on the box execs exactly this. Exit codes: 0 ok, 1 error from the daemon,
// 2 usage, 3 daemon unreachable. `log --follow` runs until Ctrl-C (exit 0).
import { writeFileSync } from 'node:fs';
import { paths } from '../../hal/paths.ts';
import { MAX_CONFIG_TEXT } from '../commands/args.ts';
import { commandDef } from '../commands/registry.ts';
import { createInterface } from 'node:readline';
import { readFileBounded } from '../core/bounded-read.ts';
import { parseArgs } from './cli-args.ts';
import { sendRequest, UnreachableError } from './client.ts';
import { FOLLOW_FLAG, followLog } from './follow.ts';
import { formatData, formatError, useColor } from './format.ts';
import { helpText, USAGE } from './usage.ts';
import { errorMessage } from '../../hal/errors.ts';

export const EXIT = { ok: 0, daemon: 1, usage: 2, unreachable: 3 } as const;

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly color: boolean;
  readonly now: () => number;
  /** log --follow: called when following begins; the signal it returns ends it (Ctrl-C). */
  readonly interrupt?: () => AbortSignal;
  /** The next line of standard input (a secret argument), asked for without echo on a terminal; null at its end. */
  readonly readSecret?: (metavar: string) => Promise<string | null>;
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

export async function main(argv: readonly string[], io: Io): Promise<number> {
  // --follow is tandemctl's own option of log (it polls the log command), not an argument the daemon knows.
  const follow = argv.includes(FOLLOW_FLAG);
  const parsed = parseArgs(follow ? argv.filter((a) => a !== FOLLOW_FLAG) : argv, io.now());
  if (parsed.kind === 'help') {
    const text = helpText(parsed.topic);
    if (text === null) {
      io.err(`tandemctl: COMMAND: no command ${JSON.stringify(parsed.topic.join(' '))} (try --help)`);
      return EXIT.usage;
    }
    io.out(text);
    return EXIT.ok;
  }
  if (parsed.kind === 'usage') {
    io.err(`tandemctl: ${parsed.message}\n${USAGE.split('\n')[0] ?? ''}`);
    return EXIT.usage;
  }
  if (follow && parsed.command !== 'log') {
    const words = commandDef(parsed.command).cli.words.join(' ');
    io.err(`tandemctl: ${FOLLOW_FLAG}: not an option of ${words}\n${USAGE.split('\n')[0] ?? ''}`);
    return EXIT.usage;
  }
  const args = { ...parsed.args };
  if (follow) {
    const socket = parsed.socket ?? paths.controlSocket;
    const end = await followLog(args, {
      request: (a) => sendRequest(socket, 'log', a),
      out: io.out,
      err: io.err,
      color: io.color,
      json: parsed.json,
      signal: io.interrupt?.() ?? new AbortController().signal,
    });
    return end === 'interrupted' ? EXIT.ok : end === 'daemon' ? EXIT.daemon : EXIT.unreachable;
  }
  if (parsed.readFile !== undefined) {
    // Stops at the limit: `config import /dev/zero` ends at once with an error naming it.
    const read = readFileBounded(parsed.readFile, MAX_CONFIG_TEXT, `cannot read ${parsed.readFile}`);
    if (!read.ok) {
      io.err(`tandemctl: FILE: ${read.error}`);
      return EXIT.usage;
    }
    args['text'] = read.value.toString('utf8');
  }
  for (const s of parsed.secrets ?? []) {
    const line = (await io.readSecret?.(s.metavar)) ?? null;
    if (line === null) {
      io.err(`tandemctl: ${s.metavar}: missing on standard input (one line each; never on the command line)`);
      return EXIT.usage;
    }
    args[s.arg] = line;
  }
  let response;
  try {
    response = await sendRequest(parsed.socket ?? paths.controlSocket, parsed.command, args);
  } catch (err) {
    if (err instanceof UnreachableError) {
      io.err(`tandemctl: ${err.message}`);
      return EXIT.unreachable;
    }
    throw err;
  }
  if (parsed.json) {
    io.out(JSON.stringify(response, null, 2));
    return response.status === 'ok' ? EXIT.ok : EXIT.daemon;
  }
  if (response.status === 'error') {
    io.err(formatError(parsed.command, response.error));
    return EXIT.daemon;
  }
  if (parsed.exportFile !== undefined) {
    const text =
      typeof response.data === 'string' ? response.data : JSON.stringify(response.data, null, 2) + '\n';
    try {
      // Exports may hold secrets: never world-readable.
      writeFileSync(parsed.exportFile, text, { mode: 0o600 });
    } catch (err) {
      io.err(`tandemctl: FILE: cannot write ${parsed.exportFile}: ${(err as Error).message}`);
      return EXIT.usage;
    }
    io.out(`exported to ${parsed.exportFile}`);
    return EXIT.ok;
  }
  io.out(formatData(parsed.command, response.data, { color: io.color, nowMs: io.now() }));
  return EXIT.ok;
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
