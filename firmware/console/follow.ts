// `tandemctl log --follow`: prints the latest events, then every new one as
// it is written, until Ctrl-C. No streaming in the console protocol: it
// polls the ordinary log command every FOLLOW_POLL_MS with an `afterId`
// cursor (the newest id printed so far). The daemon answers the oldest
// events past the cursor first, so a burst larger than one batch is read in
// several polls without a gap. A daemon that goes away (restarted) is
// retried, and said so on stderr; a refusal ends the follow (exit 1).
import type { CommandResponse } from '../core/envelope.ts';
import { UnreachableError } from './client.ts';
import { formatError, LogFollower } from './format.ts';

/** How a follow ended: Ctrl-C, a refusal, or no daemon to start with (tandemctl's exit codes 0, 1, 3). */
export type FollowEnd = 'interrupted' | 'daemon' | 'unreachable';

/** tandemctl's own option: it polls the log command; not an argument of the command itself. */
export const FOLLOW_FLAG = '--follow';
const FOLLOW_HELP =
  'show the last 10 events (or --limit N), then keep printing new ones as they are written, until Ctrl-C (tandemctl asks every 0.5 s for the events after the last one printed); with --json, one JSON line per event';

/** log's help (from the registry) with --follow added to its synopsis and arguments. */
export function withFollowHelp(help: string): string {
  const lines = help.split('\n');
  lines[0] = `${lines[0] ?? ''} [${FOLLOW_FLAG}]`;
  // Wrapped as the registry's entries are: the text from column 30, lines at most 100 wide.
  const entry: string[] = [];
  let line = `  ${FOLLOW_FLAG}`.padEnd(30);
  let empty = true;
  for (const word of FOLLOW_HELP.split(' ')) {
    if (!empty && line.length + 1 + word.length > 100) {
      entry.push(line);
      line = ' '.repeat(30) + word;
    } else line = empty ? line + word : `${line} ${word}`;
    empty = false;
  }
  entry.push(line);
  // After the last argument: before the blank line that precedes "role:".
  const role = lines.findIndex((l) => l.startsWith('role: '));
  lines.splice(role - 1, 0, ...entry);
  return lines.join('\n');
}

/** How often the daemon is asked for new events. */
export const FOLLOW_POLL_MS = 500;
/** Events shown before following, unless --limit says otherwise (as tail and journalctl -f). */
export const FOLLOW_FIRST = 10;
/** Events asked for per poll; a full batch is followed by another poll at once. */
export const FOLLOW_BATCH = 1000;

export interface FollowIo {
  /** One request to the daemon: the log command with these args. Throws UnreachableError. */
  readonly request: (args: Record<string, unknown>) => Promise<CommandResponse>;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly color: boolean;
  /** --json: each event as one JSON line instead of table rows. */
  readonly json: boolean;
  /** Aborted by Ctrl-C (SIGINT): the follow ends with exit 0. */
  readonly signal: AbortSignal;
  /** Waits `ms` or until the signal; resolves either way. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Resolves with the request's answer, or with 'interrupted' as soon as Ctrl-C comes. */
function unlessInterrupted<T>(p: Promise<T>, signal: AbortSignal): Promise<T | 'interrupted'> {
  if (signal.aborted) return Promise.resolve('interrupted');
  return new Promise((resolve, reject) => {
    const stop = (): void => resolve('interrupted');
    signal.addEventListener('abort', stop, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', stop);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', stop);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

type Rows = Record<string, unknown>[];

/** The events of a log reply, or null if it is not one (a daemon that answers something else). */
function eventsOf(data: unknown): Rows | null {
  const events = (data as { events?: unknown } | null)?.events;
  if (!Array.isArray(events)) return null;
  const rows = events.filter(
    (e): e is Record<string, unknown> =>
      typeof e === 'object' && e !== null && Number.isSafeInteger((e as { id?: unknown }).id),
  );
  return rows.length === events.length ? rows : null;
}

/**
 * Follows the log with the filters in `args` (since, severity, source,
 * limit for the first screen, afterId to start past a known event).
 */
export async function followLog(args: Readonly<Record<string, unknown>>, io: FollowIo): Promise<FollowEnd> {
  const wait = io.sleep ?? sleep;
  const printer = new LogFollower(io.color);
  const print = (rows: Rows): void => {
    if (io.json) {
      for (const e of [...rows].sort((a, b) => Number(a['id']) - Number(b['id']))) io.out(JSON.stringify(e));
    } else {
      const lines = printer.lines(rows);
      if (lines.length > 0) io.out(lines.join('\n'));
    }
  };
  const { limit, afterId, ...filters } = args;
  let cursor = typeof afterId === 'number' ? afterId : 0;
  let first = true;
  let lost = false;
  let full = false;
  while (!io.signal.aborted) {
    if (!first && !full) await wait(FOLLOW_POLL_MS, io.signal);
    if (io.signal.aborted) break;
    const ask = first
      ? { ...filters, limit: limit ?? FOLLOW_FIRST, ...(afterId !== undefined ? { afterId } : {}) }
      : { ...filters, limit: FOLLOW_BATCH, afterId: cursor };
    let response: CommandResponse | 'interrupted';
    try {
      response = await unlessInterrupted(io.request(ask), io.signal);
    } catch (err) {
      if (!(err instanceof UnreachableError)) throw err;
      // Nothing printed yet: as any command, the daemon is unreachable.
      if (first) {
        io.err(`tandemctl: ${err.message}`);
        return 'unreachable';
      }
      if (!lost) io.err(`tandemctl: log: ${err.message}; still trying every ${FOLLOW_POLL_MS} ms`);
      lost = true;
      full = false;
      continue;
    }
    if (response === 'interrupted') break;
    if (response.status === 'error') {
      io.err(formatError('log', response.error));
      return 'daemon';
    }
    const rows = eventsOf(response.data);
    if (rows === null) {
      io.err('tandemctl: log: the daemon answered without an event list');
      return 'daemon';
    }
    if (lost) io.err('tandemctl: log: the daemon answers again');
    lost = false;
    // The header even when nothing is there yet, so the operator sees the follow has begun.
    if (rows.length > 0 || first) print(rows);
    for (const e of rows) cursor = Math.max(cursor, Number(e['id']));
    full = !first && rows.length >= FOLLOW_BATCH;
    first = false;
  }
  return 'interrupted';
}
