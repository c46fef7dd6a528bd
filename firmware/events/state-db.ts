// Opens the controller's state database (event log and alarms share it).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from './sqlite.ts';

/**
 * WAL + synchronous=NORMAL: a commit appends to the -wal file without an
 * fsync; fsync happens only at checkpoints. A process crash (kill -9, OOM,
 * watchdog restart of the daemon) loses nothing that was committed, and a
 * power cut can lose at most the last few commits but never corrupts the
 * database or earlier events. FULL would fsync every batch — on eMMC that is
 * both slower and more wear for events that are diagnostic, not state.
 * (Alarms, which are state, are few and also survive process crashes.)
 */
export function openStateDatabase(path: string): DatabaseSync {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = NORMAL');
  // Another reader (tandemctl, a backup) may briefly hold a lock.
  db.exec('PRAGMA busy_timeout = 2000');
  return db;
}

/** True when SQLite's own consistency check passes. */
export function integrityOk(db: DatabaseSync): boolean {
  const row = db.prepare('PRAGMA integrity_check').get() as { integrity_check?: string } | undefined;
  return row?.integrity_check === 'ok';
}
