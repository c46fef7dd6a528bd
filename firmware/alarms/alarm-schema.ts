// The alarms table in the state database, and the upgrades an older
// firmware's table needs: the database survives firmware updates, so a
// column added later is added in place and old severity words are rewritten
// to the one vocabulary (events/types.ts) the alarms now share with the log.
import type { DatabaseSync } from '../events/sqlite.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS alarms (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  code TEXT NOT NULL,
  subject TEXT NOT NULL,
  severity TEXT NOT NULL,
  message TEXT NOT NULL,
  params TEXT NOT NULL,
  raised_at INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  count INTEGER NOT NULL,
  cleared_at INTEGER,
  acked_at INTEGER,
  acked_by TEXT,
  children TEXT NOT NULL DEFAULT '[]'
);
CREATE UNIQUE INDEX IF NOT EXISTS alarms_one_active ON alarms(code, subject) WHERE cleared_at IS NULL;
`;

/** Severity words of firmware before the alarms and the event log shared one set. */
const LEGACY_SEVERITY: Readonly<Record<string, string>> = { major: 'error', minor: 'warning' };

export function prepareAlarmTable(db: DatabaseSync): void {
  db.exec(SCHEMA);
  const columns = db.prepare('PRAGMA table_info(alarms)').all() as unknown as { name: string }[];
  if (!columns.some((c) => c.name === 'children'))
    db.exec(`ALTER TABLE alarms ADD COLUMN children TEXT NOT NULL DEFAULT '[]'`);
  for (const [old, now] of Object.entries(LEGACY_SEVERITY))
    db.prepare('UPDATE alarms SET severity = ? WHERE severity = ?').run(now, old);
}
