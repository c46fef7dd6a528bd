// The `report` topic's payload as the front and web panels may trust it. The
// local broker lets only the daemon publish there, but a panel reads bytes
// off a socket all the same: bounded before parsing (the broker's packet
// limit), then every field a screen, a LED or a key reads is checked; a
// report that fails is dropped with the reason, and the panel keeps the last
// good one.
import { ALARM_SEVERITIES } from '../alarms/catalogue.ts';
import { parseBoundedJson } from '../core/bounded-json.ts';
import { LIMITS } from '../core/limits.ts';
import type { Result } from '../core/result.ts';
import { isControllerState } from '../core/states.ts';
import type { Alarm } from '../alarms/alarm-row.ts';
import type {
  ControllerStatus,
  GroupStatus,
  ResourceStatus,
  TakeoverOutlook,
  TakeoverRecord,
} from './snapshot.ts';

/** An alarm as a panel shows it; the remedy is looked up in the catalogue by code when absent. */
export type ReportAlarm = Pick<
  Alarm,
  'id' | 'code' | 'severity' | 'subject' | 'message' | 'raisedAt' | 'acknowledgedAt'
> & { readonly remedy?: string };

/** The parts of the `status` report (StatusReport) this check vouches for. */
export interface CheckedReport extends ControllerStatus {
  /** The active alarms, most severe first (as `status` and the alarm list order them). */
  readonly alarms: readonly ReportAlarm[];
  readonly lastTakeover: TakeoverRecord | null;
  readonly firmwareVersion: string;
  /** The buzzer is muted (StatusReport.muted; absent from older firmware). */
  readonly muted?: boolean;
  /** Locate is on (StatusReport.locate; absent from older firmware). */
  readonly locate?: boolean;
  readonly takeover: readonly TakeoverOutlook[];
  /** Automatic failover is off (StatusReport.maintenance; absent from older firmware). */
  readonly maintenance?: boolean;
  readonly groups: readonly (GroupStatus & { readonly resources?: readonly ResourceStatus[] })[];
}

const REPORT_LIMITS = { bytes: LIMITS.mqttPacketBytes, depth: 12, entries: 4096 };
/** The alarms a panel pages through; the report lists them most severe first. */
const MAX_ALARMS = 200;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isId = (v: unknown): v is 'A' | 'B' => v === 'A' || v === 'B';

function alarmProblem(a: unknown, i: number): string | null {
  if (!isObj(a)) return `alarms[${i}] is not an object`;
  if (!isNum(a['id'])) return `alarms[${i}].id is not a number`;
  if (!isStr(a['code']) || !isStr(a['message']) || !isStr(a['subject']))
    return `alarms[${i}] lacks code, subject or message`;
  if (!(ALARM_SEVERITIES as readonly unknown[]).includes(a['severity']))
    return `alarms[${i}].severity is not a known severity`;
  if (!isNum(a['raisedAt'])) return `alarms[${i}].raisedAt is not a number`;
  if (a['acknowledgedAt'] !== null && !isNum(a['acknowledgedAt']))
    return `alarms[${i}].acknowledgedAt is not a number or null`;
  return null;
}

function problem(v: unknown): string | null {
  if (!isObj(v)) return 'not an object';
  if (!isStr(v['boxId']) || !isId(v['controller'])) return 'boxId or controller missing';
  if (!isControllerState(v['state'])) return 'state is not a controller state';
  if (!isStr(v['stateText']) || !isStr(v['firmwareVersion'])) return 'stateText or firmwareVersion missing';
  const peer = v['peer'];
  if (!isObj(peer) || !isId(peer['id']) || !isStr(peer['state']) || !Array.isArray(peer['paths']))
    return 'peer is not a peer';
  if (peer['peerState'] !== null && !isControllerState(peer['peerState'])) return 'peer.peerState is wrong';
  for (const p of peer['paths'] as unknown[])
    if (!isObj(p) || !isStr(p['path']) || !isStr(p['state'])) return 'peer.paths holds a bad path';
  if (!Array.isArray(v['groups'])) return 'groups is not a list';
  for (const g of v['groups'] as unknown[]) {
    if (!isObj(g) || !isStr(g['name']) || (g['owner'] !== null && !isId(g['owner'])))
      return 'groups holds a bad group';
    const rs = g['resources'];
    if (rs !== undefined && !Array.isArray(rs)) return 'groups holds a bad resource list';
    for (const r of (rs ?? []) as unknown[])
      if (
        !isObj(r) ||
        !isStr(r['name']) ||
        !isStr(r['type']) ||
        !isStr(r['health']) ||
        !isNum(r['failCount'])
      )
        return 'groups holds a bad resource';
  }
  if (!Array.isArray(v['alarms'])) return 'alarms is not a list';
  const alarms = v['alarms'] as unknown[];
  for (let i = 0; i < Math.min(alarms.length, MAX_ALARMS); i++) {
    const p = alarmProblem(alarms[i], i);
    if (p !== null) return p;
  }
  if (!Array.isArray(v['takeover'])) return 'takeover is not a list';
  for (const t of v['takeover'] as unknown[])
    if (!isObj(t) || !isId(t['by']) || typeof t['possible'] !== 'boolean')
      return 'takeover holds a bad outlook';
  const last = v['lastTakeover'];
  if (last !== null && (!isObj(last) || !isNum(last['at']) || !isId(last['by']) || !isStr(last['reason'])))
    return 'lastTakeover is wrong';
  if (last !== null && isObj(last) && last['phases'] !== undefined) {
    const phases = last['phases'];
    if (!Array.isArray(phases) || phases.length > 8) return 'lastTakeover.phases is wrong';
    for (const p of phases as unknown[])
      if (!isObj(p) || !isStr(p['name']) || !isNum(p['ms'])) return 'lastTakeover.phases holds a bad phase';
  }
  for (const k of ['since', 'updatedAt', 'configVersion', 'activeAlarms'])
    if (!isNum(v[k])) return `${k} is not a number`;
  if (typeof v['diskAccess'] !== 'boolean') return 'diskAccess is not a boolean';
  for (const k of ['muted', 'locate', 'maintenance'])
    if (v[k] !== undefined && typeof v[k] !== 'boolean') return `${k} is not a boolean`;
  return null;
}

/** The report in `payload`, or why it cannot be used. */
export function parseReport(payload: Uint8Array): Result<CheckedReport, string> {
  const parsed = parseBoundedJson(payload, REPORT_LIMITS, 'report');
  if (!parsed.ok) return parsed;
  const why = problem(parsed.value);
  if (why !== null) return { ok: false, error: `report: ${why}` };
  const r = parsed.value as CheckedReport;
  const alarms = r.alarms.slice(0, MAX_ALARMS);
  return { ok: true, value: { ...r, alarms } };
}
