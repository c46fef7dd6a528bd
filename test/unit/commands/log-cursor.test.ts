// The event log read with a cursor, as `tandemctl log --follow` polls it:
// the events after an id, the oldest of them when over the limit (so a
// reader moving its cursor skips none), still answered newest first; and
// events by code, as `status` finds the last takeover.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import { RegistryCommands } from '../../../firmware/commands/dispatch.ts';
import { EventLog } from '../../../firmware/events/event-log.ts';
import type { DatabaseSync } from '../../../firmware/events/sqlite.ts';
import { openStateDatabase } from '../../../firmware/events/state-db.ts';
import { fakeContext } from './fake-context.ts';

let dir: string;
let db: DatabaseSync;
let log: EventLog;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-cursor-'));
  db = openStateDatabase(join(dir, 'state.db'));
  log = new EventLog({ db, clock: new SimClock(Date.UTC(2026, 0, 1)) });
  for (let i = 1; i <= 10; i++)
    log.append({
      severity: i % 2 === 0 ? 'warning' : 'info',
      source: 'cluster',
      code: i === 4 || i === 8 ? 'TAKEOVER' : `E${i}`,
      message: `event ${i}`,
    });
});

afterEach(() => {
  log.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const ids = (q: Parameters<EventLog['query']>[0]) => log.query(q).map((e) => e.id);

describe('event log cursor', () => {
  it('answers the events after the cursor, newest first', () => {
    expect(ids({ afterId: 7 })).toEqual([10, 9, 8]);
    expect(ids({ afterId: 10 })).toEqual([]);
    expect(ids({ afterId: 0 })).toHaveLength(10);
  });

  it('over the limit keeps the oldest after the cursor, so a moving cursor misses none', () => {
    expect(ids({ afterId: 2, limit: 3 })).toEqual([5, 4, 3]);
    const seen: number[] = [];
    let cursor = 0;
    for (;;) {
      const batch = ids({ afterId: cursor, limit: 3 });
      if (batch.length === 0) break;
      seen.push(...[...batch].reverse());
      cursor = Math.max(...batch);
    }
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // Without a cursor the limit keeps the newest, as before.
    expect(ids({ limit: 3 })).toEqual([10, 9, 8]);
  });

  it('combines with the other filters', () => {
    expect(ids({ afterId: 3, minSeverity: 'warning', limit: 2 })).toEqual([6, 4]);
  });

  it('finds events by code', () => {
    expect(ids({ code: 'TAKEOVER' })).toEqual([8, 4]);
    expect(ids({ code: 'TAKEOVER', limit: 1 })).toEqual([8]);
    expect(ids({ code: 'NONE' })).toEqual([]);
  });
});

describe('log command with afterId', () => {
  const run = (args: Record<string, unknown>) =>
    new RegistryCommands({ ...fakeContext(), events: log }).handle({
      command: 'log',
      args,
      transaction: 't',
    });

  it('answers the events past the cursor, the oldest first over the limit', async () => {
    const r = await run({ afterId: 2, limit: 3 });
    expect(r.status).toBe('ok');
    expect((r.data as { events: { id: number }[] }).events.map((e) => e.id)).toEqual([5, 4, 3]);
  });

  it('bounds the cursor: a whole number from 0', async () => {
    for (const afterId of [-1, 1.5, '3', Number.MAX_SAFE_INTEGER + 2]) {
      const r = await run({ afterId });
      expect(r.status, String(afterId)).toBe('error');
      expect(r.error).toMatch(/^args\.afterId: /);
    }
    expect((await run({ afterId: 0 })).status).toBe('ok');
  });
});
