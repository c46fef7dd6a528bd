// Both controllers' front panels in the simulated box: the panel's own code
// (firmware/panel: Panel, the sim HD44780 behind a PCF8574, the sim GPIO
// chip) fed by the embedded broker as a real panel is fed by its
// controller's broker, its keys run as commands on its controller. What is
// shown is read back from each HD44780's display memory and from the GPIO
// lines, as a person in front of the box would see it (panel-view.ts draws it).
import type { Clock } from '../../hal/clock/clock.ts';
import { errorMessage } from '../../hal/errors.ts';
import type { ControllerId } from '../cluster/codes.ts';
import { defaultConfig } from '../config/validate.ts';
import { commandFor } from '../panel/commands.ts';
import { StatusFeed } from '../telemetry/report-feed.ts';
import { openPanelHardware, type PanelHardware, type PanelLook } from '../panel/hardware.ts';
import { hostView } from '../panel/host.ts';
import { Panel } from '../panel/panel.ts';
import type { BrokerCredentials } from './broker.ts';
import type { SimBox } from './box.ts';
import { simCommands } from './console-run.ts';

export interface SimPanelsOptions {
  readonly box: SimBox;
  readonly boxId: string;
  readonly url: string;
  readonly credentials: BrokerCredentials;
  readonly clock: Clock;
  /** Either panel changed: both looks as they are now. */
  readonly onChange: (looks: Readonly<Partial<Record<ControllerId, PanelLook>>>) => void;
  readonly log: (line: string) => void;
}

interface Running {
  readonly panel: Panel;
  readonly feed: StatusFeed;
  readonly hw: PanelHardware;
}

export class SimPanels {
  private readonly o: SimPanelsOptions;
  private readonly running: Partial<Record<ControllerId, Running>> = {};
  private readonly looks: Partial<Record<ControllerId, PanelLook>> = {};

  constructor(options: SimPanelsOptions) {
    this.o = options;
  }

  async start(): Promise<void> {
    const cfg = defaultConfig().panel;
    for (const c of ['A', 'B'] as const) {
      let panel: Panel | null = null;
      const hw = await openPanelHardware({
        cfg,
        clock: this.o.clock,
        sim: true,
        onButton: (e) => panel?.onButton(e),
        onFault: (part, detail) => this.o.log(`${c} panel: ${part} ${detail ?? 'recovered'}`),
        report: (look) => {
          this.looks[c] = look;
          this.o.onChange({ ...this.looks });
        },
      });
      panel = new Panel({
        controller: c,
        clock: this.o.clock,
        geometry: hw.geometry,
        display: hw.display,
        io: hw.io,
        send: (action) => this.send(c, action),
        log: (line) => this.o.log(`${c} panel: ${line}`),
        // One machine runs both simulated controllers: both show its addresses.
        host: hostView,
      });
      const feed = new StatusFeed({
        reader: 'panel',
        url: this.o.url,
        scope: { prefix: 'tandem', boxId: this.o.boxId, controller: c },
        username: this.o.credentials.username,
        password: this.o.credentials.password,
        onEvent: (e) => panel?.onFeed(e),
      });
      this.running[c] = { panel, feed, hw };
      panel.start();
      feed.start();
    }
  }

  /** A button: `press`, `release`, or a whole press (`tap`). */
  key(c: ControllerId, key: 'up' | 'down' | 'enter' | 'mute', how: 'press' | 'release' | 'tap'): boolean {
    const simKey = this.running[c]?.hw.simKey;
    if (simKey === null || simKey === undefined) return false;
    if (how !== 'release') simKey(`press ${key}`);
    if (how !== 'press') setTimeout(() => simKey(`release ${key}`), 100);
    return true;
  }

  async stop(): Promise<void> {
    for (const r of Object.values(this.running)) {
      r.panel.stop();
      await r.feed.stop();
      await r.hw.close();
    }
  }

  private async send(c: ControllerId, action: Parameters<typeof commandFor>[0]): Promise<string | null> {
    const handler = simCommands(this.o.box, c);
    if (handler === undefined) return `controller ${c} is not running`;
    const { command, args } = commandFor(action);
    try {
      const r = await handler.handle({ command, args, transaction: `panel-${c}` });
      return r.status === 'ok' ? null : r.error;
    } catch (err) {
      return errorMessage(err);
    }
  }
}
