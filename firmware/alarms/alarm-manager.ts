// Active alarms and their history. A condition that keeps recurring while
// its alarm is active bumps count/lastSeen on the one alarm instead of
// raising a flood. Alarms are state, not diagnostics, so each change is its
// own small committed transaction in the state database and survives a
// restart; each raise/clear/acknowledge is also written to the event log.
// A latched alarm (catalogue.ts) ignores clear(): only an acknowledgement
// ends it, because it records an event rather than a condition.
import type { Clock } from '../../hal/clock/clock.ts';
import type { Result } from '../core/result.ts';
import type { DatabaseSync } from '../events/sqlite.ts';
import type { EventSink, Severity } from '../events/types.ts';
import { ALARM_CATALOGUE, isAlarmCode, isLatched, renderTemplate, type AlarmCode } from './catalogue.ts';
import { rowToAlarm, type Alarm, type AlarmChild, type AlarmRow } from './alarm-row.ts';
import { prepareAlarmTable } from './alarm-schema.ts';
import { PanelSignals, SOUNDING_SEVERITIES, type PanelSignalState } from './panel-signals.ts';

export type { Alarm, AlarmChild };

export type AlarmChange =
  | { kind: 'raised'; alarm: Alarm }
  | { kind: 'repeated'; alarm: Alarm }
  | { kind: 'cleared'; alarm: Alarm }
  | { kind: 'acknowledged'; alarm: Alarm };

export interface RaiseOptions {
  /** What the alarm is about (path name, peer id, resource); '' for the box. */
  subject?: string;
  params?: Readonly<Record<string, string | number>>;
  /** The parts of this condition, shown under it instead of as alarms of their own. */
  children?: readonly AlarmChild[];
}

const MAX_SUBJECT = 128;

export class AlarmManager {
  private readonly db: DatabaseSync;
  private readonly clock: Clock;
  private readonly events: EventSink;
  private readonly listeners = new Set<(change: AlarmChange) => void>();
  /** Mute and locate: the front panel's operator state, in memory (panel-signals.ts). */
  readonly signals = new PanelSignals();

  constructor(options: { db: DatabaseSync; clock: Clock; events: EventSink }) {
    this.db = options.db;
    this.clock = options.clock;
    this.events = options.events;
    prepareAlarmTable(this.db);
  }

  raise(code: AlarmCode, options: RaiseOptions = {}): Alarm {
    if (!isAlarmCode(code)) throw new TypeError(`unknown alarm code ${String(code)}`);
    const def = ALARM_CATALOGUE[code];
    const subject = (options.subject ?? '').slice(0, MAX_SUBJECT);
    const params = { subject, ...options.params };
    const message = renderTemplate(def.message, params);
    const children = JSON.stringify(options.children ?? []);
    const now = Math.round(this.clock.wallMs());
    const existing = this.findActive(code, subject);
    if (existing) {
      this.db
        .prepare(
          'UPDATE alarms SET last_seen = ?, count = count + 1, message = ?, params = ?, children = ? WHERE id = ?',
        )
        .run(now, message, JSON.stringify(params), children, existing.id);
      return this.notify('repeated', this.byId(existing.id));
    }
    const res = this.db
      .prepare(
        'INSERT INTO alarms (code, subject, severity, message, params, raised_at, last_seen, count, children) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)',
      )
      .run(code, subject, def.severity, message, JSON.stringify(params), now, now, children);
    const alarm = this.byId(Number(res.lastInsertRowid));
    // A new alarm re-arms a muted buzzer; a repeat of one already muted does not.
    this.signals.alarmRaised(def.severity);
    this.logEvent(alarm, 'raise', def.severity, `ALARM: ${message}`);
    return this.notify('raised', alarm);
  }

  /**
   * The condition of code+subject ended: clear its active alarm. Undefined
   * if none was active, or if the code is latched (only an acknowledgement
   * ends those).
   */
  clear(code: AlarmCode, subject = ''): Alarm | undefined {
    if (isLatched(code)) return undefined;
    const existing = this.findActive(code, subject.slice(0, MAX_SUBJECT));
    if (!existing) return undefined;
    return this.markCleared(existing.id);
  }

  /** Operator acknowledgement (tandemctl, web, MQTT): input is untrusted. */
  acknowledge(alarmId: unknown, by: unknown): Result<Alarm, string> {
    if (typeof alarmId !== 'number' || !Number.isSafeInteger(alarmId) || alarmId < 1) {
      return { ok: false, error: 'alarmId: must be a positive integer' };
    }
    if (typeof by !== 'string' || by.trim() === '' || by.length > 64) {
      return { ok: false, error: 'by: must be a non-empty name of at most 64 characters' };
    }
    const row = this.db.prepare('SELECT * FROM alarms WHERE id = ?').get(alarmId) as AlarmRow | undefined;
    if (!row) return { ok: false, error: `alarmId: no alarm ${alarmId}` };
    if (row.acked_at !== null)
      return { ok: false, error: `alarm ${alarmId} was already acknowledged by ${row.acked_by}` };
    this.db
      .prepare('UPDATE alarms SET acked_at = ?, acked_by = ? WHERE id = ?')
      .run(Math.round(this.clock.wallMs()), by, alarmId);
    const alarm = this.byId(alarmId);
    this.logEvent(alarm, 'acknowledge', 'info', `Alarm acknowledged by ${by}: ${alarm.message}`);
    this.notify('acknowledged', alarm);
    // The operator has learnt of it: that is all a latched alarm waits for.
    if (alarm.latched && alarm.active) return { ok: true, value: this.markCleared(alarmId) };
    return { ok: true, value: alarm };
  }

