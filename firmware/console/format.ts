// tandemctl's human output: plain aligned tables and key/value blocks, never
// raw JSON (that is what --json is for). Times are local and ISO-like
// (2026-11-05 13:00:00+01:00), durations in the largest fitting unit
// (3.2 s, 45 s, 4 min, 3 h, 2 d). Colour only on a TTY (never on the serial
// console log or in a pipe), and every string from the daemon is stripped of
// control characters first, because event messages and alarm subjects may
// carry text from untrusted sources.
import type { CommandName } from '../core/envelope.ts';
import { stripControl } from '../core/text.ts';
import { isSeverity, type Severity } from '../events/types.ts';
import type {
  ControllerStatus,
  GroupStatus,
  PathStatus,
  ResourceStatus,
  StatusReport,
  TakeoverOutlook,
  TakeoverRecord,
} from '../status/snapshot.ts';

export interface FormatOptions {
  readonly color: boolean;
  /** For relative times ("12 s ago"). */
  readonly nowMs: number;
}

const GREEN = '\u001b[32m';
const YELLOW = '\u001b[33m';
const RED = '\u001b[31m';
const RESET = '\u001b[0m';

/**
 * The one severity vocabulary of alarms and the event log (events/types.ts;
 * alarms use critical, error, warning and notice of it): each word's colour.
 */
const SEVERITY_COLOR: Readonly<Record<Severity, string>> = {
  critical: RED,
  error: RED,
  warning: YELLOW,
  notice: GREEN,
  info: GREEN,
  debug: '',
};
/** Controller, path, group and resource words. */
const GOOD = new Set(['active', 'standby', 'up', 'alive', 'running', 'ok']);
const WARN = new Set([
  'peer-suspect',
  'late',
  'suspect',
  'starting',
  'stopping',
  'releasing',
  'taking-over',
  'maintenance',
  'unconfigured',
  'unknown',
]);
const BAD = new Set(['self-fenced', 'fencing', 'down', 'dead', 'failed']);

/** Whether tandemctl may colour its output. */
export function useColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && env['NO_COLOR'] === undefined && env['TERM'] !== 'dumb';
}

/** A value on one line, as words rather than JSON: `a, b` and `key: value, key: value`. */
function inline(value: unknown, depth: number): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (typeof value !== 'object') return '-';
  if (depth > 3) return '...';
  if (Array.isArray(value))
    return value.length === 0 ? '-' : value.map((v) => inline(v, depth + 1)).join(', ');
  const entries = Object.entries(value);
  if (entries.length === 0) return '-';
  const text = entries.map(([k, v]) => `${k}: ${inline(v, depth + 1)}`).join(', ');
  return depth === 0 ? text : `(${text})`;
}

/** Printable text: control characters (ANSI escapes included) become '?'; the one place tandemctl does it. */
export function clean(value: unknown): string {
  return stripControl(inline(value, 0));
}

function paint(word: string, color: boolean): string {
  if (!color) return word;
  const code = isSeverity(word)
    ? SEVERITY_COLOR[word]
    : GOOD.has(word)
      ? GREEN
      : WARN.has(word)
        ? YELLOW
        : BAD.has(word)
          ? RED
          : '';
  return code === '' ? word : `${code}${word}${RESET}`;
}

/** Text in the colour of a verdict (takeover yes/no, maintenance on/off). */
function tone(text: string, verdict: 'good' | 'warn' | 'bad', color: boolean): string {
  if (!color) return text;
  return `${verdict === 'good' ? GREEN : verdict === 'warn' ? YELLOW : RED}${text}${RESET}`;
}

/** Each column's width: its widest cell, at least `min`. */
function columnWidths(rows: readonly (readonly string[])[], min: readonly number[] = []): number[] {
  const columns = Math.max(min.length, ...rows.map((r) => r.length));
  return Array.from({ length: columns }, (_, i) =>
    Math.max(min[i] ?? 0, ...rows.map((r) => (r[i] ?? '').length)),
  );
}

