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
  UpgradeProgress,
} from './snapshot.ts';
import { UPGRADE_STEPS, type UpgradeStep } from './snapshot.ts';

/** StatusReport.upgrade as checked: the step is one of UPGRADE_STEPS. */
export interface CheckedUpgrade extends UpgradeProgress {
  readonly step: UpgradeStep;
}

/** The steps of a plan that still runs. */
export type RunningUpgradeStep = Exclude<UpgradeStep, 'done' | 'failed' | 'aborted'>;

/** Whether the plan still runs (not done, failed nor aborted). */
export function upgradeRunning(
  u: CheckedUpgrade | null | undefined,
): u is CheckedUpgrade & { readonly step: RunningUpgradeStep } {
  return u !== null && u !== undefined && u.step !== 'done' && u.step !== 'failed' && u.step !== 'aborted';
}

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
  /** The last rolling upgrade (StatusReport.upgrade); null when none, absent from older firmware. */
  readonly upgrade?: CheckedUpgrade | null;
  /**
   * Why a malformed part was left out rather than refusing the whole report
   * (today only `upgrade`, which then reads null); absent when nothing was.
   */
  readonly ignored?: string;
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

/** Bounds of what a panel shows of an upgrade (the plan's own schema: 16 details of 400 characters). */
const MAX_UPGRADE_DETAIL = 16;
const MAX_UPGRADE_TEXT = 400;

/** Why `u` (a report's `upgrade`, not undefined) is no upgrade a panel can show, or null when it is one. */
export function upgradeProblem(u: unknown): string | null {
  if (u === null) return null;
  if (!isObj(u)) return 'upgrade is not an object';
  if (!(UPGRADE_STEPS as readonly unknown[]).includes(u['step'])) return 'upgrade.step is not a step';
  if (u['version'] !== null && !isStr(u['version'])) return 'upgrade.version is not a string or null';
  if (!isStr(u['from'])) return 'upgrade.from is not a string';
  for (const k of ['version', 'from']) {
    const text = u[k];
    if (isStr(text) && text.length > 64) return `upgrade.${k} is too long`;
  }
  if (!isId(u['first']) || !isId(u['second'])) return 'upgrade.first or second is not A or B';
  const pct = u['percent'];
  if (pct !== null && (!isNum(pct) || pct < 0 || pct > 100)) return 'upgrade.percent is not 0..100 or null';
  const detail = u['detail'];
  if (!Array.isArray(detail) || detail.length > MAX_UPGRADE_DETAIL) return 'upgrade.detail is not a list';
  for (const d of detail as unknown[])
    if (!isStr(d) || d.length > MAX_UPGRADE_TEXT) return 'upgrade.detail holds a bad line';
  if (!isNum(u['startedAt']) || !isNum(u['updatedAt']))
    return 'upgrade.startedAt or updatedAt is not a number';
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
  // A bad upgrade part costs the upgrade's display, not the status: it reads null, with the reason.
  const raw: unknown = (parsed.value as Obj)['upgrade'];
  const upgradeWhy = raw === undefined ? null : upgradeProblem(raw);
  if (upgradeWhy !== null) return { ok: true, value: { ...r, alarms, upgrade: null, ignored: upgradeWhy } };
  return { ok: true, value: { ...r, alarms } };
}
