// The failover drill on tandemctl (docs/drill.md): `drill` follows the drill
// it started, a line per step as each ends, then prints the report (exit 0
// when it passed, 1 otherwise); `drill status` prints the drill under way or
// the last report. The report is the daemon's JSON (`--json`), printed here
// as an auditor reads it: the preflight, each step with its phases and on
// whose clock each was timed, and the comparison with the previous drill.
import type { CommandResponse } from '../core/envelope.ts';
import { clean, formatError, localTime, table } from './format.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

/** The report as text; null when `r` is not one (a newer daemon's answer prints generically). */
export function reportText(r: unknown, color: boolean): string | null {
  if (!isObj(r) || !Array.isArray(r['steps']) || !Array.isArray(r['preflight'])) return null;
  const steps = list(r['steps']);
  const passed = steps.filter((s) => s['ok'] === true).length;
  const head =
    `drill ${clean(r['id'])} on ${clean(r['by'])} by ${clean(r['actor'])}, ` +
    `${localTime(r['startedAt'])} to ${localTime(r['endedAt'])}, firmware ${clean(r['firmwareVersion'])}: ` +
    `${clean(r['result']).toUpperCase()} (${passed} of ${steps.length} steps passed)`;
  const prev = r['previous'];
  const slower = list(r['slower']);
  const compared = !isObj(prev)
    ? 'the first drill kept here: nothing to compare with'
    : slower.length === 0
      ? `compared with drill ${clean(prev['id'])} of ${localTime(prev['startedAt'])}: no phase more than 50 % slower`
      : `compared with drill ${clean(prev['id'])} of ${localTime(prev['startedAt'])}: ${slower.length} phases more than 50 % slower`;
  const phases = (s: Obj): string =>
    list(s['phases'])
      .map((p) => `${clean(p['name'])} ${clean(p['ms'])} ms (${clean(p['on'])})`)
      .join(', ');
  const out = [
    head,
    compared,
    '',
    table(
      ['PREFLIGHT', 'RESULT', 'DETAIL'],
      list(r['preflight']).map((c) => [c['check'], c['ok'] === true ? 'ok' : 'failed', c['detail']]),
      { color, paintColumns: [1] },
    ),
    '',
    table(
      ['STEP', 'SUBJECT', 'RESULT', 'PHASES (ms, timed on)', 'DETAIL'],
      steps.map((s) => [s['kind'], s['subject'], s['ok'] === true ? 'ok' : 'failed', phases(s), s['detail']]),
      { color, paintColumns: [2] },
    ),
  ];
  if (slower.length > 0)
    out.push(
      '',
      table(
        ['MORE THAN 50 % SLOWER', 'PREVIOUS', 'NOW'],
        slower.map((s) => [s['phase'], `${clean(s['previousMs'])} ms`, `${clean(s['ms'])} ms`]),
        { color },
      ),
    );
  return out.join('\n');
}

/** `drill` and `drill status`: the drill's lines while it runs, else its report (or the last one). */
export function drillText(data: unknown, color: boolean): string | null {
  if (!isObj(data)) return null;
  // `drill` answers the progress itself; `drill status` {drill, last}.
  const progress = 'lines' in data ? data : isObj(data['drill']) ? data['drill'] : null;
  if (progress !== null && progress['state'] === 'running')
    return [`drill ${clean(progress['id'])} under way:`, ...linesOf(progress).map((l) => `  ${l}`)].join(
      '\n',
    );
  const report = progress?.['report'] ?? data['last'];
  const text = reportText(report, color);
  if (text !== null) return text;
  if (progress !== null && progress['state'] === 'refused')
    return [`drill refused:`, ...linesOf(progress).map((l) => `  ${l}`)].join('\n');
  return 'no drill has run on this controller';
}

const linesOf = (p: Obj): string[] => (Array.isArray(p['lines']) ? p['lines'].map(clean) : []);

export interface DrillFollowIo {
  readonly status: () => Promise<CommandResponse>;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly color: boolean;
  /** --json: only the last `drill status` answer, as JSON. */
  readonly json: boolean;
  readonly signal: AbortSignal;
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** How often `drill status` is asked while a drill runs. */
export const DRILL_POLL_MS = 1000;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });
}

/** Follows the drill to its end: 0 passed, 1 failed or refused, 'interrupted' on Ctrl-C. */
export async function followDrill(io: DrillFollowIo): Promise<number | 'interrupted'> {
  const wait = io.sleep ?? sleep;
  let printed = 0;
  for (;;) {
    if (io.signal.aborted) {
      io.err('tandemctl: drill: no longer following; the drill goes on (tandemctl drill status)');
      return 'interrupted';
    }
    let r: CommandResponse | null;
    try {
      r = await io.status();
    } catch {
      r = null; // a daemon restarting: keep asking
    }
    if (r?.status === 'error') {
      io.err(formatError('drill-status', r.error));
      return 1;
    }
    const progress = r !== null && isObj(r.data) && isObj(r.data['drill']) ? r.data['drill'] : null;
    if (progress !== null) {
      // Every line once, except the step under way (" ..."), which its result replaces.
      const lines = linesOf(progress);
      const done = lines.filter((l) => !l.endsWith(' ...'));
      if (!io.json) for (const l of done.slice(printed)) io.out(l);
      printed = Math.max(printed, done.length);
      if (progress['state'] !== 'running') {
        if (io.json) io.out(JSON.stringify(r, null, 2));
        else io.out(`\n${drillText(progress, io.color) ?? ''}`);
        return progress['state'] === 'passed' ? 0 : 1;
      }
    }
    await wait(DRILL_POLL_MS, io.signal);
  }
}
