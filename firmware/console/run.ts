// One tandemctl request from its words to the printed answer: parse as the
// registry spells commands, ask for secret arguments, send, format. tandemctl
// runs it once per process; the console shell (shell.ts) once per line,
// sending on its user's behalf through `send`.
import { writeFileSync } from 'node:fs';
import { paths } from '../../hal/paths.ts';
import { MAX_CONFIG_TEXT } from '../commands/args.ts';
import { commandDef } from '../commands/registry.ts';
import { readFileBounded } from '../core/bounded-read.ts';
import type { CommandName, CommandResponse } from '../core/envelope.ts';
import { parseArgs } from './cli-args.ts';
import { sendRequest, UnreachableError } from './client.ts';
import { drillText, followDrill } from './drill-report.ts';
import { FOLLOW_FLAG, followLog } from './follow.ts';
import { formatData, formatError } from './format.ts';
import { followUpgrade } from './upgrade-progress.ts';
import { helpText, USAGE } from './usage.ts';

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
  /** Where requests go; default: to the parsed --socket, else the control socket, as root. */
  readonly send?: Send;
  /** Help on the words after `help`; default tandemctl's (usage.ts). */
  readonly help?: (topic: readonly string[]) => string | null;
}

/** Sends one request to the daemon (throws UnreachableError when it cannot). */
export type Send = (
  socket: string | undefined,
  command: CommandName,
  args: Record<string, unknown>,
) => Promise<CommandResponse>;

const toSocket: Send = (socket, command, args) => sendRequest(socket ?? paths.controlSocket, command, args);

export async function main(argv: readonly string[], io: Io): Promise<number> {
  // --follow is tandemctl's own option of log (it polls the log command), not an argument the daemon knows.
  const follow = argv.includes(FOLLOW_FLAG);
  const parsed = parseArgs(follow ? argv.filter((a) => a !== FOLLOW_FLAG) : argv, io.now());
  if (parsed.kind === 'help') {
    const text = (io.help ?? helpText)(parsed.topic);
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
  const followsUpgrade = parsed.command === 'upgrade' || parsed.command === 'upgrade-status';
  if (follow && parsed.command !== 'log' && !followsUpgrade) {
    const words = commandDef(parsed.command).cli.words.join(' ');
    io.err(`tandemctl: ${FOLLOW_FLAG}: not an option of ${words}\n${USAGE.split('\n')[0] ?? ''}`);
    return EXIT.usage;
  }
  const args = { ...parsed.args };
  const send = io.send ?? toSocket;
  if (follow && !followsUpgrade) {
    const end = await followLog(args, {
      request: (a) => send(parsed.socket, 'log', a),
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
    response = await send(parsed.socket, parsed.command, args);
  } catch (err) {
    if (err instanceof UnreachableError) {
      io.err(`tandemctl: ${err.message}`);
      return EXIT.unreachable;
    }
    throw err;
  }
  // `drill` follows the drill it started to its report (drill-report.ts).
  if (parsed.command === 'drill' && response.status === 'ok') {
    if (!parsed.json) io.out(drillText(response.data, io.color) ?? 'drill started');
    const end = await followDrill({
      status: () => send(parsed.socket, 'drill-status', {}),
      out: io.out,
      err: io.err,
      color: io.color,
      json: parsed.json,
      signal: io.interrupt?.() ?? new AbortController().signal,
    });
    return end === 'interrupted' || end === 0 ? EXIT.ok : EXIT.daemon;
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
  const drill = parsed.command === 'drill-status' ? drillText(response.data, io.color) : null;
  io.out(drill ?? formatData(parsed.command, response.data, { color: io.color, nowMs: io.now() }));
  if (follow && followsUpgrade) {
    const end = await followUpgrade({
      status: () => send(parsed.socket, 'upgrade-status', {}),
      out: io.out,
      err: io.err,
      signal: io.interrupt?.() ?? new AbortController().signal,
    });
    return end === 'interrupted' ? EXIT.ok : end === 0 ? EXIT.ok : EXIT.daemon;
  }
  return EXIT.ok;
}