/** One row padded to `widths`; the painted columns coloured after padding. */
function row(
  cells: readonly string[],
  widths: readonly number[],
  color: boolean,
  paintColumns: readonly number[] = [],
): string {
  return cells
    .map((c, i) => {
      const padded = i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0);
      return paintColumns.includes(i) ? padded.replace(c, paint(c, color)) : padded;
    })
    .join('  ')
    .trimEnd();
}

/** Rows without a header, aligned. */
function columns(
  rows: readonly (readonly unknown[])[],
  color: boolean,
  paintColumns: readonly number[] = [],
): string[] {
  const cells = rows.map((r) => r.map(clean));
  const widths = columnWidths(cells);
  return cells.map((r) => row(r, widths, color, paintColumns));
}

/** Columns padded to the widest cell; a word column may be painted after padding. */
export function table(
  headers: readonly string[],
  rows: readonly (readonly unknown[])[],
  opts: { color: boolean; paintColumns?: readonly number[] } = { color: false },
): string {
  const cells = rows.map((r) => r.map(clean));
  const widths = columnWidths([headers, ...cells]);
  const head = row(headers, widths, false);
  if (cells.length === 0) return `${head}\n(none)`;
  return [head, ...cells.map((r) => row(r, widths, opts.color, opts.paintColumns))].join('\n');
}

function keyValues(
  pairs: readonly [string, unknown][],
  color: boolean,
  paintKeys: readonly string[] = [],
): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs
    .map(
      // An empty key continues the line above (e.g. the state's explanation).
      ([k, v]) =>
        `${(k === '' ? '' : `${k}:`).padEnd(width + 1)}  ${paintKeys.includes(k) ? paint(clean(v), color) : clean(v)}`,
    )
    .join('\n');
}

/** A duration in the largest unit that reads well: 0.4 s, 3.2 s, 45 s, 4 min, 3 h, 2 d. */
export function duration(ms: number): string {
  const v = Math.max(0, ms);
  if (v < 10_000) return `${(v / 1000).toFixed(1)} s`;
  if (v < 120_000) return `${Math.round(v / 1000)} s`;
  if (v < 7_200_000) return `${Math.round(v / 60_000)} min`;
  if (v < 172_800_000) return `${Math.round(v / 3_600_000)} h`;
  return `${Math.round(v / 86_400_000)} d`;
}

function ago(ms: number | null | undefined, nowMs: number): string {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return 'never';
  return `${duration(nowMs - ms)} ago`;
}

/** Local time, ISO-like to the second, with the zone: 2026-11-05 13:00:00+01:00 (Z for UTC). */
export function localTime(ms: unknown): string {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '-';
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '-';
  const p = (n: number): string => String(n).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const zone =
    off === 0 ? 'Z' : `${off > 0 ? '+' : '-'}${p(Math.floor(Math.abs(off) / 60))}:${p(Math.abs(off) % 60)}`;
  return (
    `${String(d.getFullYear()).padStart(4, '0')}-${p(d.getMonth() + 1)}-${p(d.getDate())} ` +
    `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}${zone}`
  );
}

function pathsTable(paths: readonly PathStatus[], o: FormatOptions): string {
  return table(
    ['PATH', 'STATE', 'LAST HEARD', 'ONE-WAY'],
    paths.map((p) => [
      p.path,
      p.state,
      p.lastHeardAgoMs === null ? 'never' : `${duration(p.lastHeardAgoMs)} ago`,
      p.oneWay ? 'yes' : 'no',
    ]),
    { color: o.color, paintColumns: [1] },
  );
}

