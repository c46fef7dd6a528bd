// The info screens' text (LCDproc's "info" class): box summary, heartbeat
// paths, one page per alarm, the last takeover and the firmware version, each
// as four lines for a 20x4 and two for a 16x2. Pure functions of the status.
import { upgradeRunning, type CheckedUpgrade, type ReportAlarm } from '../status/report-check.ts';
import type { PanelStatus, Layout } from './types.ts';
import { spread, utcMinute } from './text.ts';

/** "pg:A web:B", '-' for a group nobody runs. */
function groupsText(s: PanelStatus): string {
  if (s.groups.length === 0) return 'no groups';
  return s.groups.map((g) => `${g.name}:${g.owner ?? '-'}`).join(' ');
}

/** Mute and locate, so the panel shows them as every surface does ('' when neither). */
function signalsText(s: PanelStatus): string {
  return [s.muted === true ? 'muted' : '', s.locate === true ? 'loc' : ''].filter((w) => w !== '').join(' ');
}

/** The running steps in a few cells, for the summary's upgrade line. */
const STEP_SHORT: Readonly<Record<string, string>> = {
  preflight: 'check',
  'install-first': 'inst 1',
  switchover: 'switch',
  'install-second': 'inst 2',
  failback: 'failback',
};

const percentText = (u: CheckedUpgrade): string => (u.percent === null ? '' : `${Math.round(u.percent)}%`);

/** "Upg 0.2.0 inst 1 42%": the summary's first line while an upgrade runs (in place of box and ctl). */
function upgradeLine(u: CheckedUpgrade): string {
  const pct = percentText(u);
  return spread(
    `Upg ${u.version ?? '?'}`,
    `${STEP_SHORT[u.step] ?? u.step}${pct === '' ? '' : ` ${pct}`}`,
    20,
  );
}

export function summaryLayout(s: PanelStatus): Layout {
  const peer = s.peer;
  const signals = signalsText(s);
  // '*' marks the controller this panel belongs to.
  const self = `${s.controller}* ${s.state}`;
  const upgrade = upgradeRunning(s.upgrade) ? s.upgrade : null;
  // 16 cells: the signals, when on, are worth more than the box id; a running upgrade too.
  const corner =
    signals !== ''
      ? signals
      : upgrade !== null
        ? `upg${percentText(upgrade) === '' ? '' : ` ${percentText(upgrade)}`}`
        : s.boxId;
  return {
    wide: [
      upgrade !== null ? upgradeLine(upgrade) : spread(s.boxId, `ctl ${s.controller}`, 20),
      signals === '' ? self : spread(self, signals, 20),
      spread(`${peer.id}  ${peer.peerState ?? '?'}`, peer.state, 20),
      groupsText(s),
    ],
    narrow: [
      `${s.controller}*${s.state} ${corner}`,
      // A fixed-width state word, so a change of it moves nothing else.
      `${peer.id}:${peer.state.padEnd(7)} ${groupsText(s)}`,
    ],
  };
}

/** 'init' is a path not heard from yet: neither up nor down. */
const pathWord = (state: string): string => (state === 'init' ? 'wait' : state);
const SHORT: Readonly<Record<string, string>> = { up: 'up', late: 'lt', down: 'dn', init: '--' };

export function pathsLayout(s: PanelStatus): Layout {
  const items = s.peer.paths.map((p) => `${p.path}:${pathWord(p.state)}${p.oneWay ? '>' : ''}`);
  // Two paths a row: "serial:late" is 11 cells, "disk:down" 9.
  const rows: string[] = [];
  for (let i = 0; i < items.length; i += 2) rows.push((items[i] ?? '').padEnd(11) + (items[i + 1] ?? ''));
  return {
    wide: [`Paths to ${s.peer.id}: ${s.peer.state}`, ...rows].slice(0, 4),
    // A table: initials over short states, 3 cells each after a 4-cell label.
    narrow: [
      'Path' + s.peer.paths.map((p) => ` ${p.path.charAt(0).toUpperCase()} `).join(''),
      `to ${s.peer.id}` + s.peer.paths.map((p) => ` ${SHORT[p.state] ?? '??'}`).join(''),
    ],
  };
}

/** Page `index` (0-based) of the alarms: the alarm, its position, and what Enter would do. */
export function alarmLayout(alarms: readonly ReportAlarm[], index: number): Layout {
  const a = alarms[index];
  if (a === undefined) return { wide: ['Alarms', 'none active'], narrow: ['Alarms', 'none active'] };
  const position = `${index + 1}/${alarms.length}`;
  const enter = a.acknowledgedAt === null ? 'Enter: acknowledge' : 'acknowledged';
  return {
    wide: [spread(`Alarm ${position}`, a.severity, 20), a.code, a.message, enter],
    narrow: [spread(position, a.code, 16), a.message],
  };
}

