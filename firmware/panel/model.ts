// The panel's state machine, LCDproc's model cut down to two classes: an
// alert screen pre-empts the info screens. Pure: status, monotonic time and
// keys go in; a frame, the backlight word and actions come out. Enter on the
// summary opens the switchover menu (switchover.ts), whose confirmation only
// a held Enter answers. Nothing here touches a bus, a socket or a clock.
import type { LcdGeometry } from '../../hal/lcd/lcd.ts';
import type { Frame } from '../../hal/lcd/screen.ts';
import type { ControllerId } from '../cluster/codes.ts';
import { alertCauses, alertLayout, type AlertCause } from './alerts.ts';
import {
  alarmLayout,
  networkLayout,
  webLayout,
  pathsLayout,
  summaryLayout,
  takeoverLayout,
  upgradeLayout,
  upgradeShown,
  versionLayout,
} from './info-screens.ts';
import { confirmLayout, menuLayout, switchoverTarget } from './switchover.ts';
import { SCROLL_STEP_MS, draw } from './text.ts';
import {
  INFO_SCREENS,
  type Backlight,
  type InfoScreen,
  type Layout,
  type PanelAction,
  type PanelKey,
  type PanelStatus,
} from './types.ts';

/** Without a key for this long the panel goes back to the summary and dims (issue #14). */
export const IDLE_TIMEOUT_MS = 60_000;
/** The initial web password stays on the LCD this long after Enter. */
export const CODE_SHOWN_MS = 60_000;

/**
 * The switchover menu, opened by Enter on the summary: a page per group and
 * a last one to go back; `confirm` is the group and target its confirmation
 * screen names (what a held Enter sends, checked again against the status).
 */
interface Menu {
  readonly index: number;
  readonly confirm: { readonly group: string; readonly from: ControllerId; readonly to: ControllerId } | null;
}

/** One page of the Up/Down rotation; the alarms screen has one page per alarm. */
interface Page {
  readonly screen: InfoScreen;
  readonly alarm: number;
}

export class PanelModel {
  private status: PanelStatus | null = null;
  private now = 0;
  private lastKeyMs: number;
  private page: Page = { screen: 'summary', alarm: 0 };
  private menu: Menu | null = null;
  /** Alert causes present and not dismissed, oldest first; the last one shows. */
  private pending: AlertCause[] = [];
  /** Every cause present now (dismissed ones too): only a key not in here is new. */
  private known = new Set<string>();
  /** The daemon's answer to a sign-in code request, shown on the web screen until then. */
  private code: { readonly text: string; readonly untilMs: number } | null = null;
  /** When the screen shown last changed: long lines scroll from their start again. */
  private shownSince = 0;
  private shownKey = '';
  /** The failed upgrade (its startedAt) the panel has turned to once; null when none is in the report. */
  private stoppedSeen: number | null = null;
  /** The upgrade screen is home (idle returns there) until a key leaves it or the failure leaves the report. */
  private upgradeHome = false;

  constructor(nowMs = 0) {
    this.now = nowMs;
    this.lastKeyMs = nowMs;
    this.shownSince = nowMs;
  }

  /** A new status snapshot (and the time it arrived). */
  update(status: PanelStatus, nowMs: number): void {
    this.status = status;
    const causes = alertCauses(status);
    const present = new Set(causes.map((c) => c.key));
    // A cause that cleared is forgotten, so if it comes back it alerts again.
    this.pending = this.pending.filter((p) => present.has(p.key));
    for (const key of this.known) if (!present.has(key)) this.known.delete(key);
    // Refresh the text of causes still pending (a message may be re-rendered).
    this.pending = this.pending.map((p) => causes.find((c) => c.key === p.key) ?? p);
    // New causes go on top, the most serious of them last, so it shows.
    const fresh = causes.filter((c) => !this.known.has(c.key)).sort((a, b) => a.rank - b.rank);
    for (const c of fresh) {
      this.known.add(c.key);
      this.pending.push(c);
    }
    // Something new pre-empts: whatever was being confirmed is no longer what the operator saw.
    if (fresh.length > 0) this.menu = null;
    this.recheckConfirm();
    this.noteUpgrade(status);
    this.tick(nowMs);
  }

  /** Time passing without a new status: the idle timeout and scrolling. */
  tick(nowMs: number): void {
    this.now = Math.max(this.now, nowMs);
    const home = this.home();
    if (this.idle() && (this.page.screen !== home || this.menu !== null)) {
      this.page = { screen: home, alarm: 0 };
      this.menu = null;
    }
    this.noteShown();
  }

