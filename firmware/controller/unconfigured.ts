// A controller at first boot: it has its identity (the flash tool's file)
// but no config. It runs no heartbeat, fencing or group; it keeps the event
// log and alarms, and serves the control socket and web.sock with the one
// command registry, whose dispatch refuses what needs a running controller
// (commands/unconfigured.ts). `status` says `unconfigured` with the
// identity's controller and box. A config import ends the wait: the config
// must be this box's (the identity's box id), the box's web secret stored at
// first boot is merged in when it carries none (so the password printed on
// the console stays valid), and `configured` resolves; the daemon then
// builds the controller from it in the same process.
import type { Clock } from '../../hal/clock/clock.ts';
import type { AlarmManager } from '../alarms/alarm-manager.ts';
import { otherController } from '../cluster/codes.ts';
import { RegistryCommands } from '../commands/dispatch.ts';
import type { ConfigChange, ConfigOps } from '../commands/context.ts';
import type { ApplyResult, ConfigManager } from '../config/config-manager.ts';
import type { ControllerIdentity } from '../config/identity-file.ts';
import { planImport } from '../config/import-plan.ts';
import type { TandemConfig } from '../config/schema.ts';
import { defaultConfig, formatIssues, validateConfig, type ConfigIssue } from '../config/validate.ts';
import { panelSocketPath } from '../console/panel-socket.ts';
import { ControlSocketServer } from '../console/server.ts';
import { STATE_TEXT } from '../core/states.ts';
import type { Extension } from '../core/extension.ts';
import type { EventLog } from '../events/event-log.ts';
import type { ControllerStatus } from '../status/snapshot.ts';
import { webSurfaces } from './web-surface.ts';

export interface UnconfiguredOptions {
  readonly identity: ControllerIdentity;
  /** Where the identity came from, for refusals (hal paths.identityFile). */
  readonly identityFile: string;
  readonly config: ConfigManager;
  readonly events: EventLog;
  readonly alarms: AlarmManager;
  readonly clock: Clock;
  readonly controlSocket: string;
  /** The box's web secret made at first boot (users/stored-secret.ts). */
  readonly secret: () => string | undefined;
}

export class UnconfiguredController {
  /** The registry as every socket of this controller serves it while unconfigured. */
  readonly commands: RegistryCommands;
  /** Resolves once a config was imported and stored. */
  readonly configured: Promise<void>;
  private readonly o: UnconfiguredOptions;
  private readonly since: number;
  private done: () => void = () => undefined;
  private sockets: ControlSocketServer[] = [];

  constructor(options: UnconfiguredOptions) {
    this.o = options;
    this.since = options.clock.wallMs();
    this.configured = new Promise<void>((resolve) => (this.done = resolve));
    this.commands = new RegistryCommands({
      status: { current: () => this.status() },
      counters: () => ({}),
      host: () => undefined,
      alarms: options.alarms,
      events: options.events,
      config: this.configOps(),
      unconfigured: options.identity.controller,
    });
  }

  /** The snapshot every surface reads: no peer heard, no path, no group. */
  status(): ControllerStatus {
    const { controller, box } = this.o.identity;
    return {
      boxId: box,
      controller,
      state: 'unconfigured',
      stateText: STATE_TEXT.unconfigured,
      since: this.since,
      peer: {
        id: otherController(controller),
        state: 'unknown',
        peerState: null,
        diskAccess: null,
        paths: [],
      },
      groups: [],
      diskAccess: false,
      activeAlarms: this.o.alarms.active().length,
      configVersion: this.o.config.inForceVersion(),
      updatedAt: this.o.clock.wallMs(),
    };
  }

