// The simulated box's NOC telemetry: the daemon's own MqttTelemetry extension
// for each controller, against the embedded broker (aedes speaks MQTT 3.1.1,
// which is what the extension's client uses), with the same operator
// commands as the daemon. A controller that is killed stops publishing and
// goes `offline`; one that boots again gets a fresh extension.
import type { Clock } from '../../hal/clock/clock.ts';
import type { ControllerId } from '../cluster/codes.ts';
import type { Controller } from '../controller/controller.ts';
import { randomBytes } from 'node:crypto';
import { MqttTelemetry } from '../telemetry/mqtt-telemetry.ts';
import type { StatusReport } from '../status/snapshot.ts';
import type { BrokerCredentials } from './broker.ts';
import type { SimBox } from './box.ts';

/** A command token for one run of the simulated box (printed at start): 256 random bits. */
export function simCommandToken(): string {
  return randomBytes(32).toString('hex');
}

export class SimTelemetry {
  private readonly url: string;
  private readonly credentials: BrokerCredentials;
  private readonly token: string;
  private readonly box: SimBox;
  private readonly clock: Clock;
  private readonly log: { info(m: string): void; warn(m: string): void };
  private readonly running: Partial<Record<ControllerId, MqttTelemetry>> = {};
  /** Attach/detach run one after another, so a quick kill+restart cannot interleave. */
  private chain: Promise<void> = Promise.resolve();

  constructor(options: {
    url: string;
    /** The embedded broker's login (broker.ts). */
    credentials: BrokerCredentials;
    /** The mqtt.commandToken of both controllers. */
    token: string;
    box: SimBox;
    clock: Clock;
    log?: { info(m: string): void; warn(m: string): void };
  }) {
    this.url = options.url;
    this.credentials = options.credentials;
    this.token = options.token;
    this.box = options.box;
    this.clock = options.clock;
    this.log = options.log ?? { info: () => undefined, warn: () => undefined };
  }

  /** Follow a controller booting or dying (undefined). */
  set(c: ControllerId, controller: Controller | undefined): Promise<void> {
    this.chain = this.chain.then(async () => {
      const old = this.running[c];
      delete this.running[c];
      await old?.stop().catch((err: unknown) => this.log.warn(`mqtt ${c}: ${String(err)}`));
      if (controller === undefined) return;
      const handler = controller.commands.with({ alarms: this.box.alarms(c), events: this.box.events(c) });
      const telemetry = new MqttTelemetry({
        config: {
          mqtt: {
            enabled: true,
            url: this.url,
            tls: {},
            topicPrefix: 'tandem',
            username: this.credentials.username,
            password: this.credentials.password,
            commandToken: this.token,
          },
        },
        statusSource: controller.status,
        commandHandler: handler,
        alarms: this.box.alarms(c),
        alarmSink: this.box.alarms(c),
        eventLog: this.box.events(c),
        clock: this.clock,
        log: this.log,
        // One broker plays both the NOC's and the controller's own here: the
        // front panels (panels.ts) read the report from it.
        reportSource: async () => {
          const r = await handler.handle({ command: 'status', args: {}, transaction: 'report' });
          return r.status === 'ok' ? (r.data as StatusReport) : null;
        },
        reportChanges: (listener) => this.box.alarms(c).signals.subscribe(listener),
      });
      this.running[c] = telemetry;
      await telemetry.start();
    });
    return this.chain;
  }

  async close(): Promise<void> {
    await this.set('A', undefined);
    await this.set('B', undefined);
  }
}