  /** A button press; returns what the panel asks the controller to do. */
  key(k: PanelKey, nowMs: number): PanelAction[] {
    this.now = Math.max(this.now, nowMs);
    this.lastKeyMs = this.now;
    const actions: PanelAction[] = [];
    const alert = this.alert();
    if (k === 'mute') {
      actions.push({ kind: 'mute' });
    } else if (alert !== null) {
      // An alert holds the display: only Enter (acknowledge or hide) leaves it.
      if (k === 'enter') {
        if (alert.alarmId !== null) actions.push({ kind: 'ack', alarmId: alert.alarmId });
        this.pending = this.pending.filter((p) => p.key !== alert.key);
      }
    } else if (this.menu !== null) {
      this.menuKey(k, this.menu);
    } else if (k === 'enter') {
      const id = this.ackTarget();
      if (id !== null) actions.push({ kind: 'ack', alarmId: id });
      else if (this.page.screen === 'web') actions.push({ kind: 'sign-in-code' });
      else if (this.page.screen === 'summary' && this.status !== null)
        this.menu = { index: 0, confirm: null };
    } else {
      this.step(k === 'down' ? 1 : -1);
      // Leaving the stopped upgrade's screen is enough: it does not come back for the same plan.
      this.upgradeHome = false;
    }
    this.noteShown();
    return actions;
  }

  /**
   * Enter held HOLD_MS (buttons.ts): on the confirmation screen, and only
   * there, the switchover it names; then back to the summary.
   */
  holdEnter(nowMs: number): PanelAction[] {
    this.now = Math.max(this.now, nowMs);
    this.lastKeyMs = this.now;
    const c = this.menu?.confirm ?? null;
    if (this.alert() !== null || c === null) return [];
    this.menu = null;
    this.page = { screen: 'summary', alarm: 0 };
    this.noteShown();
    return [{ kind: 'switchover', group: c.group, to: c.to }];
  }

  /** The alert on show, or null when an info screen shows. */
  alert(): AlertCause | null {
    return this.pending.at(-1) ?? null;
  }

  /** What the display shows: 'alert', the switchover menu or confirmation, or the info screen. */
  screen(): 'alert' | 'switchover' | 'confirm' | InfoScreen {
    if (this.alert() !== null) return 'alert';
    if (this.menu !== null) return this.menu.confirm === null ? 'switchover' : 'confirm';
    return this.page.screen;
  }

  /** The alarm Enter would acknowledge now, or null. */
  ackTarget(): number | null {
    const alert = this.alert();
    if (alert !== null) return alert.alarmId;
    if (this.page.screen !== 'alarms' || this.status === null) return null;
    const a = this.status.alarms[this.clampedAlarm()];
    return a !== undefined && a.acknowledgedAt === null ? a.id : null;
  }

  /** Dim after the idle timeout; an alert keeps the light on. */
  backlight(): Backlight {
    return this.alert() === null && this.idle() ? 'dim' : 'on';
  }

  frame(geometry: LcdGeometry): Frame {
    const tick = Math.floor((this.now - this.shownSince) / SCROLL_STEP_MS);
    return draw(this.layout(), geometry, tick);
  }

  private layout(): Layout {
    const s = this.status;
    if (s === null)
      return { wide: ['Tandem', 'waiting for status'], narrow: ['Tandem', 'waiting for status'] };
    const alert = this.alert();
    if (alert !== null) return alertLayout(alert, this.pending.length - 1);
    if (this.menu !== null) {
      const c = this.menu.confirm;
      return c === null ? menuLayout(s, this.menu.index) : confirmLayout(c.group, c.from, c.to);
    }
    switch (this.page.screen) {
      case 'summary':
        return summaryLayout(s);
      case 'upgrade':
        return upgradeLayout(s);
      case 'paths':
        return pathsLayout(s);
      case 'alarms':
        return alarmLayout(s.alarms, this.clampedAlarm());
      case 'takeover':
        return takeoverLayout(s);
      case 'network':
        return networkLayout(s);
      case 'web':
        return webLayout(s, this.code !== null && this.now < this.code.untilMs ? this.code.text : null);
      case 'version':
        return versionLayout(s);
    }
  }

