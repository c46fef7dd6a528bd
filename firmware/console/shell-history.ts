// The console shell's history file, one per user (shell-history-<user> in
// the state directory): at most MAX_HISTORY lines, oldest first, mode 0600
// (it shows what an operator did). Read bounded; written whole through a
// temporary file and rename, so a power cut leaves the old list or the new.
// Which lines may go in is the shell's rule (never a command with secrets).
import { chmodSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readFileBounded } from '../core/bounded-read.ts';
import { stripControl } from '../core/text.ts';
import { MAX_LINE_CHARS } from './terminal.ts';

export const MAX_HISTORY = 500;

export function historyPathFor(user: string, stateDir: string): string {
  return join(stateDir, `shell-history-${user}`);
}

/** The lines kept in `path`, oldest first; none when it is missing or unreadable. */
export function loadHistory(path: string): string[] {
  const read = readFileBounded(path, MAX_HISTORY * (MAX_LINE_CHARS + 1), 'shell history');
  if (!read.ok) return [];
  return read.value
    .toString('utf8')
    .split('\n')
    .map((l) => stripControl(l).slice(0, MAX_LINE_CHARS))
    .filter((l) => l.trim() !== '')
    .slice(-MAX_HISTORY);
}

/** Stores the last MAX_HISTORY of `lines` (oldest first); throws when it cannot. */
export function saveHistory(path: string, lines: readonly string[]): void {
  const tmp = `${path}.tmp`;
  const text = lines.slice(-MAX_HISTORY).join('\n');
  writeFileSync(tmp, text === '' ? '' : `${text}\n`, { mode: 0o600 });
  // writeFileSync's mode applies only to a file it creates: a stale tmp keeps its own.
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}
