// An alarm as stored and as handed to MQTT/LCD/tandemctl.
import { ALARM_CATALOGUE, isAlarmCode, isLatched, type AlarmCode, type AlarmSeverity } from './catalogue.ts';

/**
 * One part of a root alarm's condition, shown under it rather than raised as
 * an alarm of its own: e.g. each heartbeat path of a dead peer.
 */
export interface AlarmChild {
  subject: string;
  message: string;
}

export interface Alarm {
  id: number;
  code: AlarmCode;
  subject: string;
  severity: AlarmSeverity;
  source: string;
  message: string;
  remedy: string;
  params: Record<string, string | number>;
  children: AlarmChild[];
  /** Stays active until acknowledged (a takeover, a self-fence), see catalogue.ts. */
  latched: boolean;
  raisedAt: number;
  lastSeen: number;
  count: number;
  clearedAt: number | null;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  active: boolean;
}

export interface AlarmRow {
  id: number;
  code: string;
  subject: string;
  severity: string;
  message: string;
  params: string;
  raised_at: number;
  last_seen: number;
  count: number;
  cleared_at: number | null;
  acked_at: number | null;
  acked_by: string | null;
  children: string;
}

export function rowToAlarm(row: AlarmRow): Alarm {
  // A code dropped from a newer catalogue still shows, with a generic remedy.
  const def = isAlarmCode(row.code) ? ALARM_CATALOGUE[row.code] : undefined;
  let params: Record<string, string | number> = {};
  try {
    params = JSON.parse(row.params) as Record<string, string | number>;
  } catch {
    // keep {}: the message text already holds the rendered values
  }
  let children: AlarmChild[] = [];
  try {
    const parsed = JSON.parse(row.children) as unknown;
    if (Array.isArray(parsed)) children = parsed as AlarmChild[];
  } catch {
    // keep []: the children are detail, the alarm itself still stands
  }
  return {
    id: Number(row.id),
    code: row.code as AlarmCode,
    subject: row.subject,
    severity: row.severity as AlarmSeverity,
    source: def?.source ?? 'unknown',
    message: row.message,
    remedy: def?.remedy ?? 'See the event log.',
    params,
    children,
    latched: isAlarmCode(row.code) && isLatched(row.code),
    raisedAt: Number(row.raised_at),
    lastSeen: Number(row.last_seen),
    count: Number(row.count),
    clearedAt: row.cleared_at === null ? null : Number(row.cleared_at),
    acknowledgedAt: row.acked_at === null ? null : Number(row.acked_at),
    acknowledgedBy: row.acked_by,
    active: row.cleared_at === null,
  };
}