  /** The control socket, the front panel's and web.sock, as on a configured controller. */
  extensions(): Extension[] {
    const warn = (message: string): void => {
      this.o.events.append({ severity: 'warning', source: 'daemon', code: 'SOCKET_WARNING', message });
    };
    const web = webSurfaces({
      commands: this.commands,
      config: this.o.config,
      events: this.o.events,
      clock: this.o.clock,
      controlSocket: this.o.controlSocket,
      consolePath: '',
      first: false,
      // The first boot prints the password (first-boot.ts).
      firstStart: false,
    });
    this.sockets = [
      new ControlSocketServer({
        socketPath: this.o.controlSocket,
        commandHandler: this.commands.with({ secretsChannel: true }),
        log: { warn },
      }),
      new ControlSocketServer({
        socketPath: panelSocketPath(this.o.controlSocket),
        commandHandler: this.commands.with({ defaultActor: 'front panel', panelChannel: true }),
        role: 'operator',
        log: { warn },
      }),
      ...web.filter((e): e is ControlSocketServer => e instanceof ControlSocketServer),
    ];
    return [...this.sockets];
  }

  /**
   * Waits (at most `maxMs`) until no client is connected: the import's reply
   * must reach tandemctl before these sockets close and the configured
   * controller opens its own on the same paths.
   */
  async drained(maxMs = 2000): Promise<void> {
    const until = Date.now() + maxMs;
    while (this.sockets.some((s) => s.connections > 0) && Date.now() < until)
      await new Promise((r) => setTimeout(r, 20));
  }

  /** Import, and the config in force as initial-password reads it: the identity's box, the stored secret. */
  private configOps(): ConfigOps {
    const config = this.o.config;
    const refused = (errors: ConfigIssue[]): ConfigChange => ({ ok: false, errors });
    return {
      exportText: (options) => config.exportText(options),
      setIdentity: () =>
        Promise.resolve(
          refused([{ path: '/box/id', message: 'the identity file sets it before a config exists' }]),
        ),
      current: () => {
        const c: TandemConfig = config.current();
        const secret = this.o.secret();
        return {
          ...c,
          box: { ...c.box, id: this.o.identity.box },
          web: { ...c.web, ...(secret !== undefined ? { secret } : {}) },
        };
      },
      importText: (text, origin = 'import', options = {}) =>
        this.firstImport(text, origin, options.merge === true),
    };
  }

  private async firstImport(text: string, origin: string, merge: boolean): Promise<ApplyResult> {
    const reject = (errors: ConfigIssue[]): ApplyResult => {
      this.o.events.append({
        severity: 'warning',
        source: 'config',
        code: 'CONFIG_REJECTED',
        message: `config from ${origin} rejected: ${formatIssues(errors)}`,
        data: { origin, errors: errors.map((e) => ({ path: e.path, message: e.message })) },
      });
      return { ok: false, errors };
    };
    const plan = planImport(text, this.o.config.current(), defaultConfig(), { merge });
    if (!plan.ok) return reject(plan.error);
    const checked = validateConfig(plan.value);
    if (!checked.ok) return reject(checked.errors);
    const { controller, box } = this.o.identity;
    if (checked.config.box.id !== box)
      return reject([
        {
          path: '/box/id',
          message: `is "${checked.config.box.id}", but this controller belongs to box "${box}" (${this.o.identityFile}); import box ${box}'s config`,
        },
      ]);
    if (!checked.config.box.controllerIds.includes(controller))
      return reject([
        {
          path: '/box/controllerIds',
          message: `does not name ${controller}, this controller (${this.o.identityFile})`,
        },
      ]);
    const candidate = structuredClone(checked.config);
    const secret = this.o.secret();
    // The password printed at first boot derives from this secret: keep it valid.
    if (candidate.web.secret === undefined && secret !== undefined) candidate.web.secret = secret;
    // The box id and cluster key come with the first config: nothing to split from yet.
    // Every setting is in force at once: the controller is built from it next, no restart waits.
    const r = await this.o.config.apply(candidate, origin, { identity: true, wholeInForce: true });
    if (r.ok) this.done();
    return r;
  }
}
