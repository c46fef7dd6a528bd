import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import { AlarmManager, type AlarmChange } from '../../../firmware/alarms/alarm-manager.ts';
import { ALARM_CATALOGUE, ALARM_SEVERITIES, renderTemplate } from '../../../firmware/alarms/catalogue.ts';
import { EventLog } from '../../../firmware/events/event-log.ts';
import { isSeverity } from '../../../firmware/events/types.ts';
import { openStateDatabase } from '../../../firmware/events/state-db.ts';
import type { DatabaseSync } from '../../../firmware/events/sqlite.ts';

let dir: string;
let db: DatabaseSync;
let clock: SimClock;
let log: EventLog;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-alarms-'));
  db = openStateDatabase(join(dir, 'state.db'));
  clock = new SimClock();
  log = new EventLog({ db, clock });
});
afterEach(() => {
  log.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('alarm catalogue', () => {
  it('gives every alarm a severity, source, message and remedy', () => {
    for (const [code, def] of Object.entries(ALARM_CATALOGUE)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(ALARM_SEVERITIES).toContain(def.severity);
      expect(def.source.length).toBeGreaterThan(0);
      expect(def.remedy.length).toBeGreaterThan(20);
    }
  });
  it('fills templates and leaves unknown placeholders visible', () => {
    expect(renderTemplate('{subject} failed: {reason}', { subject: 'pg' })).toBe('pg failed: {reason}');
  });
});

describe('AlarmManager', () => {
  it('raises one alarm for a repeating condition, counting repeats', async () => {
    const alarms = new AlarmManager({ db, clock, events: log });
    const changes: AlarmChange['kind'][] = [];
    alarms.subscribe((c) => changes.push(c.kind));
    const first = alarms.raise('HB_PATH_DOWN', { subject: 'serial' });
    await clock.advance(5000);
    const again = alarms.raise('HB_PATH_DOWN', { subject: 'serial' });
    alarms.raise('HB_PATH_DOWN', { subject: 'network' });
    expect(again.id).toBe(first.id);
    expect(again.count).toBe(2);
    expect(again.lastSeen - again.raisedAt).toBe(5000);
    expect(alarms.active()).toHaveLength(2);
    expect(first.message).toBe('Heartbeat path serial to the peer is down');
    expect(first.remedy).toBe(ALARM_CATALOGUE.HB_PATH_DOWN.remedy);
    expect(changes).toEqual(['raised', 'repeated', 'raised']);
    // Repeats do not flood the event log.
    expect(log.query({ source: 'cluster' }).map((e) => e.code)).toEqual(['HB_PATH_DOWN', 'HB_PATH_DOWN']);
  });

  it('clears and acknowledges with events, and a later raise starts a new alarm', () => {
    const alarms = new AlarmManager({ db, clock, events: log });
    const a = alarms.raise('PEER_DEAD', { subject: 'B' });
    expect(alarms.acknowledge(a.id, 'operator')).toMatchObject({
      ok: true,
      value: { acknowledgedBy: 'operator' },
    });
    expect(alarms.clear('PEER_DEAD', 'B')?.active).toBe(false);
    expect(alarms.clear('PEER_DEAD', 'B')).toBeUndefined();
    expect(alarms.active()).toEqual([]);
    const b = alarms.raise('PEER_DEAD', { subject: 'B' });
    expect(b.id).not.toBe(a.id);
    expect(alarms.history().map((x) => x.id)).toEqual([b.id, a.id]);
    const actions = log.query({ source: 'cluster' }).map((e) => (e.data as { action: string }).action);
    expect(actions).toEqual(['raise', 'clear', 'acknowledge', 'raise']);
    expect(log.query({ source: 'cluster', minSeverity: 'critical' })).toHaveLength(2);
  });

  it('rejects bad acknowledgements with the field at fault', () => {
    const alarms = new AlarmManager({ db, clock, events: log });
    const a = alarms.raise('MQTT_DOWN', { subject: 'noc' });
    expect(alarms.acknowledge('1', 'x')).toEqual({ ok: false, error: 'alarmId: must be a positive integer' });
    expect(alarms.acknowledge(999, 'x')).toEqual({ ok: false, error: 'alarmId: no alarm 999' });
    expect(alarms.acknowledge(a.id, '')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^by:/) as string,
    });
    alarms.acknowledge(a.id, 'ann');
    expect(alarms.acknowledge(a.id, 'bob')).toEqual({
      ok: false,
      error: `alarm ${a.id} was already acknowledged by ann`,
    });
  });

  it('keeps active alarms across a restart, most severe first', () => {
    const before = new AlarmManager({ db, clock, events: log });
    before.raise('MQTT_DOWN', { subject: 'noc' });
    before.raise('DISK_LOST', { params: { reason: 'no path' } });
    log.close();
    db.close();
    db = openStateDatabase(join(dir, 'state.db'));
    log = new EventLog({ db, clock });
    const after = new AlarmManager({ db, clock, events: log });
    expect(after.active().map((a) => [a.code, a.message])).toEqual([
      ['DISK_LOST', 'Shared disk enclosure not reachable: no path'],
      ['MQTT_DOWN', 'Cannot reach the NOC broker noc'],
    ]);
    expect(after.raise('MQTT_DOWN', { subject: 'noc' }).count).toBe(2);
  });

  it('survives a throwing listener', () => {
    const alarms = new AlarmManager({ db, clock, events: log });
    alarms.subscribe(() => {
      throw new Error('LCD gone');
    });
    expect(alarms.raise('SELF_FENCED', { subject: 'B' }).active).toBe(true);
  });

  it('keeps a latched alarm through clear() until it is acknowledged, which clears it', () => {
    const alarms = new AlarmManager({ db, clock, events: log });
    const changes: AlarmChange['kind'][] = [];
    alarms.subscribe((c) => changes.push(c.kind));
    const t = alarms.raise('TAKEOVER', {
      subject: 'B',
      params: { peer: 'A', at: '2026-11-05 12:00:00Z', reason: 'peer dead on every path' },
    });
    expect(t).toMatchObject({ latched: true, active: true, severity: 'error' });
    expect(t.message).toBe(
      'Controller B fenced A off the shared disk and took over its groups at 2026-11-05 12:00:00Z: peer dead on every path',
    );
    expect(alarms.clear('TAKEOVER', 'B')).toBeUndefined();
    expect(alarms.active().map((a) => a.code)).toEqual(['TAKEOVER']);
    const acked = alarms.acknowledge(t.id, 'ann');
    expect(acked).toMatchObject({ ok: true, value: { active: false, acknowledgedBy: 'ann' } });
    expect(alarms.active()).toEqual([]);
    expect(changes).toEqual(['raised', 'acknowledged', 'cleared']);
    const actions = log.query({ source: 'failover' }).map((e) => (e.data as { action: string }).action);
    expect(actions).toEqual(['clear', 'acknowledge', 'raise']);
    // A condition alarm is only marked: it stays until its condition ends.
    const d = alarms.raise('PEER_DEAD', { subject: 'A' });
    expect(alarms.acknowledge(d.id, 'ann')).toMatchObject({ ok: true, value: { active: true } });
  });

  it('stores the parts of a condition as children of its one alarm', () => {
    const alarms = new AlarmManager({ db, clock, events: log });
    const children = [
      { subject: 'serial', message: 'down: nothing heard for 1000 ms' },
      { subject: 'net', message: 'down: nothing heard for 1000 ms' },
    ];
    const a = alarms.raise('PEER_DEAD', { subject: 'B', params: { paths: 'serial, net' }, children });
    expect(a.children).toEqual(children);
    expect(alarms.active()[0]?.children).toEqual(children);
    const raised = log.query({ source: 'cluster' })[0]?.data as { children: unknown };
    expect(raised.children).toEqual(children);
    expect(alarms.raise('PEER_DEAD', { subject: 'B', children: [] }).children).toEqual([]);
  });

  it('speaks the event log severities, and upgrades the table of an older firmware in place', () => {
    for (const def of Object.values(ALARM_CATALOGUE)) expect(isSeverity(def.severity)).toBe(true);
    db.exec(`CREATE TABLE alarms (id INTEGER PRIMARY KEY AUTOINCREMENT, code TEXT NOT NULL,
      subject TEXT NOT NULL, severity TEXT NOT NULL, message TEXT NOT NULL, params TEXT NOT NULL,
      raised_at INTEGER NOT NULL, last_seen INTEGER NOT NULL, count INTEGER NOT NULL,
      cleared_at INTEGER, acked_at INTEGER, acked_by TEXT)`);
    db.prepare(
      `INSERT INTO alarms (code, subject, severity, message, params, raised_at, last_seen, count)
       VALUES ('HB_PATH_DOWN', 'net', 'major', 'old', '{}', 1, 1, 1), ('FENCED', 'A', 'critical', 'gone', '{}', 1, 1, 1)`,
    ).run();
    const alarms = new AlarmManager({ db, clock, events: log });
    expect(alarms.active().map((a) => [a.code, a.severity, a.children, a.remedy])).toEqual([
      ['FENCED', 'critical', [], 'See the event log.'],
      ['HB_PATH_DOWN', 'error', [], ALARM_CATALOGUE.HB_PATH_DOWN.remedy],
    ]);
  });
});
