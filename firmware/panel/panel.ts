// The front panel, put together: the status feed in, the LCD, buzzer and
// LEDs out, the buttons turned into commands. It holds no failover state
// and decides nothing: the screens are PanelModel's, the patterns
// IndicatorModel's (through PanelIo), and a command goes to the daemon,
// which may refuse it. Without a status (no report yet, the daemon's Last
// Will, the local broker lost) it says so instead of showing stale data.
import type { Clock, TimerHandle } from '../../hal/clock/clock.ts';
import type { LcdGeometry } from '../../hal/lcd/lcd.ts';
import type { ButtonEvent } from './buttons.ts';
import type { PanelDisplay } from './display.ts';
import type { FeedEvent } from '../telemetry/report-feed.ts';
import { canTakeOverNow, type FirmwareView } from './indicators.ts';
import { PanelModel } from './model.ts';
import { offlineLayout, type Offline } from './offline.ts';
import type { PanelIo } from './panel-io.ts';
import type { CheckedReport } from '../status/report-check.ts';
import { SCROLL_STEP_MS, draw } from './text.ts';
import type { HostView, PanelAction } from './types.ts';

/** Redraw this often: scrolling text and the idle timeout move with time. */
const TICK_MS = 250;

export interface PanelOptions {
  readonly controller: 'A' | 'B';
  readonly clock: Clock;
  readonly geometry: LcdGeometry;
  readonly display: PanelDisplay;
  /** The buzzer, LEDs and buttons; null on a board with an LCD only. */
  readonly io: PanelIo | null;
  /** Run a command for a key (over the control socket); resolves to why it failed, or null. */
  readonly send: (action: PanelAction) => Promise<string | null>;
  /** The box's initial web password from the daemon, or why there is none (Enter on the web screen). */
  readonly signInCode?: () => Promise<string>;
  readonly log: (line: string) => void;
  /** This controller's addresses and uptime (host.ts), for the network and version screens. */
  readonly host?: () => HostView;
}

/** The addresses and uptime are read again this often. */
const HOST_REFRESH_MS = 10_000;

export class Panel {
  private readonly o: PanelOptions;
  private readonly model: PanelModel;
  private report: CheckedReport | null = null;
  private online: boolean | null = null;
  private brokerLostAt: number | null = null;
  private downSince = 0;
  private ticker: TimerHandle | null = null;
  private hostReadAt = -Infinity;

  constructor(options: PanelOptions) {
    this.o = options;
    this.model = new PanelModel(options.clock.monotonicMs());
  }

  start(): void {
    this.ticker = this.o.clock.every(TICK_MS, () => this.render());
    this.render();
  }

  stop(): void {
    this.ticker?.cancel();
    this.ticker = null;
  }

  onFeed(e: FeedEvent): void {
    const now = this.o.clock.monotonicMs();
    switch (e.kind) {
      case 'report':
        this.report = e.report;
        this.feedModel(now);
        break;
      case 'availability':
        if (!e.online && this.online !== false) this.downSince = this.o.clock.wallMs();
        this.online = e.online;
        break;
      case 'broker':
        this.brokerLostAt = e.connected ? null : e.sinceWallMs;
        // Back on: what the broker retained says again what is true now.
        if (e.connected) this.online = null;
        break;
      case 'refused':
        this.o.log(`feed: ${e.why}`);
        return;
    }
    this.o.io?.update(this.firmwareView());
    this.render();
  }

  onButton(e: ButtonEvent): void {
    if (this.offline() !== null) return; // nothing to act on without a status
    const now = this.o.clock.monotonicMs();
    const actions =
      e.kind === 'press' ? this.model.key(e.key, now) : e.kind === 'hold' ? this.model.holdEnter(now) : [];
    for (const a of actions) {
      if (a.kind === 'sign-in-code') {
        const ask = this.o.signInCode ?? (() => Promise.resolve('not available here'));
        void ask().then((text) => {
          this.model.showCode(text, this.o.clock.monotonicMs());
          this.render();
        });
        continue;
      }
      void this.o.send(a).then((why) => {
        if (why !== null) this.o.log(`${a.kind}: ${why}`);
      });
    }
    this.render();
  }

  /** The report, with what the panel reads on its own controller. */
  private feedModel(now: number): void {
    if (this.report === null) return;
    if (this.o.host === undefined) return this.model.update(this.report, now);
    this.hostReadAt = now;
    this.model.update({ ...this.report, host: this.o.host() }, now);
  }

  /** Why there is no status to show, or null when there is one. */
  private offline(): Offline | null {
    if (this.brokerLostAt !== null) return { kind: 'unavailable', sinceWallMs: this.brokerLostAt };
    if (this.online === false) return { kind: 'firmware-down', sinceWallMs: this.downSince };
    if (this.report === null) return { kind: 'waiting' };
    return null;
  }

  private firmwareView(): FirmwareView {
    const off = this.offline();
    if (off?.kind === 'firmware-down') return { kind: 'down' };
    if (off !== null || this.report === null) return { kind: 'unknown' };
    const r = this.report;
    return {
      kind: 'up',
      status: {
        ...r,
        muted: r.muted ?? false,
        locate: r.locate ?? false,
        canTakeOver: canTakeOverNow(r.takeover, r.controller),
      },
    };
  }

  private render(): void {
    const now = this.o.clock.monotonicMs();
    const off = this.offline();
    if (off === null) {
      if (now - this.hostReadAt >= HOST_REFRESH_MS) this.feedModel(now);
      this.model.tick(now);
      this.o.display.show(this.model.frame(this.o.geometry), this.model.backlight());
      return;
    }
    const tick = Math.floor(now / SCROLL_STEP_MS);
    this.o.display.show(draw(offlineLayout(off, this.o.controller), this.o.geometry, tick), 'on');
  }
}