export function takeoverLayout(s: PanelStatus): Layout {
  const t = s.lastTakeover;
  if (t === null) return { wide: ['Last takeover', 'none'], narrow: ['Last takeover', 'none'] };
  // "wait 2.2 fence 0.0 start 0.3": how long each phase took, in seconds.
  const phases = (t.phases ?? []).map((p) => `${p.name} ${(p.ms / 1000).toFixed(1)}`).join(' ');
  return {
    wide: [`Last takeover by ${t.by}`, utcMinute(t.at), t.reason, phases],
    narrow: [`Takeover ${t.by} ${utcMinute(t.at)}`, phases === '' ? t.reason : `${phases} ${t.reason}`],
  };
}

/** "3d 04:12" or "04:12" (hours and minutes): what fits a corner of a line. */
export function uptimeText(seconds: number): string {
  const m = Math.floor(Math.max(0, seconds) / 60);
  const hhmm = `${String(Math.floor(m / 60) % 24).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  const days = Math.floor(m / 1440);
  return days > 0 ? `${days}d ${hhmm}` : hhmm;
}

export function versionLayout(s: PanelStatus): Layout {
  const up = s.host === undefined ? '' : `up ${uptimeText(s.host.uptimeS)}`;
  return {
    wide: [
      spread('Firmware', up, 20),
      `Tandem ${s.firmwareVersion}`,
      `box ${s.boxId}`,
      `ctl ${s.controller} config v${s.configVersion}`,
    ],
    narrow: [
      spread(`Tandem ${s.firmwareVersion}`, up.slice(3), 16),
      `${s.boxId} ${s.controller} cfg v${s.configVersion}`,
    ],
  };
}

/** This controller's IPv4 addresses, one per line (the first three; the rest scroll off). */
export function networkLayout(s: PanelStatus): Layout {
  const lines = (s.host?.addresses ?? []).map((a) => `${a.iface} ${a.address}`);
  const shown = lines.length === 0 ? ['no address'] : lines;
  return {
    wide: [`Network ctl ${s.controller}`, ...shown.slice(0, 3)],
    narrow: [`Net ctl ${s.controller}`, shown.join(' ')],
  };
}

/**
 * The web panel's address and, on request (Enter), the box's initial web
 * password: someone at the box may read it, which is the point (no shared
 * default, no label to lose). `code` is what the daemon answered, for a
 * minute: the password, or why there is none (already changed).
 */
export function webLayout(s: PanelStatus, code: string | null): Layout {
  const address = s.host?.addresses[0]?.address;
  const url = address === undefined ? 'no address' : `https://${address}`;
  if (code === null)
    return {
      wide: ['Web panel', url, 'Enter: first sign-in', 'password (admin)'],
      narrow: ['Web panel', url],
    };
  return { wide: ['Web sign-in: admin', code, url, ''], narrow: ['admin password', code] };
}

/**
 * Whether the upgrade screen is in the rotation: while a plan runs, or one
 * failed or was aborted (until a report without it: a new plan, or none).
 */
export function upgradeShown(s: PanelStatus): boolean {
  return s.upgrade !== null && s.upgrade !== undefined && s.upgrade.step !== 'done';
}

/**
 * The rolling upgrade: while it runs, the version it installs, the step and
 * the install's percentage, the first detail cut to the width, and from what
 * in which order; once stopped (failed or aborted), every reason, scrolling.
 */
export function upgradeLayout(s: PanelStatus): Layout {
  const u = s.upgrade;
  if (u === null || u === undefined || u.step === 'done')
    return { wide: ['Upgrade', 'none running'], narrow: ['Upgrade', 'none running'] };
  const to = u.version ?? '?';
  if (!upgradeRunning(u)) {
    const title = u.step === 'failed' ? 'Upgrade stopped' : 'Upgrade aborted';
    const why = u.detail.length === 0 ? 'see the event log' : u.detail.join('; ');
    return {
      wide: [title, `to ${to} from ${u.from}`, u.detail[0] ?? why, u.detail.slice(1).join('; ')],
      narrow: [title, why],
    };
  }
  const pct = percentText(u);
  const detail = u.detail[0] ?? '';
  return {
    wide: [
      spread(`Upgrade ${to}`, `${u.first}>${u.second}`, 20),
      spread(u.step, pct, 20),
      detail.slice(0, 20),
      `from ${u.from}`,
    ],
    narrow: [spread(`Upg ${to}`, pct, 16), u.step],
  };
}
