// Minimal stand-in for firmware/telemetry: publishes each controller's status
// snapshot, retained, to tandem/<box>/<controller>/state whenever it changes.
// The full telemetry module replaces this; it only needs a StatusSource.
import mqtt, { type MqttClient } from 'mqtt';
import type { ControllerStatus } from '../core/status.ts';

export class StatusPublisher {
  private readonly client: MqttClient;

  constructor(url: string) {
    this.client = mqtt.connect(url, { protocolVersion: 4, reconnectPeriod: 1000 });
    this.client.on('error', () => undefined);
  }

  publish(status: ControllerStatus): void {
    const topic = `tandem/${status.boxId}/${status.controller}/state`;
    this.client.publish(topic, JSON.stringify(status), { retain: true, qos: 0 });
  }

  /** A killed controller's retained state would lie: replace it with an empty retained message. */
  clear(boxId: string, controller: string): void {
    this.client.publish(`tandem/${boxId}/${controller}/state`, '', { retain: true, qos: 0 });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.client.end(false, {}, () => resolve());
    });
  }
}
