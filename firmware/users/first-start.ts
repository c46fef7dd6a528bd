// The web panel's first start: make the box's web.secret when the config has
// none, and while no user has been set up, write the initial admin password
// (initial.ts) to the serial console, where whoever installs the box reads
// it. Never into the event log, which goes to MQTT.
//
// The secret is a config change like any other, so it is versioned and
// replicated to the peer. Both controllers start together on a new box: if
// each made its own, the pair would hold two configs under one version (a
// conflict). So the first controller of box.controllerIds makes it at once
// and the other only when, a minute on, none has arrived from the peer.
import { appendFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import type { Clock, TimerHandle } from '../../hal/clock/clock.ts';
import { errorMessage } from '../../hal/errors.ts';
import type { TandemConfig } from '../config/schema.ts';
import type { Extension } from '../core/extension.ts';
import { INITIAL_ADMIN, initialPassword } from './initial.ts';

/** How long the second controller waits for the peer's secret before making one. */
export const SECOND_CONTROLLER_WAIT_MS = 60_000;

export interface FirstStartOptions {
  readonly config: {
    current(): TandemConfig;
    importText(
      text: string,
      origin: string,
      options: { merge: boolean },
    ): Promise<{ ok: true } | { ok: false; errors: readonly { path: string; message: string }[] }>;
    onLiveChange(listener: (config: TandemConfig) => void): void;
  };
  /** This controller is the first of box.controllerIds: it makes the secret at once. */
  readonly first: boolean;
  readonly clock: Clock;
  /** hal paths.console. */
  readonly consolePath: string;
  readonly log: (severity: 'notice' | 'warning', code: string, message: string) => void;
  /** For tests: where the console text goes (default: appended to consolePath). */
  readonly writeConsole?: (text: string) => Promise<void>;
  /** A secret whose password the console shows already (the first boot printed it): not written again. */
  readonly shownSecret?: string;
}

export class WebFirstStart implements Extension {
  readonly name = 'web-first-start';
  private readonly o: FirstStartOptions;
  private timer: TimerHandle | undefined;
  private stopped = false;
  /** The secret whose password was last written, so each is written once. */
  private announced: string | undefined;

  constructor(options: FirstStartOptions) {
    this.o = options;
    this.announced = options.shownSecret;
  }

  start(): Promise<void> {
    this.stopped = false;
    this.o.config.onLiveChange(() => void this.announce());
    if (this.o.config.current().web.secret === undefined) {
      if (this.o.first) void this.makeSecret();
      else this.timer = this.o.clock.after(SECOND_CONTROLLER_WAIT_MS, () => void this.makeSecret());
    }
    void this.announce();
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    return Promise.resolve();
  }

  private async makeSecret(): Promise<void> {
    if (this.stopped || this.o.config.current().web.secret !== undefined) return;
    const secret = randomBytes(32).toString('hex');
    const r = await this.o.config.importText(
      JSON.stringify({ web: { secret } }),
      'first start: web secret made',
      {
        merge: true,
      },
    );
    if (!r.ok)
      this.o.log(
        'warning',
        'WEB_SECRET_NOT_STORED',
        `web.secret could not be stored: ${r.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
      );
    await this.announce();
  }

  /** While nobody has set up a user: the initial password on the console, once per secret. */
  private async announce(): Promise<void> {
    const web = this.o.config.current().web;
    if (this.stopped || web.users.length > 0 || web.secret === undefined || web.secret === this.announced)
      return;
    this.announced = web.secret;
    const text =
      `\r\nTandem web panel: log in as ${INITIAL_ADMIN} with the initial password ` +
      `${initialPassword(web.secret)}; you choose a new one at the first login.\r\n`;
    try {
      await (this.o.writeConsole ?? ((t: string) => appendFile(this.o.consolePath, t)))(text);
      this.o.log(
        'notice',
        'WEB_INITIAL_PASSWORD_SHOWN',
        `the initial web password was written to ${this.o.consolePath}`,
      );
    } catch (err) {
      this.o.log(
        'warning',
        'WEB_CONSOLE_UNWRITABLE',
        `the initial web password could not be written to ${this.o.consolePath}: ${errorMessage(err)}; tandemctl web initial-password shows it`,
      );
    }
  }
}
