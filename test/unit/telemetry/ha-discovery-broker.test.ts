// Home Assistant discovery through a real broker (aedes on loopback): the
// telemetry publishes it retained on connect, and again when Home Assistant
// announces itself `online` on homeassistant/status.
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SystemClock } from '../../../hal/clock/system.ts';
import { MqttTelemetry, type MqttConnection } from '../../../firmware/telemetry/mqtt-telemetry.ts';
import { TelemetryBox } from '../../lab/fixtures/telemetry-box.ts';

const DISCOVERY = 'homeassistant/device/box1_A/config';
type Published = { topic: string; payload: string; retain: boolean; qos: number };

describe('Home Assistant discovery on the broker', () => {
  let broker: Aedes;
  let server: Server;
  let port: number;
  let published: Published[];
  let subscriptions: string[];
  let telemetry: MqttTelemetry;
  let ha: MqttClient | undefined;

  const waitFor = async (pred: () => boolean, what: string, ms = 3000): Promise<void> => {
    const end = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const discoveries = (): Published[] => published.filter((p) => p.topic === DISCOVERY);

  beforeEach(async () => {
    broker = await Aedes.createBroker();
    published = [];
    subscriptions = [];
    broker.on('subscribe', (subs) => subscriptions.push(...subs.map((s) => s.topic)));
    // What clients publish, flags as sent (a live subscriber would see retain cleared).
    broker.on('publish', (packet, client) => {
      if (client !== null)
        published.push({
          topic: packet.topic,
          payload: packet.payload.toString(),
          retain: packet.retain,
          qos: packet.qos,
        });
    });
    server = createServer(broker.handle);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
    const connection: MqttConnection = {
      enabled: true,
      url: `mqtt://127.0.0.1:${port}`,
      tls: {},
      topicPrefix: 'tandem',
      commandToken: 'unit-test-token-0123456789abcdef0123',
    };
    // The config as the daemon passes it: homeAssistant beside the connection's fields.
    const homeAssistant = { homeAssistant: { enabled: true, prefix: 'homeassistant' } };
    telemetry = new MqttTelemetry({
      config: { mqtt: { ...connection, ...homeAssistant } },
      statusSource: new TelemetryBox({ boxId: 'box1', controller: 'A' }),
      commandHandler: new TelemetryBox({ boxId: 'box1', controller: 'A' }),
      clock: new SystemClock(),
      log: { info: () => undefined, warn: () => undefined },
      backoff: { baseMs: 50, maxMs: 200 },
    });
    await telemetry.start();
  });

  afterEach(async () => {
    await telemetry.stop();
    await ha?.endAsync(true);
    ha = undefined;
    await new Promise<void>((r) => broker.close(() => r()));
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('publishes the discovery retained, pointing at topics it publishes, and again after homeassistant/status online', async () => {
    await waitFor(() => discoveries().length === 1, 'the discovery');
    const first = discoveries()[0] as Published;
    expect(first).toMatchObject({ retain: true, qos: 1 });
    const doc = JSON.parse(first.payload) as { cmps: Record<string, Record<string, string>> };
    await waitFor(() => published.some((p) => p.topic === 'tandem/box1/A/state'), 'the state');
    const topics = new Set(published.map((p) => p.topic));
    for (const c of Object.values(doc.cmps)) {
      expect(topics).toContain(c['state_topic']);
      expect(topics).toContain(c['availability_topic']);
    }

    // Home Assistant starting later reads the retained copy...
    ha = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
    const seen: { topic: string; retain: boolean }[] = [];
    ha.on('message', (topic, _payload, packet) => seen.push({ topic, retain: packet.retain }));
    await ha.subscribeAsync('homeassistant/device/+/config', { qos: 1 });
    await waitFor(() => seen.length === 1, 'the retained discovery');
    expect(seen[0]).toEqual({ topic: DISCOVERY, retain: true });

    // ...and its birth message brings a fresh one (the telemetry subscribed on connect).
    await waitFor(() => subscriptions.includes('homeassistant/status'), 'the status subscription');
    await ha.publishAsync('homeassistant/status', 'online', { qos: 1 });
    await waitFor(() => discoveries().length === 2, 'the republished discovery');
    expect(discoveries()[1]).toMatchObject({ retain: true, qos: 1, payload: first.payload });
  });
});