  /**
   * Silence the buzzer for the alarms active now (operator: panel, tandemctl,
   * MQTT); the next alarm that sounds re-arms it. Answers the ids silenced.
   */
  /** The panel process's own fault: a part's PANEL_FAULT raised (with why) or cleared (null). */
  panelFault(part: string, detail: string | null): void {
    if (detail === null) this.clear('PANEL_FAULT', part);
    else this.raise('PANEL_FAULT', { subject: part, params: { reason: detail } });
  }

  mute(by: string): { state: PanelSignalState; silenced: number[] } {
    const silenced = this.active()
      .filter((a) => SOUNDING_SEVERITIES.has(a.severity) && a.acknowledgedAt === null)
      .map((a) => a.id);
    this.signals.mute();
    this.events.append({
      severity: 'info',
      source: 'panel',
      code: 'BUZZER_MUTED',
      message: `Buzzer muted by ${by} (${silenced.length} alarm${silenced.length === 1 ? '' : 's'} sounding)`,
      data: { by, silenced },
    });
    return { state: this.signals.snapshot(), silenced };
  }

  /** The identify LED blinks while on (the technician finds this controller). */
  locate(on: boolean, by: string): PanelSignalState {
    this.signals.setLocate(on);
    this.events.append({
      severity: 'info',
      source: 'panel',
      code: 'LOCATE',
      message: `Locate ${on ? 'on' : 'off'} by ${by}`,
      data: { by, on },
    });
    return this.signals.snapshot();
  }

  /** Active alarms, most severe first, then newest first. */
  active(): Alarm[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM alarms WHERE cleared_at IS NULL ORDER BY
         CASE severity WHEN 'critical' THEN 0 WHEN 'error' THEN 1 WHEN 'warning' THEN 2 ELSE 3 END, raised_at DESC, id DESC`,
      )
      .all() as unknown as AlarmRow[];
    return rows.map(rowToAlarm);
  }

  /** All alarms, active or cleared, newest first. */
  history(limit = 100): Alarm[] {
    const n = Math.min(10_000, Math.max(1, Math.floor(limit)));
    const rows = this.db
      .prepare('SELECT * FROM alarms ORDER BY id DESC LIMIT ?')
      .all(n) as unknown as AlarmRow[];
    return rows.map(rowToAlarm);
  }

  /** Follow changes (MQTT, LCD, buzzer). Returns unsubscribe. */
  subscribe(listener: (change: AlarmChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private findActive(code: string, subject: string): AlarmRow | undefined {
    return this.db
      .prepare('SELECT * FROM alarms WHERE code = ? AND subject = ? AND cleared_at IS NULL')
      .get(code, subject) as AlarmRow | undefined;
  }

  private markCleared(id: number): Alarm {
    this.db.prepare('UPDATE alarms SET cleared_at = ? WHERE id = ?').run(Math.round(this.clock.wallMs()), id);
    const alarm = this.byId(id);
    this.logEvent(alarm, 'clear', 'notice', `Alarm cleared: ${alarm.message}`);
    return this.notify('cleared', alarm);
  }

  private byId(id: number): Alarm {
    const row = this.db.prepare('SELECT * FROM alarms WHERE id = ?').get(id) as AlarmRow | undefined;
    if (!row) throw new Error(`alarm ${id} vanished`);
    return rowToAlarm(row);
  }

  private logEvent(alarm: Alarm, action: string, severity: Severity, message: string): void {
    this.events.append({
      severity,
      source: alarm.source,
      code: alarm.code,
      message,
      data: {
        alarmId: alarm.id,
        action,
        subject: alarm.subject,
        severity: alarm.severity,
        count: alarm.count,
        // The values in the message (a takeover's time and reason), for readers of the log.
        params: { ...alarm.params },
        children: alarm.children.map((c) => ({ subject: c.subject, message: c.message })),
      },
    });
  }

  private notify(kind: AlarmChange['kind'], alarm: Alarm): Alarm {
    for (const listener of this.listeners) {
      try {
        listener({ kind, alarm });
      } catch (err) {
        // A broken display must not stop alarms being recorded.
        console.error('alarm listener failed:', err);
      }
    }
    return alarm;
  }
}
