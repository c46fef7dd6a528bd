#!/usr/bin/env node
// tandemctl: the serial-console (and SSH) client of the controller daemon.
// `node firmware/console/tandemctl.ts [--json] COMMAND ...`; /usr/bin/tandemctl
// on the box execs exactly this. Exit codes: 0 ok, 1 error from the daemon,
// 2 usage, 3 daemon unreachable.
import { writeFileSync } from 'node:fs';
import { paths } from '../../hal/paths.ts';
import { MAX_CONFIG_TEXT } from '../commands/args.ts';
import { readFileBounded } from '../core/bounded-read.ts';
import { parseArgs } from './cli-args.ts';
import { sendRequest, UnreachableError } from './client.ts';
import { formatData, formatError, useColor } from './format.ts';
import { helpText, USAGE } from './usage.ts';
import { errorMessage } from '../../hal/errors.ts';

export const EXIT = { ok: 0, daemon: 1, usage: 2, unreachable: 3 } as const;

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly color: boolean;
  readonly now: () => number;
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const parsed = parseArgs(argv, io.now());
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
  const args = { ...parsed.args };
  if (parsed.readFile !== undefined) {
    // Stops at the limit: `config import /dev/zero` ends at once with an error naming it.
    const read = readFileBounded(parsed.readFile, MAX_CONFIG_TEXT, `cannot read ${parsed.readFile}`);
    if (!read.ok) {
      io.err(`tandemctl: FILE: ${read.error}`);
      return EXIT.usage;
    }
    args['text'] = read.value.toString('utf8');
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
  main(process.argv.slice(2), {
    out: (t) => process.stdout.write(t + '\n'),
    err: (t) => process.stderr.write(t + '\n'),
    color: useColor(process.stdout, process.env),
    now: () => Date.now(),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`tandemctl: internal error: ${errorMessage(err)}\n`);
      process.exitCode = 1;
    },
  );
}
