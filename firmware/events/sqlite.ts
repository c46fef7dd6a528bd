// Loads node:sqlite without its one-time ExperimentalWarning.
//
// node:sqlite is built into Node 22.22 (so no native addon to compile in
// Buildroot) but is still flagged experimental, and Node prints a warning on
// stderr the first time it is loaded. On the box that line would land in the
// console log on every boot and look like a fault. We silence exactly that
// warning, only for the duration of the load, and leave every other warning
// (including other ExperimentalWarnings) alone.
import { createRequire } from 'node:module';
import type * as Sqlite from 'node:sqlite';

function isSqliteExperimentalWarning(warning: string | Error, typeOrOptions: unknown): boolean {
  const message = typeof warning === 'string' ? warning : warning.message;
  const type =
    typeof warning !== 'string'
      ? warning.name
      : typeof typeOrOptions === 'string'
        ? typeOrOptions
        : (typeOrOptions as { type?: string } | undefined)?.type;
  return type === 'ExperimentalWarning' && /\bSQLite\b/.test(message);
}

function loadSqlite(): typeof Sqlite {
  // Kept unbound so the very same function object is put back afterwards.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const saved = process.emitWarning;
  const original = saved.bind(process) as (...args: unknown[]) => void;
  const filtered = (warning: string | Error, ...rest: unknown[]): void => {
    if (!isSqliteExperimentalWarning(warning, rest[0])) original(warning, ...rest);
  };
  process.emitWarning = filtered;
  try {
    // A synchronous require keeps the load inside the try/finally window;
    // a static ESM import would be hoisted above the filter.
    return createRequire(import.meta.url)('node:sqlite') as typeof Sqlite;
  } finally {
    process.emitWarning = saved;
  }
}

const sqlite = loadSqlite();

export const DatabaseSync = sqlite.DatabaseSync;
export type DatabaseSync = Sqlite.DatabaseSync;
export type StatementSync = Sqlite.StatementSync;
