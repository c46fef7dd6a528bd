import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import { EventLog } from '../../../firmware/events/event-log.ts';
import { integrityOk, openStateDatabase } from '../../../firmware/events/state-db.ts';
import type { DatabaseSync } from '../../../firmware/events/sqlite.ts';

let dir: string;
let dbPath: string;
let db: DatabaseSync;
let clock: SimClock;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-events-'));
  dbPath = join(dir, 'state.db');
  db = openStateDatabase(dbPath);
  clock = new SimClock(Date.UTC(2026, 0, 1));
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function countOnDisk(): number {
  // A second connection sees only committed rows.
  const other = openStateDatabase(dbPath);
  try {
    return (other.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  } finally {
    other.close();
  }
}

describe('EventLog', () => {
  it('batches appends and writes them on the flush interval', async () => {
    const log = new EventLog({ db, clock, flushIntervalMs: 500, maxBatch: 1000 });
    for (let i = 0; i < 100; i++)
      log.append({ severity: 'info', source: 'cluster', code: 'TICK', message: `t${i}` });
    expect(log.pendingCount()).toBe(100);
    expect(countOnDisk()).toBe(0);
    await clock.advance(500);
    expect(log.pendingCount()).toBe(0);
    expect(countOnDisk()).toBe(100);
    log.close();
  });

  it('flushes at once when the batch is full or the event is an error', () => {
    const log = new EventLog({ db, clock, flushIntervalMs: 60_000, maxBatch: 10 });
    for (let i = 0; i < 10; i++) log.append({ severity: 'debug', source: 's', code: 'C', message: 'm' });
    expect(countOnDisk()).toBe(10);
    log.append({ severity: 'critical', source: 'failover', code: 'PEER_DEAD', message: 'peer dead' });
    expect(countOnDisk()).toBe(11);
    log.close();
  });

  it('stamps ids, wall and monotonic times and round-trips data', async () => {
    const log = new EventLog({ db, clock });
    await clock.advance(1234);
    const e = log.append({
      severity: 'warning',
      source: 'resource:pg',
      code: 'SLOW',
      message: 'slow',
      data: { ms: 900, tags: ['a'] },
    });
    const [got] = log.query();
    expect(got).toEqual(e);
    expect(got?.ts).toBe(Date.UTC(2026, 0, 1) + 1234);
    expect(got?.monoMs).toBe(1234);
    log.close();
  });

  it('survives reopening, keeps ids increasing even after retention empties the table', () => {
    const a = new EventLog({ db, clock });
    a.append({ severity: 'info', source: 's', code: 'A', message: '1' });
    const last = a.append({ severity: 'info', source: 's', code: 'A', message: '2' });
    a.applyRetention({ maxAgeDays: 30, maxRows: 0 });
    expect(a.count()).toBe(0);
    a.close();
    const b = new EventLog({ db, clock });
    expect(b.append({ severity: 'info', source: 's', code: 'A', message: '3' }).id).toBe(last.id + 1);
    b.close();
  });

  it('retention by size keeps the newest events within the byte budget', () => {
    const log = new EventLog({ db, clock });
    // Each row: 100-char message + data "null" (4) + source "s" + code "C" + 48 overhead = 154 bytes.
    for (let i = 0; i < 50; i++)
      log.append({ severity: 'info', source: 's', code: 'C', message: 'x'.repeat(100) });
    const deleted = log.applyRetention({ maxAgeDays: 30, maxRows: 1000, maxBytes: 154 * 10 });
    expect(deleted).toBe(40);
    const kept = log.query({ limit: 100 });
    expect(kept).toHaveLength(10);
    expect(Math.min(...kept.map((e) => e.id))).toBe(41);
    log.close();
  });

  it('takes its retention policy after construction, as the daemon does once config is loaded', async () => {
    const log = new EventLog({ db, clock, retentionIntervalMs: 1000 });
    for (let i = 0; i < 5; i++) log.append({ severity: 'info', source: 's', code: 'C', message: String(i) });
    log.useRetention({ maxAgeDays: 30, maxRows: 2 });
    await clock.advance(1000);
    expect(log.count()).toBe(2);
    log.close();
  });

  it('queries by time range, minimum severity, source and limit, newest first', async () => {
    const log = new EventLog({ db, clock });
    log.append({ severity: 'debug', source: 'cluster', code: 'A', message: 'a' });
    await clock.advance(1000);
    log.append({ severity: 'error', source: 'resource:pg', code: 'B', message: 'b' });
    await clock.advance(1000);
    log.append({ severity: 'notice', source: 'resource:vip', code: 'C', message: 'c' });
    log.append({ severity: 'info', source: 'resource%x', code: 'D', message: 'd' });
    const t0 = Date.UTC(2026, 0, 1);
    expect(log.query().map((e) => e.code)).toEqual(['D', 'C', 'B', 'A']);
    expect(log.query({ minSeverity: 'notice' }).map((e) => e.code)).toEqual(['C', 'B']);
    expect(log.query({ source: 'resource:*' }).map((e) => e.code)).toEqual(['C', 'B']);
    expect(log.query({ source: 'cluster' }).map((e) => e.code)).toEqual(['A']);
    expect(log.query({ fromTs: t0 + 1000, toTs: t0 + 2000 }).map((e) => e.code)).toEqual(['B']);
    expect(log.query({ limit: 2 }).map((e) => e.code)).toEqual(['D', 'C']);
    log.close();
  });

  it('applies retention by age and by row count periodically', async () => {
    const log = new EventLog({
      db,
      clock,
      flushIntervalMs: 3_600_000,
      retention: { maxAgeDays: 1, maxRows: 3 },
      retentionIntervalMs: 3_600_000,
    });
    log.append({ severity: 'info', source: 's', code: 'OLD', message: 'old' });
    await clock.advance(2 * 86_400_000 - 3_600_000);
    for (let i = 0; i < 5; i++) log.append({ severity: 'info', source: 's', code: `N${i}`, message: 'new' });
    await clock.advance(3_600_000);
    expect(log.query().map((e) => e.code)).toEqual(['N4', 'N3', 'N2']);
    expect(integrityOk(db)).toBe(true);
    log.close();
  });

  it('keeps bad data from crashing the caller and caps sizes', () => {
    const log = new EventLog({ db, clock });
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    const e1 = log.append({ severity: 'info', source: 's', code: 'X', message: 'm', data: cyclic as never });
    expect(e1.data).toMatchObject({ unserialisable: expect.any(String) as string });
    const e2 = log.append({ severity: 'info', source: 's', code: 'X', message: 'x'.repeat(10_000) });
    expect(e2.message.length).toBe(4096);
    expect(() => log.append({ severity: 'loud' as never, source: 's', code: 'X', message: 'm' })).toThrow(
      /severity/,
    );
    log.close();
  });

  it('keeps events buffered when the disk refuses, and reports instead of throwing', async () => {
    const errors: unknown[] = [];
    const log = new EventLog({ db, clock, onError: (e) => errors.push(e) });
    log.append({ severity: 'info', source: 's', code: 'X', message: 'm' });
    db.exec('DROP TABLE events'); // the next insert fails
    await clock.advance(1000);
    expect(errors.length).toBeGreaterThan(0);
    expect(log.pendingCount()).toBe(1);
  });

  it('notifies subscribers and isolates a throwing one', () => {
    const errors: unknown[] = [];
    const log = new EventLog({ db, clock, onError: (e) => errors.push(e) });
    const seen: string[] = [];
    log.subscribe(() => {
      throw new Error('bad listener');
    });
    const off = log.subscribe((e) => seen.push(e.code));
    log.append({ severity: 'info', source: 's', code: 'ONE', message: 'm' });
    off();
    log.append({ severity: 'info', source: 's', code: 'TWO', message: 'm' });
    expect(seen).toEqual(['ONE']);
    expect(errors).toHaveLength(2);
    log.close();
  });
});
