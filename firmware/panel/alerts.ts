// The alert screen's causes (LCDproc's "alert" class, above every info
// screen): an unacknowledged critical or error alarm, a takeover under way,
// a self-fence. Each cause has a key, so the model can tell a new cause (which
// pre-empts) from one it has already shown or the operator has dismissed.
import { ALARM_CATALOGUE, isAlarmCode } from '../alarms/catalogue.ts';
import type { ReportAlarm } from '../status/report-check.ts';
import type { PanelStatus, Layout } from './types.ts';

export interface AlertCause {
  /** 'alarm:<id>', 'takeover' or 'self-fenced'. */
  readonly key: string;
  /** Higher wins when several causes appear in the same update. */
  readonly rank: number;
  /** The alarm Enter acknowledges; null for a state, which Enter only hides. */
  readonly alarmId: number | null;
  readonly title: string;
  readonly text: string;
  readonly remedy: string;
}

const ALERTING = new Set(['critical', 'error']);

/** The alarm's remedy, from the catalogue when it comes without one (e.g. over MQTT). */
export function remedyOf(a: ReportAlarm): string {
  if (a.remedy !== undefined && a.remedy !== '') return a.remedy;
  return isAlarmCode(a.code) ? ALARM_CATALOGUE[a.code].remedy : 'See the event log.';
}

const TAKEOVER_REMEDY =
  'Wait: the peer is being fenced and its groups started here. A TAKEOVER alarm follows with the reason.';

export function alertCauses(s: PanelStatus): AlertCause[] {
  const causes: AlertCause[] = [];
  if (s.state === 'self-fenced') {
    causes.push({
      key: 'self-fenced',
      rank: 4,
      alarmId: null,
      title: `! ${s.controller} SELF-FENCED`,
      text: s.stateText,
      remedy: ALARM_CATALOGUE.SELF_FENCED.remedy,
    });
  }
  // One key for fencing and taking-over: the step from one to the other is not news.
  if (s.state === 'fencing' || s.state === 'taking-over') {
    causes.push({
      key: 'takeover',
      rank: 3,
      alarmId: null,
      title: `! ${s.controller} TAKING OVER`,
      text: s.stateText,
      remedy: TAKEOVER_REMEDY,
    });
  }
  for (const a of s.alarms) {
    if (!ALERTING.has(a.severity) || a.acknowledgedAt !== null) continue;
    causes.push({
      key: `alarm:${a.id}`,
      rank: a.severity === 'critical' ? 2 : 1,
      alarmId: a.id,
      title: `! ${a.severity.toUpperCase()} ${a.code}`,
      text: a.message,
      remedy: remedyOf(a),
    });
  }
  return causes;
}

export function alertLayout(c: AlertCause, waiting: number): Layout {
  const more = waiting > 0 ? ` +${waiting}` : '';
  const enter = c.alarmId === null ? 'Enter: hide' : 'Enter: acknowledge';
  return {
    wide: [c.title, c.text, c.remedy, enter + more],
    narrow: [c.title + more, `${c.text} - ${c.remedy}`],
  };
}
