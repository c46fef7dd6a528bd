// The web panel's event filters against the real SQLite event log: an
// exclusive upper time bound, a case-insensitive message substring whose
// wildcards are literal (and which never reaches the SQL text), and paging
// backwards with beforeId; and the log command's bounds on them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import { RegistryCommands } from '../../../firmware/commands/dispatch.ts';
import { EventLog } from '../../../firmware/events/event-log.ts';
import { buildQuery, containsPattern } from '../../../firmware/events/query.ts';
import type { DatabaseSync } from '../../../firmware/events/sqlite.ts';
import { openStateDatabase } from '../../../firmware/events/state-db.ts';
import type { EventQuery } from '../../../firmware/events/types.ts';
import { fakeContext } from '../commands/fake-context.ts';

const T0 = Date.UTC(2026, 0, 1);
const MESSAGES = [
  'Peer B dead',
  'disk 100% full',
  'pg_main started',
  'pgxmain started',
  'path C:\\data mounted',
  'PEER b suspect',
  "quote ' and -- comment",
  'plain',
];

let dir: string;
let db: DatabaseSync;
let clock: SimClock;
let log: EventLog;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-filters-'));
  db = openStateDatabase(join(dir, 'state.db'));
  clock = new SimClock(T0);
  log = new EventLog({ db, clock });
  // Event i (from 1) at T0 + (i-1) s.
  for (const message of MESSAGES) {
    log.append({ severity: 'info', source: 'test', code: 'C', message });
    await clock.advance(1000);
  }
});

afterEach(() => {
  log.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const ids = (q: EventQuery) => log.query(q).map((e) => e.id);

describe('event query filters', () => {
  it('until is exclusive', () => {
    expect(ids({ toTs: T0 + 2000 })).toEqual([2, 1]);
    expect(ids({ fromTs: T0 + 1000, toTs: T0 + 3000 })).toEqual([3, 2]);
    expect(ids({ toTs: T0 })).toEqual([]);
  });

  it('text matches a substring of the message, case-insensitive', () => {
    expect(ids({ text: 'peer b' })).toEqual([6, 1]);
    expect(ids({ text: 'STARTED' })).toEqual([4, 3]);
    expect(ids({ text: 'nothing like this' })).toEqual([]);
  });

  it('takes % _ and backslash literally', () => {
    expect(ids({ text: '%' })).toEqual([2]);
    expect(ids({ text: 'pg_main' })).toEqual([3]);
    expect(ids({ text: '_' })).toEqual([3]);
    expect(ids({ text: 'C:\\data' })).toEqual([5]);
    expect(ids({ text: '\\' })).toEqual([5]);
    expect(containsPattern('a%b_c\\d')).toBe('%a\\%b\\_c\\\\d%');
  });

  it('keeps quotes and SQL out of the statement text', () => {
    expect(ids({ text: "' and --" })).toEqual([7]);
    const q = buildQuery({ text: "x' OR 1=1 --" });
    expect(q.sql).not.toContain('OR 1=1');
    expect(q.params).toContain("%x' OR 1=1 --%");
  });

  it('bounds the text to 128 characters', () => {
    const q = buildQuery({ text: 'a'.repeat(500) });
    expect(q.params).toContain(`%${'a'.repeat(128)}%`);
  });

  it('pages backwards with beforeId, newest first', () => {
    expect(ids({ limit: 3 })).toEqual([8, 7, 6]);
    expect(ids({ beforeId: 6, limit: 3 })).toEqual([5, 4, 3]);
    expect(ids({ beforeId: 3, limit: 3 })).toEqual([2, 1]);
    expect(ids({ beforeId: 1, limit: 3 })).toEqual([]);
    // Forwards again from the oldest shown: the page just after it.
    expect(ids({ afterId: 2, limit: 3 })).toEqual([5, 4, 3]);
  });

  it('combines with the other filters', () => {
    expect(ids({ text: 'started', beforeId: 4 })).toEqual([3]);
    expect(ids({ text: 'peer', fromTs: T0 + 1000, toTs: T0 + 6000 })).toEqual([6]);
  });
});

describe('log command with until, text and beforeId', () => {
  const run = (args: Record<string, unknown>) =>
    new RegistryCommands({ ...fakeContext(), events: log }).handle({
      command: 'log',
      args,
      transaction: 't',
    });
  const got = async (args: Record<string, unknown>) => {
    const r = await run(args);
    expect(r.status, JSON.stringify(r.error)).toBe('ok');
    return (r.data as { events: { id: number }[] }).events.map((e) => e.id);
  };

  it('passes each to the query', async () => {
    expect(await got({ until: T0 + 2000 })).toEqual([2, 1]);
    expect(await got({ text: 'PEER B' })).toEqual([6, 1]);
    expect(await got({ beforeId: 3 })).toEqual([2, 1]);
    expect(await got({ since: T0 + 1000, until: T0 + 4000, text: 'main', limit: 1 })).toEqual([4]);
  });

  it('refuses a text that is empty, too long or has control characters', async () => {
    for (const text of ['', 'a'.repeat(129), 'a\nb', 'a\u0000', 5]) {
      const r = await run({ text });
      expect(r.status, JSON.stringify(text)).toBe('error');
      expect(r.error).toMatch(/^args\.text: /);
    }
    expect(await got({ text: 'a'.repeat(128) })).toEqual([]);
  });

  it('bounds until and beforeId', async () => {
    for (const args of [{ until: -1 }, { until: 1.5 }, { beforeId: 0 }, { beforeId: '3' }]) {
      const r = await run(args);
      expect(r.status, JSON.stringify(args)).toBe('error');
    }
  });
});