  private idle(): boolean {
    return this.now - this.lastKeyMs >= IDLE_TIMEOUT_MS;
  }

  /** What the daemon answered for the sign-in code: shown on the web screen for CODE_SHOWN_MS. */
  showCode(text: string, nowMs: number): void {
    this.now = Math.max(this.now, nowMs);
    this.code = { text, untilMs: this.now + CODE_SHOWN_MS };
  }

  /** The alarm page, kept in range as alarms clear. */
  private clampedAlarm(): number {
    const n = this.status?.alarms.length ?? 0;
    return Math.max(0, Math.min(this.page.alarm, n - 1));
  }

  /** Where the idle timeout goes: the summary, or a stopped upgrade's screen not yet left. */
  private home(): InfoScreen {
    return this.upgradeHome ? 'upgrade' : 'summary';
  }

  /**
   * A rolling upgrade in the new status: a failed one turns the panel to the
   * upgrade screen once (unless a menu is open) and keeps it there while
   * idle; the upgrade screen leaves the rotation when nothing is to be shown.
   */
  private noteUpgrade(s: PanelStatus): void {
    const u = s.upgrade ?? null;
    const failed = u !== null && u.step === 'failed' ? u.startedAt : null;
    if (failed === null) {
      this.stoppedSeen = null;
      this.upgradeHome = false;
    } else if (failed !== this.stoppedSeen) {
      this.stoppedSeen = failed;
      this.upgradeHome = true;
      if (this.menu === null) this.page = { screen: 'upgrade', alarm: 0 };
    }
    if (this.page.screen === 'upgrade' && !upgradeShown(s)) this.page = { screen: 'summary', alarm: 0 };
  }

  /** Up/Down through the flat rotation: summary, upgrade (when shown), paths, alarm 1..n, takeover, network, web, version, and round. */
  private step(direction: 1 | -1): void {
    const n = Math.max(1, this.status?.alarms.length ?? 0);
    const upgrade = this.status !== null && upgradeShown(this.status);
    const pages: Page[] = INFO_SCREENS.flatMap((screen): Page[] =>
      screen === 'alarms'
        ? Array.from({ length: n }, (_, alarm) => ({ screen, alarm }))
        : screen === 'upgrade' && !upgrade
          ? []
          : [{ screen, alarm: 0 }],
    );
    const current = {
      screen: this.page.screen,
      alarm: this.page.screen === 'alarms' ? this.clampedAlarm() : 0,
    };
    const at = pages.findIndex((p) => p.screen === current.screen && p.alarm === current.alarm);
    this.page = pages[(at + direction + pages.length) % pages.length]!;
    this.code = null; // leaving the web screen hides the password
  }

  /** Up/Down/Enter in the switchover menu (Mute is handled before). */
  private menuKey(k: 'up' | 'down' | 'enter', menu: Menu): void {
    const s = this.status;
    if (s === null) return;
    if (menu.confirm !== null) {
      // Up or Down cancels; a short Enter does nothing: only a held one confirms.
      if (k !== 'enter') this.menu = { index: menu.index, confirm: null };
      return;
    }
    const pages = s.groups.length + 1; // each group, then "back"
    if (k !== 'enter') {
      this.menu = { index: (menu.index + (k === 'down' ? 1 : -1) + pages) % pages, confirm: null };
      return;
    }
    const g = s.groups[menu.index];
    if (g === undefined) {
      this.menu = null; // "back"
      return;
    }
    const t = switchoverTarget(s, g.name);
    if (t.ok) this.menu = { index: menu.index, confirm: { group: t.group, from: t.from, to: t.to } };
  }

  /** A confirmation whose group moved or whose peer went away meanwhile goes back to the menu. */
  private recheckConfirm(): void {
    const c = this.menu?.confirm ?? null;
    if (c === null || this.status === null || this.menu === null) return;
    const t = switchoverTarget(this.status, c.group);
    if (!t.ok || t.from !== c.from || t.to !== c.to) this.menu = { index: this.menu.index, confirm: null };
  }

  /** Restart scrolling when what is on show changes. */
  private noteShown(): void {
    const menu = this.menu === null ? '' : `menu:${this.menu.index}:${this.menu.confirm === null ? '' : 'c'}`;
    const key = this.alert()?.key ?? (menu || `${this.page.screen}:${this.page.alarm}`);
    if (key !== this.shownKey) {
      this.shownKey = key;
      this.shownSince = this.now;
    }
  }
}
