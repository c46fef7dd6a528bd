// Past alarms for the Alarms page. The `alarms` command lists only the
// active ones, so the cleared ones are read back from the event log: the
// alarm manager logs each alarm's raise ("ALARM: …"), acknowledgement
// ("Alarm acknowledged by …") and clear ("Alarm cleared: …") under the
// alarm's code, with {alarmId, action, subject, severity} in the data
// (alarms/alarm-manager.ts logEvent). One `log` query for "alarm" finds all
// three; this joins them by alarm id. Pure, so it is unit-tested in Node;
// every field read from an event is checked first.
import type { LoggedEvent } from '../../events/types.ts';

export interface PastAlarm {
  readonly alarmId: number;
  readonly code: string;
  readonly subject: string;
  readonly severity: string;
  readonly message: string;
  /** Null when the raise has left the log (retention) or the page of events read. */
  readonly raisedAt: number | null;
  readonly clearedAt: number;
  readonly acknowledgedBy: string | null;
}

/** The `log` arguments that find alarm events (the three messages all say "alarm"). */
export const ALARM_EVENTS_QUERY = { text: 'alarm', limit: 2000 } as const;

type Obj = Readonly<Record<string, unknown>>;
const dataOf = (e: LoggedEvent): Obj =>
  typeof e.data === 'object' && e.data !== null && !Array.isArray(e.data) ? e.data : {};
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Cleared alarms, newest clear first, at most `limit`. */
export function pastAlarms(events: readonly LoggedEvent[], limit = 100): PastAlarm[] {
  const raised = new Map<number, number>();
  const acked = new Map<number, string>();
  const cleared: { id: number; e: LoggedEvent; d: Obj }[] = [];
  for (const e of events) {
    const d = dataOf(e);
    const id = d['alarmId'];
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) continue;
    if (d['action'] === 'raise') raised.set(id, Math.min(raised.get(id) ?? e.ts, e.ts));
    else if (d['action'] === 'acknowledge') {
      const by = /^Alarm acknowledged by (.*?): /.exec(e.message)?.[1];
      acked.set(id, by ?? '?');
    } else if (d['action'] === 'clear') cleared.push({ id, e, d });
  }
  return cleared
    .sort((a, b) => b.e.ts - a.e.ts || b.e.id - a.e.id)
    .slice(0, limit)
    .map(({ id, e, d }) => ({
      alarmId: id,
      code: e.code,
      subject: str(d['subject']),
      severity: str(d['severity']) || e.severity,
      message: e.message.replace(/^Alarm cleared: /, ''),
      raisedAt: raised.get(id) ?? null,
      clearedAt: e.ts,
      acknowledgedBy: acked.get(id) ?? null,
    }));
}
