// tandemctl's human output: plain aligned tables and key/value blocks. Colour
// only on a TTY (never on the serial console log or in a pipe), and every
// string from the daemon is stripped of control characters first, because
// event messages and alarm subjects may carry text from untrusted sources.
import type { CommandName } from '../core/envelope.ts';
import { stripControl } from '../core/text.ts';
import type { ControllerStatus, GroupStatus, PathStatus } from '../status/snapshot.ts';

export interface FormatOptions {
  readonly color: boolean;
  /** For relative times ("12 s ago"). */
  readonly nowMs: number;
}

const GREEN = '\u001b[32m';
const YELLOW = '\u001b[33m';
const RED = '\u001b[31m';
const RESET = '\u001b[0m';

const GOOD = new Set(['active', 'standby', 'up', 'alive', 'running', 'online', 'ok', 'info', 'notice']);
const WARN = new Set([
  'peer-suspect',
  'late',
  'suspect',
  'starting',
  'stopping',
  'releasing',
  'taking-over',
  'maintenance',
  'warning',
  'minor',
  'init',
  'unknown',
]);
const BAD = new Set([
  'self-fenced',
  'fencing',
  'down',
  'dead',
  'failed',
  'error',
  'critical',
  'major',
  'offline',
]);

/** Whether tandemctl may colour its output. */
export function useColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && env['NO_COLOR'] === undefined && env['TERM'] !== 'dumb';
}

/** Printable text: control characters (ANSI escapes included) become '?'; the one place tandemctl does it. */
export function clean(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (value === null || value === undefined) text = '-';
  else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    text = String(value);
  else text = JSON.stringify(value) ?? '-';
  return stripControl(text);
}

function paint(word: string, color: boolean): string {
  if (!color) return word;
  const code = GOOD.has(word) ? GREEN : WARN.has(word) ? YELLOW : BAD.has(word) ? RED : '';
  return code === '' ? word : `${code}${word}${RESET}`;
}

/** Columns padded to the widest cell; a word column may be painted after padding. */
export function table(
  headers: readonly string[],
  rows: readonly (readonly unknown[])[],
  opts: { color: boolean; paintColumns?: readonly number[] } = { color: false },
): string {
  const cells = rows.map((r) => r.map(clean));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[], painted: boolean): string =>
    r
      .map((c, i) => {
        const padded = i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0);
        return painted && opts.paintColumns?.includes(i) ? padded.replace(c, paint(c, opts.color)) : padded;
      })
      .join('  ')
      .trimEnd();
  if (cells.length === 0) return `${line(headers, false)}\n(none)`;
  return [line(headers, false), ...cells.map((r) => line(r, true))].join('\n');
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

function ago(ms: number | null | undefined, nowMs: number): string {
  if (typeof ms !== 'number') return 'never';
  const s = Math.max(0, Math.round((nowMs - ms) / 1000));
  return s < 120
    ? `${s} s ago`
    : s < 7200
      ? `${Math.round(s / 60)} min ago`
      : `${Math.round(s / 3600)} h ago`;
}

function time(ms: unknown): string {
  return typeof ms === 'number' && Number.isFinite(ms)
    ? new Date(ms)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, 'Z')
    : '-';
}

function pathsTable(paths: readonly PathStatus[], o: FormatOptions): string {
  return table(
    ['PATH', 'STATE', 'LAST HEARD', 'ONE-WAY'],
    paths.map((p) => [
      p.path,
      p.state,
      p.lastHeardAgoMs === null ? 'never' : `${(p.lastHeardAgoMs / 1000).toFixed(1)} s ago`,
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

function statusBlock(s: ControllerStatus, o: FormatOptions): string {
  return [
    keyValues(
      [
        ['Box', s.boxId],
        ['Controller', s.controller],
        ['State', s.state],
        ['', s.stateText],
        ['Since', `${time(s.since)} (${ago(s.since, o.nowMs)})`],
        ['Peer', `${s.peer.id} ${s.peer.state}${s.peer.peerState ? ` (${s.peer.peerState})` : ''}`],
        ['Disk access', s.diskAccess ? 'yes' : 'no'],
        ['Active alarms', s.activeAlarms],
        ['Config version', s.configVersion],
      ],
      o.color,
      ['State'],
    ),
    '',
    pathsTable(s.peer.paths, o),
    '',
    groupsTable(s.groups, o),
  ].join('\n');
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const arrayOf = (v: unknown, ...keys: string[]): v is Record<string, unknown>[] =>
  Array.isArray(v) && v.every((x) => isObj(x) && keys.every((k) => k in x));

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
      if (isObj(data) && isObj(data['peer']) && Array.isArray(data['groups']))
        return statusBlock(data as unknown as ControllerStatus, o);
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
      if (arrayOf(d, 'id', 'severity', 'code')) {
        return table(
          ['ID', 'SEVERITY', 'CODE', 'SUBJECT', 'RAISED', 'COUNT', 'ACK', 'MESSAGE'],
          d.map((a) => [
            a['id'],
            a['severity'],
            a['code'],
            a['subject'] || '-',
            time(a['raisedAt']),
            a['count'],
            a['acknowledgedAt'] ? (a['acknowledgedBy'] ?? 'yes') : 'no',
            a['message'],
          ]),
          { color: o.color, paintColumns: [1] },
        );
      }
      break;
    case 'log':
      if (arrayOf(d, 'ts', 'severity', 'message')) {
        return table(
          ['TIME', 'SEVERITY', 'SOURCE', 'CODE', 'MESSAGE'],
          d.map((e) => [time(e['ts']), e['severity'], e['source'], e['code'], e['message']]),
          { color: o.color, paintColumns: [1] },
        );
      }
      break;
    case 'config-export':
    case 'config-show':
      if (typeof data === 'string') return data.replace(/\n$/, '');
      return JSON.stringify(data, null, 2);
    case 'alarm-ack':
    case 'cleanup':
    case 'config-import':
    case 'config-set-identity':
    case 'config-validate':
    case 'failback':
    case 'maintenance':
    case 'pr':
    case 'switchover':
    case 'takeover':
      break;
  }
  return generic(data, o);
}

/** The line for a refused or failed command. */
export function formatError(command: CommandName, error: string): string {
  return `tandemctl: ${command}: ${clean(error)}`;
}
