// The simulated box on MQTT for tests: the embedded broker with fresh
// credentials and command token, a NOC client subscribed to everything, and
// the box's controllers publishing through SimTelemetry.
import mqtt, { type MqttClient } from 'mqtt';
import { SimClock } from '../../../hal/clock/sim.ts';
import { SystemClock } from '../../../hal/clock/system.ts';
import { SimBox } from '../../../firmware/sim/box.ts';
import { simCredentials, startBroker, type EmbeddedBroker } from '../../../firmware/sim/broker.ts';
import { simCommandToken, SimTelemetry } from '../../../firmware/sim/telemetry.ts';

/** A message the NOC heard: its payload as bytes and as text. */
export interface Heard {
  readonly topic: string;
  readonly payload: Buffer;
  readonly text: string;
}

export class SimMqttBox {
  readonly credentials = simCredentials();
  readonly token = simCommandToken();
  /** What the NOC heard since start (tests may empty it). */
  readonly heard: Heard[] = [];
  /** The broker's messages about clients it closed for their packets. */
  readonly refusals: string[] = [];
  broker!: EmbeddedBroker;
  noc!: MqttClient;
  box!: SimBox;
  private telemetry!: SimTelemetry;

  /** A new MQTT 3.1.1 client with the box's credentials. */
  connect(): Promise<MqttClient> {
    return mqtt.connectAsync(`mqtt://127.0.0.1:${this.broker.port}`, {
      protocolVersion: 4,
      reconnectPeriod: 0,
      ...this.credentials,
    });
  }

  async start(boxId = 'simbox'): Promise<void> {
    this.broker = await startBroker(0, this.credentials, { onRefusedPacket: (m) => this.refusals.push(m) });
    this.noc = await this.connect();
    this.noc.on('message', (topic, payload) => this.heard.push({ topic, payload, text: payload.toString() }));
    await this.noc.subscribeAsync('tandem/#', { qos: 1 });
    this.box = new SimBox({ clock: new SimClock(), boxId });
    const telemetry = new SimTelemetry({
      url: `mqtt://127.0.0.1:${this.broker.port}`,
      credentials: this.credentials,
      token: this.token,
      box: this.box,
      clock: new SystemClock(),
    });
    this.telemetry = telemetry;
    this.box.onController((c, controller) => void telemetry.set(c, controller));
    this.box.start();
  }

  async stop(): Promise<void> {
    await this.box.stop();
    await this.telemetry.close();
    await this.noc.endAsync(true);
    await this.broker.close();
  }

  /** The first message heard that matches, waiting up to `ms`. */
  async waitFor(pred: (m: Heard) => boolean, ms = 5000): Promise<Heard> {
    const end = Date.now() + ms;
    for (;;) {
      const m = this.heard.find(pred);
      if (m) return m;
      if (Date.now() > end)
        throw new Error(`nothing matching; heard ${this.heard.map((g) => g.topic).join(', ')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}
