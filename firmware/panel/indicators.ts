// What the buzzer and the LEDs show, as a pure function of what the panel
// knows (the status, mute and locate, whether this controller could take
// over now, whether the firmware is up) and monotonic time. The panel
// process feeds it each status and asks it, at each instant, for the level
// of every output; `nextChangeMs` says when to ask again. docs/panel.md
// ("Buzzer and LEDs") has the table.
import type { ControllerId } from '../cluster/codes.ts';
import type { TakeoverOutlook } from '../status/snapshot.ts';
import {
  BLINK,
  BUSY,
  CRITICAL_BEEP,
  MAJOR_BEEPS,
  STEADY,
  TAKEOVER_BEEP_MS,
  isOn,
  nextEdgeMs,
  type Pattern,
} from './patterns.ts';
import type { PanelStatus } from './types.ts';

/** The status parts the indicators read, plus the operator's mute and locate. */
export type IndicatorStatus = Pick<
  PanelStatus,
  'controller' | 'state' | 'groups' | 'alarms' | 'lastTakeover' | 'upgrade'
> & {
  /** The daemon's mute (StatusReport.muted): the buzzer is silent for the alarms active then. */
  readonly muted: boolean;
  /** The daemon's locate (StatusReport.locate): the identify LED blinks. */
  readonly locate: boolean;
  /** This controller could take over from its peer now (StatusReport.takeover; see canTakeOverNow). */
  readonly canTakeOver: boolean;
};

/**
 * What the panel knows of its firmware: a status; 'down' (the daemon's Last
 * Will arrived: its process is gone); 'unknown' (no status yet, or the
 * broker out of reach: the firmware may be fine).
 */
export type FirmwareView =
  | { readonly kind: 'up'; readonly status: IndicatorStatus }
  | { readonly kind: 'down' }
  | { readonly kind: 'unknown' };

export interface Indicators {
  readonly buzzer: boolean;
  readonly statusGreen: boolean;
  readonly statusAmber: boolean;
  readonly fault: boolean;
  readonly identify: boolean;
}

export const OUTPUTS = ['buzzer', 'statusGreen', 'statusAmber', 'fault', 'identify'] as const;
export type Output = (typeof OUTPUTS)[number];

/** From StatusReport.takeover: the outlook of this controller taking over from its peer. */
export function canTakeOverNow(takeover: readonly TakeoverOutlook[], self: ControllerId): boolean {
  return takeover.find((t) => t.by === self)?.possible ?? false;
}

/** States in which this controller is between roles: its status LED is busy. */
const TRANSITION = new Set(['fencing', 'taking-over', 'releasing']);

/**
 * A rolling upgrade installing on this controller now (install-first on the
 * first, install-second on the second): it is flashed and then rebooted, so
 * its status LED shows busy as while between roles.
 */
function installingHere(s: IndicatorStatus): boolean {
  const u = s.upgrade;
  if (u === null || u === undefined) return false;
  return (
    (u.step === 'install-first' && u.first === s.controller) ||
    (u.step === 'install-second' && u.second === s.controller)
  );
}

/** The pattern each output follows now, or null for off; the takeover beep is apart. */
export function choosePatterns(view: FirmwareView): Record<Output, Pattern | null> {
  if (view.kind !== 'up') {
    // Firmware down: status off (issue #14), fault steady, as a module fault is
    // shown; unknown: nothing claimed. No buzzer either way: nobody could mute it.
    return {
      buzzer: null,
      statusGreen: null,
      statusAmber: null,
      fault: view.kind === 'down' ? STEADY : null,
      identify: null,
    };
  }
  const s = view.status;
  const active = s.alarms;
  const sounding = active.filter((a) => a.acknowledgedAt === null);
  // critical -> critical pattern; error -> major; warning and notice never sound.
  const buzzer = s.muted
    ? null
    : sounding.some((a) => a.severity === 'critical')
      ? CRITICAL_BEEP
      : sounding.some((a) => a.severity === 'error')
        ? MAJOR_BEEPS
        : null;
  // The fault LED shows the fault while it lasts, acknowledged or muted or not.
  const fault = active.some((a) => a.severity === 'critical')
    ? STEADY
    : active.some((a) => a.severity === 'error')
      ? BLINK
      : null;
  const runsHere = s.groups.some((g) => g.owner === s.controller);
  const green =
    TRANSITION.has(s.state) || installingHere(s)
      ? BUSY
      : s.state === 'active' || (runsHere && (s.state === 'peer-suspect' || s.state === 'maintenance'))
        ? STEADY
        : null;
  const amber = green !== null ? null : s.canTakeOver ? STEADY : BLINK;
  return {
    buzzer,
    statusGreen: green,
    statusAmber: amber,
    fault,
    identify: s.locate ? BLINK : null,
  };
}

interface Running {
  readonly pattern: Pattern;
  readonly since: number;
}

export class IndicatorModel {
  private running: Record<Output, Running | null> = {
    buzzer: null,
    statusGreen: null,
    statusAmber: null,
    fault: null,
    identify: null,
  };
  /** The takeover beep sounds until then (monotonic ms). */
  private beepUntil = -Infinity;
  /** The newest takeover seen (wall ms); undefined before the first status. */
  private lastTakeoverAt: number | null | undefined;
  private muted = false;

  /** A new view of the firmware at `nowMs`. */
  update(view: FirmwareView, nowMs: number): void {
    const chosen = choosePatterns(view);
    for (const o of OUTPUTS) {
      const p = chosen[o];
      // A pattern that goes on (or changes) starts from its beginning, so the first beep is now.
      if (p === null) this.running[o] = null;
      else if (this.running[o]?.pattern !== p) this.running[o] = { pattern: p, since: nowMs };
    }
    if (view.kind !== 'up') {
      this.beepUntil = -Infinity;
      return;
    }
    const s = view.status;
    const at = s.lastTakeover?.at ?? null;
    // The first status is the baseline: a panel that starts late does not beep for an old takeover.
    if (this.lastTakeoverAt !== undefined && at !== null && at !== this.lastTakeoverAt)
      this.beepUntil = nowMs + TAKEOVER_BEEP_MS;
    this.lastTakeoverAt = at;
    // Mute pressed during the long beep cuts it.
    if (s.muted && !this.muted) this.beepUntil = -Infinity;
    this.muted = s.muted;
  }

  /** Every output's level at `nowMs`. */
  at(nowMs: number): Indicators {
    const level = (o: Output): boolean => {
      const r = this.running[o];
      return r !== null && isOn(r.pattern, r.since, nowMs);
    };
    return {
      buzzer: nowMs < this.beepUntil || level('buzzer'),
      statusGreen: level('statusGreen'),
      statusAmber: level('statusAmber'),
      fault: level('fault'),
      identify: level('identify'),
    };
  }

  /** The next instant after `nowMs` at which an output may change without a new view (Infinity: none). */
  nextChangeMs(nowMs: number): number {
    let next = nowMs < this.beepUntil ? this.beepUntil : Infinity;
    for (const o of OUTPUTS) {
      const r = this.running[o];
      if (r !== null) next = Math.min(next, nextEdgeMs(r.pattern, r.since, nowMs));
    }
    return next;
  }
}