function groupsTable(groups: readonly GroupStatus[], o: FormatOptions): string {
  return table(
    ['GROUP', 'PREFERRED', 'OWNER', 'STATE', 'FAILED ON'],
    // failedOn is absent in a reply from older firmware: show it as none.
    groups.map((g) => [g.name, g.preferred, g.owner ?? '-', g.state, (g.failedOn ?? []).join(',') || '-']),
    { color: o.color, paintColumns: [3] },
  );
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const arrayOf = (v: unknown, ...keys: string[]): v is Record<string, unknown>[] =>
  Array.isArray(v) && v.every((x) => isObj(x) && keys.every((k) => k in x));

/** The parts of a root alarm (e.g. each path of a dead peer), one line each, to print under it. */
function alarmChildren(alarm: Record<string, unknown>): string[] {
  const children = alarm['children'];
  if (!Array.isArray(children)) return [];
  return children.filter(isObj).map((c) => {
    const subject = clean(c['subject'] ?? '');
    const message = clean(c['message'] ?? '');
    return `\\_ ${subject === '' || subject === '-' ? message : `${subject}: ${message}`}`;
  });
}

/** Rows of a table with each root's child lines under it, indented to the `at` column. */
function withChildren(text: string, children: readonly string[][], at: string): string {
  const [header = '', ...rows] = text.split('\n');
  const indent = ' '.repeat(Math.max(0, header.indexOf(at)));
  const out = [header];
  rows.forEach((line, i) => {
    out.push(line);
    for (const child of children[i] ?? []) out.push(`${indent}${child}`);
  });
  return out.join('\n');
}

function alarmsTable(alarms: readonly Record<string, unknown>[], o: FormatOptions): string {
  const text = table(
    ['ID', 'SEVERITY', 'CODE', 'SUBJECT', 'RAISED', 'COUNT', 'ACK', 'MESSAGE'],
    alarms.map((a) => [
      a['id'],
      a['severity'],
      a['code'],
      a['subject'] || '-',
      localTime(a['raisedAt']),
      a['count'],
      a['acknowledgedAt'] ? (a['acknowledgedBy'] ?? 'yes') : 'no',
      a['message'],
    ]),
    { color: o.color, paintColumns: [1] },
  );
  return alarms.length === 0 ? text : withChildren(text, alarms.map(alarmChildren), 'CODE');
}

// ---- status: the one-screen summary (crm_mon -1 / pcs status style) ----

/** A report from older firmware lacks what the summary adds: each part prints only if there. */
type StatusReply = ControllerStatus & Partial<Omit<StatusReport, keyof ControllerStatus>>;

function outlookLine(t: TakeoverOutlook, color: boolean): string {
  const head = `if ${clean(t.from)} fails, ${clean(t.by)} takes over: `;
  if (t.possible) return head + tone('yes', 'good', color);
  return `${head}${tone('no', 'bad', color)} (${t.why.map(clean).join('; ')})`;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

function takeoverLine(last: TakeoverRecord | null, o: FormatOptions): string {
  if (last === null) return 'none';
  const phases = (last.phases ?? []).map((p) => `${p.name} ${seconds(p.ms)}`).join(', ');
  return `${localTime(last.at)} (${ago(last.at, o.nowMs)}) by ${clean(last.by)}: ${clean(last.reason)}${phases === '' ? '' : ` (${phases})`}`;
}

/** The front panel's operator state: what `mute` and `locate` set. */
function panelLine(muted: boolean, locate: boolean, o: FormatOptions): string {
  const buzzer = muted ? `buzzer ${tone('muted', 'warn', o.color)} until a new alarm` : 'buzzer armed';
  const led = locate ? `locate ${tone('on', 'warn', o.color)} (identify LED blinking)` : 'locate off';
  return `${buzzer}, ${led}`;
}

function controllersTable(s: StatusReply, o: FormatOptions): string {
  const runs = (c: string): string =>
    s.groups
      .filter((g) => g.owner === c)
      .map((g) => g.name)
      .join(', ') || '-';
  const peerDisk = s.peer.diskAccess;
  return table(
    ['CONTROLLER', 'STATE', 'ROLE', 'DISK', 'RUNS'],
    [
      [s.controller, s.state, 'this controller', s.diskAccess ? 'yes' : 'no', runs(s.controller)],
      [
        s.peer.id,
        s.peer.peerState ?? 'unknown',
        `peer, ${s.peer.state}`,
        peerDisk === true ? 'yes' : peerDisk === false ? 'no' : '-',
        s.peer.state === 'dead' ? '-' : runs(s.peer.id),
      ],
    ],
    { color: o.color, paintColumns: [1] },
  );
}

function resourceLine(r: ResourceStatus, owner: string | null): unknown[] {
  const failures = `${r.failCount} ${r.failCount === 1 ? 'failure' : 'failures'}`;
  // The command says 'unknown' for a group the peer runs: its health is known there.
  const health = r.health === 'unknown' && owner !== null ? `see ${owner}` : r.health;
  return [r.name, r.type, health, failures];
}

function groupsTree(s: StatusReply, o: FormatOptions): string {
  if (s.groups.length === 0) return 'Groups: none configured';
  const resourcesOf = (g: GroupStatus): readonly ResourceStatus[] =>
    (g as { resources?: readonly ResourceStatus[] }).resources ?? [];
  const heads = columns(
    s.groups.map((g) => [
      g.name,
      g.state,
      g.owner === null ? 'on no controller' : `on ${g.owner}`,
      `(preferred ${g.preferred}${(g.failedOn ?? []).length > 0 ? `; failed on ${g.failedOn.join(', ')}` : ''})`,
    ]),
    o.color,
    [1],
  );
  // Every resource line in one set of columns, so they align across groups.
  const resources = columns(
    s.groups.flatMap((g) => resourcesOf(g).map((r) => resourceLine(r, g.owner))),
    o.color,
    [2],
  );
  const lines = ['Groups:'];
  let next = 0;
  s.groups.forEach((g, i) => {
    lines.push(`  ${heads[i] ?? ''}`);
    for (let n = resourcesOf(g).length; n > 0; n--) lines.push(`    ${resources[next++] ?? ''}`);
  });
  return lines.join('\n');
}

function alarmsSection(alarms: readonly unknown[], o: FormatOptions): string {
  const roots = alarms.filter(isObj);
  if (roots.length === 0) return 'Alarms: none active';
  const text = columns(
    roots.map((a) => [
      a['severity'],
      a['code'],
      a['subject'] || '-',
      `raised ${ago(a['raisedAt'] as number, o.nowMs)}`,
    ]),
    o.color,
    [0],
  );
  const severityWidth = Math.max(...roots.map((a) => clean(a['severity']).length));
  const indent = ' '.repeat(2 + severityWidth + 2);
  const lines = [`Alarms: ${roots.length} active`];
  roots.forEach((a, i) => {
    lines.push(`  ${text[i] ?? ''}`);
    for (const child of alarmChildren(a)) lines.push(indent + child);
  });
  return lines.join('\n');
}

function statusBlock(s: StatusReply, o: FormatOptions): string {
  const version = s.firmwareVersion !== undefined ? `firmware ${clean(s.firmwareVersion)}, ` : '';
  const pairs: [string, string][] = [
    ['Box', `${clean(s.boxId)} (${version}config version ${clean(s.configVersion)})`],
    ['Seen from', `controller ${clean(s.controller)} at ${localTime(s.updatedAt)}`],
    ['State', `${clean(s.stateText)}, since ${localTime(s.since)} (${ago(s.since, o.nowMs)})`],
  ];
  if (s.maintenance !== undefined)
    pairs.push([
      'Maintenance',
      s.maintenance ? `${tone('on', 'warn', o.color)}: no automatic failover` : 'off',
    ]);
  s.takeover?.forEach((t, i) => pairs.push([i === 0 ? 'Takeover' : '', outlookLine(t, o.color)]));
  if (s.lastTakeover !== undefined) pairs.push(['Last takeover', takeoverLine(s.lastTakeover, o)]);
  if (s.muted !== undefined && s.locate !== undefined) pairs.push(['Panel', panelLine(s.muted, s.locate, o)]);
  const width = Math.max(...pairs.map(([k]) => k.length)) + 1;
  return [
    // Already cleaned (and maybe coloured): printed as they are.
    pairs.map(([k, v]) => `${(k === '' ? '' : `${k}:`).padEnd(width)}  ${v}`).join('\n'),
    '',
    controllersTable(s, o),
    '',
    pathsTable(s.peer.paths, o),
    '',
    groupsTree(s, o),
    '',
    s.alarms !== undefined ? alarmsSection(s.alarms, o) : `Alarms: ${clean(s.activeAlarms)} active`,
  ].join('\n');
}

// ---- log ----

const LOG_HEADERS = ['TIME', 'SEVERITY', 'SOURCE', 'CODE', 'MESSAGE'] as const;

function logCells(e: Record<string, unknown>): string[] {
  return [localTime(e['ts']), e['severity'], e['source'], e['code'], e['message']].map(clean);
}

/**
 * `log --follow`'s printer: the header once, then each batch of events in
 * the order they happened, in columns that only ever widen.
 */
export class LogFollower {
  private widths: number[] = LOG_HEADERS.map((h) => h.length);
  private started = false;
  private readonly color: boolean;

  constructor(color: boolean) {
    this.color = color;
  }

  /** The lines for `events` (any order; printed oldest first), with the header before the first. */
  lines(events: readonly Record<string, unknown>[]): string[] {
    const sorted = [...events].sort((a, b) => Number(a['id']) - Number(b['id']));
    const cells = sorted.map(logCells);
    this.widths = columnWidths(cells, this.widths);
    const out = cells.map((c) => row(c, this.widths, this.color, [1]));
    if (!this.started) {
      this.started = true;
      out.unshift(row([...LOG_HEADERS], this.widths, false));
    }
    return out;
  }
}

/** Any JSON: arrays of objects as tables, objects as key/value lines. */
export function generic(data: unknown, o: FormatOptions): string {
  if (data === null || data === undefined) return 'ok';
  if (typeof data !== 'object') return clean(data);
  if (Array.isArray(data)) {
    if (!data.every(isObj)) return data.map(clean).join('\n');
    const keys = [...new Set(data.flatMap((r) => Object.keys(r)))];
    return table(
      keys.map((k) => k.toUpperCase()),
      data.map((r) => keys.map((k) => r[k])),
      { color: o.color },
    );
  }
  const entries = Object.entries(data);
  if (entries.length === 0) return 'ok';
  return keyValues(entries, o.color);
}

/** The human rendering of a successful reply to `command`. */
export function formatData(command: CommandName, data: unknown, o: FormatOptions): string {
  // Each shape check falls back to the generic view, so a newer daemon's reply still prints.
  const d =
    isObj(data) && Object.keys(data).length === 1 && Array.isArray(Object.values(data)[0])
      ? Object.values(data)[0]
      : data;
  switch (command) {
    case 'status':
      if (
        isObj(data) &&
        isObj(data['peer']) &&
        Array.isArray(data['peer']['paths']) &&
        Array.isArray(data['groups'])
      )
        return statusBlock(data as unknown as StatusReply, o);
      break;
    case 'peer':
      if (isObj(data) && Array.isArray(data['paths'])) {
        const p = data as unknown as ControllerStatus['peer'];
        return `${keyValues(
          [
            ['Peer', p.id],
            ['State', p.state],
            ['Peer says', p.peerState ?? 'unknown'],
          ],
          o.color,
          ['State', 'Peer says'],
        )}\n\n${pathsTable(p.paths, o)}`;
      }
      break;
    case 'paths':
      if (arrayOf(d, 'path', 'state')) return pathsTable(d as unknown as PathStatus[], o);
      break;
    case 'groups':
      if (arrayOf(d, 'name', 'state')) return groupsTable(d as unknown as GroupStatus[], o);
      break;
    case 'alarms':
      if (arrayOf(d, 'id', 'severity', 'code')) return alarmsTable(d, o);
      break;
    case 'log':
      if (arrayOf(d, 'ts', 'severity', 'message')) {
        return table(
          [...LOG_HEADERS],
          d.map((e) => logCells(e)),
          { color: o.color, paintColumns: [1] },
        );
      }
      break;
    case 'config-export':
    case 'config-show':
      // The configuration document itself, which is JSON.
      if (typeof data === 'string') return data.replace(/\n$/, '');
      return JSON.stringify(data, null, 2);
    case 'takeovers':
      if (arrayOf(d, 'at', 'kind', 'by', 'from', 'totalMs', 'phases')) return takeoversTable(d, o);
      break;
    case 'alarm-ack':
    case 'mute':
    case 'locate':
    case 'panel-fault':
    case 'cleanup':
    case 'config-import':
    case 'config-set-identity':
    case 'config-validate':
    case 'upgrade':
    case 'upgrade-status':
    case 'upgrade-abort':
    case 'upgrade-resume': {
      const plan = planOf(data);
      if (plan !== null) return progressLines(plan);
      if (isObj(data) && data['plan'] === null) return 'no upgrade has run on this box';
      break;
    }
    case 'upgrade-commit':
    case 'upgrade-rollback':
    case 'upgrade-peer':
    case 'drill': // the drill's report is drill-report.ts's (run.ts prints it)
    case 'drill-status':
    case 'drill-peer':
    case 'failback':
    case 'maintenance':
    case 'pr':
    case 'switchover':
    case 'takeover':
    case 'login':
    case 'password-change':
    case 'users':
    case 'user-add':
    case 'user-remove':
    case 'user-role':
    case 'user-reset':
    case 'initial-password':
      break;
  }
  return generic(data, o);
}

/** `takeovers`: one row each, newest first, the phases as in status's last takeover. */
function takeoversTable(rows: readonly Record<string, unknown>[], o: FormatOptions): string {
  const phases = (v: unknown): string =>
    Array.isArray(v)
      ? v
          .filter(isObj)
          .map((p) => `${clean(p['name'])} ${typeof p['ms'] === 'number' ? seconds(p['ms']) : '?'}`)
          .join(', ')
      : '';
  return table(
    ['WHEN', 'KIND', 'BY', 'FROM', 'TOTAL', 'PHASES', 'REASON'],
    rows.map((r) => [
      typeof r['at'] === 'number' ? localTime(r['at']) : '?',
      r['kind'],
      r['by'],
      r['from'],
      typeof r['totalMs'] === 'number' ? seconds(r['totalMs']) : '?',
      phases(r['phases']),
      r['reason'],
    ]),
    { color: o.color },
  );
}

// The rolling upgrade's plan (upgrade, upgrade status; upgrade-progress.ts follows it).
const UPGRADE_STEPS = ['preflight', 'install-first', 'switchover', 'install-second', 'failback', 'done'];
const UPGRADE_ENDED = ['done', 'failed', 'aborted'];
const UPGRADE_BAR = 20;

/** The plan out of an `upgrade` reply (the plan itself) or an `upgrade-status` one ({plan, here}). */
export function planOf(data: unknown): Record<string, unknown> | null {
  if (!isObj(data)) return null;
  if (typeof data['step'] === 'string') return data;
  return isObj(data['plan']) ? data['plan'] : null;
}

/** "[########............] 40% install-first: installing 0.1.1 on B" and the details below. */
export function progressLines(plan: Record<string, unknown>): string {
  const step = clean(plan['step']);
  const index = UPGRADE_STEPS.indexOf(step);
  // Within a step the install's percentage; across steps their share of the whole.
  const inStep = typeof plan['percent'] === 'number' ? plan['percent'] / 100 : 0;
  const whole = step === 'done' ? 1 : index < 0 ? 0 : (index + inStep) / (UPGRADE_STEPS.length - 1);
  const filled = Math.round(whole * UPGRADE_BAR);
  const detail = Array.isArray(plan['detail']) ? plan['detail'].map(clean) : [];
  const head = `upgrade ${clean(plan['from'])} -> ${clean(plan['version'] ?? '?')}: [${'#'.repeat(filled)}${'.'.repeat(UPGRADE_BAR - filled)}] ${Math.round(whole * 100)}% ${step}`;
  const pct =
    typeof plan['percent'] === 'number' && !UPGRADE_ENDED.includes(step) ? ` (${plan['percent']}%)` : '';
  return [head + pct, ...detail.map((d) => `  ${d}`)].join('\n');
}

export function ended(plan: Record<string, unknown>): 'done' | 'stopped' | null {
  const step = plan['step'];
  return step === 'done'
    ? 'done'
    : typeof step === 'string' && UPGRADE_ENDED.includes(step)
      ? 'stopped'
      : null;
}

/** The line for a refused or failed command. */
export function formatError(command: CommandName, error: string): string {
  return `tandemctl: ${command}: ${clean(error)}`;
}
