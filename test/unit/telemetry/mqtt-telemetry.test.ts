// The telemetry extension against an in-process broker (aedes on loopback),
// observed by a NOC client: what a real NOC would see.
import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SystemClock } from '../../../hal/clock/system.ts';
import { MqttTelemetry, type MqttConnection } from '../../../firmware/telemetry/mqtt-telemetry.ts';
import type { StatusReport } from '../../../firmware/status/snapshot.ts';
import { TelemetryBox } from '../../lab/fixtures/telemetry-box.ts';
import { signedRequest } from '../../lab/fixtures/telemetry-noc.ts';

const TOKEN = 'unit-test-token-0123456789abcdef0123';
const scope = { prefix: 'tandem', boxId: 'box1', controller: 'A' as const };
const quiet = { info: () => undefined, warn: () => undefined };

type Msg = { topic: string; payload: string; retain: boolean };

function mqttConfig(port: number): { mqtt: MqttConnection } {
  return {
    mqtt: {
      enabled: true,
      url: `mqtt://127.0.0.1:${port}`,
      tls: {},
      topicPrefix: 'tandem',
      commandToken: TOKEN,
    },
  };
}

describe('MQTT telemetry extension', () => {
  let broker: Aedes;
  let server: Server;
  let port: number;
  let noc: MqttClient;
  let received: Msg[];
  let box: TelemetryBox;
  let telemetry: MqttTelemetry;
  let warnings: string[];

  const waitFor = async (pred: (m: Msg) => boolean, ms = 3000): Promise<Msg> => {
    const end = Date.now() + ms;
    for (;;) {
      const m = received.find(pred);
      if (m) return m;
      if (Date.now() > end)
        throw new Error(`no matching message; got ${JSON.stringify(received.map((r) => r.topic))}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  beforeEach(async () => {
    broker = await Aedes.createBroker();
    server = createServer(broker.handle);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
    received = [];
    noc = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
    noc.on('message', (topic, payload, packet) =>
      received.push({ topic, payload: payload.toString(), retain: packet.retain }),
    );
    await noc.subscribeAsync('tandem/#', { qos: 1 });
    box = new TelemetryBox({ boxId: 'box1', controller: 'A' });
    warnings = [];
    telemetry = new MqttTelemetry({
      config: mqttConfig(port),
      statusSource: box,
      commandHandler: box,
      clock: new SystemClock(),
      log: { info: () => undefined, warn: (m) => warnings.push(m) },
      backoff: { baseMs: 50, maxMs: 200 },
    });
    await telemetry.start();
    await waitFor((m) => m.topic === 'tandem/box1/A/availability' && m.payload === 'online');
  });

  afterEach(async () => {
    await telemetry.stop();
    await noc.endAsync(true);
    await new Promise<void>((r) => broker.close(() => r()));
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('publishes online, then retained state and box status', async () => {
    const state = await waitFor((m) => m.topic === 'tandem/box1/A/state');
    expect(JSON.parse(state.payload)).toMatchObject({ boxId: 'box1', controller: 'A', state: 'active' });
    const status = await waitFor((m) => m.topic === 'tandem/box1/status');
    expect(JSON.parse(status.payload)).toMatchObject({ reportedBy: 'A', active: 'A' });
    // A NOC that subscribes later still gets them: they are retained.
    const late = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
    const got: Msg[] = [];
    late.on('message', (topic, payload, packet) =>
      got.push({ topic, payload: payload.toString(), retain: packet.retain }),
    );
    await late.subscribeAsync('tandem/box1/#');
    await new Promise((r) => setTimeout(r, 100));
    expect(
      got
        .filter((m) => m.retain)
        .map((m) => m.topic)
        .sort(),
    ).toEqual(['tandem/box1/A/availability', 'tandem/box1/A/state', 'tandem/box1/status']);
    await late.endAsync();
  });

  it("the local broker's copy: a coalesced, retained report; requests are not taken there", async () => {
    await telemetry.stop();
    received.length = 0;
    let built = 0;
    const local = new MqttTelemetry({
      config: mqttConfig(port),
      statusSource: box,
      commandHandler: box,
      clock: new SystemClock(),
      log: quiet,
      name: 'mqtt-local',
      answerRequests: false,
      reportSource: () => {
        built += 1;
        const s = box.current();
        return Promise.resolve({
          ...s,
          firmwareVersion: 't',
          alarms: [],
          lastTakeover: null,
        } as unknown as StatusReport);
      },
    });
    telemetry = local;
    await local.start();
    const first = await waitFor((m) => m.topic === 'tandem/box1/A/report');
    expect(first.retain).toBe(false); // live delivery to a subscriber; retained is checked below
    expect(JSON.parse(first.payload)).toMatchObject({ state: 'active', firmwareVersion: 't' });
    // Three changes in a burst: one more report, with the last state.
    const before = built;
    box.setState('peer-suspect');
    box.setState('fencing');
    box.setState('taking-over');
    await waitFor((m) => m.topic === 'tandem/box1/A/report' && m.payload.includes('taking-over'));
    await new Promise((r) => setTimeout(r, 150));
    expect(built - before).toBe(1);
    // A request gets no answer: the local copy does not subscribe to them.
    const req = signedRequest(TOKEN, scope, 'maintenance', { on: true });
    await noc.publishAsync(req.topic, req.payload, { qos: 1 });
    await new Promise((r) => setTimeout(r, 200));
    expect(received.filter((m) => m.topic.includes('/response/'))).toEqual([]);
    expect(box.current().state).toBe('taking-over');
    const late = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
    const got: Msg[] = [];
    late.on('message', (topic, payload, packet) =>
      got.push({ topic, payload: payload.toString(), retain: packet.retain }),
    );
    await late.subscribeAsync('tandem/box1/A/report');
    await new Promise((r) => setTimeout(r, 100));
    expect(got.map((m) => [m.retain, (JSON.parse(m.payload) as { state: string }).state])).toEqual([
      [true, 'taking-over'],
    ]);
    await late.endAsync();
  });

  it('publishes a state change', async () => {
    box.setState('peer-suspect');
    const m = await waitFor((x) => x.topic === 'tandem/box1/A/state' && x.payload.includes('peer-suspect'));
    expect(JSON.parse(m.payload)).toMatchObject({ state: 'peer-suspect' });
  });

  it('runs a signed command and answers on the response topic', async () => {
    const req = signedRequest(TOKEN, scope, 'maintenance', { on: true });
    await noc.publishAsync(req.topic, req.payload, { qos: 1 });
    const r = await waitFor((m) => m.topic === 'tandem/box1/A/response/maintenance');
    expect(JSON.parse(r.payload)).toEqual({
      status: 'ok',
      data: { state: 'maintenance' },
      error: null,
      transaction: req.transaction,
    });
    expect(box.current().state).toBe('maintenance');
  });

  it('logs a flood of refused requests as one row, then one summary row, not a row each', async () => {
    for (let i = 0; i < 300; i++) {
      const bad = signedRequest('not-the-token-0123456789abcdef0123', scope, 'maintenance', { on: true });
      await noc.publishAsync(bad.topic, bad.payload, { qos: 1 });
    }
    await noc.publishAsync('tandem/box1/A/request/maintenance', '{not json', { qos: 1 });
    await waitFor((m) => m.topic.includes('/response/') && m.payload.includes('not valid JSON'));
    const refused = () => warnings.filter((w) => w.includes('refused'));
    expect(refused()).toEqual(['mqtt: refused unauthorised: bad signature [maintenance]']);
    // Stop flushes what the interval would have: one summary for the other 300.
    await telemetry.stop();
    expect(refused()).toHaveLength(2);
    expect(refused()[1]).toMatch(
      /^mqtt: 300 more MQTT requests refused within 60 s \(unauthorised 299, request 1\); the last: request: not valid JSON/,
    );
    expect(box.current().state).toBe('active');
  });

  it('refuses unsigned, wrongly signed and malformed commands with a reason, changing nothing', async () => {
    const bad = signedRequest('not-the-token-0123456789', scope, 'maintenance', { on: true });
    await noc.publishAsync(bad.topic, bad.payload, { qos: 1 });
    await noc.publishAsync(
      'tandem/box1/A/request/maintenance',
      '{"args":{"on":true},"transaction":"t-unsigned"}',
      { qos: 1 },
    );
    await noc.publishAsync('tandem/box1/A/request/maintenance', '{not json', { qos: 1 });
    const wrongType = signedRequest(TOKEN, scope, 'maintenance', { on: 'please' });
    await noc.publishAsync(wrongType.topic, wrongType.payload, { qos: 1 });
    const unknown = signedRequest(TOKEN, scope, 'selfdestruct', {});
    await noc.publishAsync(unknown.topic, unknown.payload, { qos: 1 });
    await waitFor((m) => m.topic === 'tandem/box1/A/response/selfdestruct');
    const responses = received
      .filter((m) => m.topic.includes('/response/'))
      .map((m) => JSON.parse(m.payload) as { status: string; error: string; transaction: string });
    expect(responses.map((r) => r.status)).toEqual(['error', 'error', 'error', 'error', 'error']);
    expect(responses.map((r) => r.error)).toEqual([
      'unauthorised: bad signature',
      'unauthorised: sig is missing or not 64 hex digits',
      expect.stringMatching(/^request: not valid JSON/),
      'args.on: must be true or false',
      expect.stringMatching(/^command: unknown command "selfdestruct"/),
    ]);
    expect(responses[1]?.transaction).toBe('t-unsigned');
    expect(box.handled).toEqual([]);
    expect(box.current().state).toBe('active');
  });

  it('publishes offline on a clean stop', async () => {
    await telemetry.stop();
    const m = await waitFor((x) => x.topic === 'tandem/box1/A/availability' && x.payload === 'offline');
    expect(m.payload).toBe('offline');
  });

  it('has the broker publish offline (Last Will) when the link dies, then reconnects and republishes', async () => {
    expect(telemetry.clientOptions().will).toMatchObject({
      topic: 'tandem/box1/A/availability',
      qos: 1,
      retain: true,
    });
    received = [];
    // Cut the controller's connection on the broker side: no DISCONNECT, so the will fires.
    for (const c of Object.values(
      (broker as unknown as { clients: Record<string, { id: string; conn: { destroy(): void } }> }).clients,
    )) {
      if (c.id.startsWith('tandem-')) c.conn.destroy();
    }
    await waitFor((m) => m.topic === 'tandem/box1/A/availability' && m.payload === 'offline');
    await waitFor((m) => m.topic === 'tandem/box1/A/availability' && m.payload === 'online');
    await waitFor((m) => m.topic === 'tandem/box1/A/state');
  });
});

describe('MQTT_DOWN alarm', () => {
  it('is raised when the broker stays out of reach past the grace, and cleared on connect', async () => {
    // A loopback port with nothing listening yet.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const calls: string[] = [];
    const alarmSink = {
      raise: (code: string, o?: { subject?: string }) => calls.push(`raise ${code} ${o?.subject ?? ''}`),
      clear: (code: string, subject?: string) => calls.push(`clear ${code} ${subject ?? ''}`),
    } as unknown as ConstructorParameters<typeof MqttTelemetry>[0]['alarmSink'];
    const box = new TelemetryBox({ boxId: 'box1', controller: 'A' });
    const telemetry = new MqttTelemetry({
      config: mqttConfig(port),
      statusSource: box,
      commandHandler: box,
      clock: new SystemClock(),
      log: quiet,
      backoff: { baseMs: 50, maxMs: 100 },
      ...(alarmSink !== undefined ? { alarmSink } : {}),
      downAlarmAfterMs: 200,
    });
    const until = async (n: number): Promise<void> => {
      const end = Date.now() + 5000;
      while (calls.length < n && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    };
    await telemetry.start();
    await until(1);
    expect(calls).toEqual([`raise MQTT_DOWN 127.0.0.1:${port}`]);
    const broker = await Aedes.createBroker();
    const server = createServer(broker.handle);
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    try {
      await until(2);
      expect(calls).toEqual([`raise MQTT_DOWN 127.0.0.1:${port}`, `clear MQTT_DOWN 127.0.0.1:${port}`]);
    } finally {
      await telemetry.stop();
      await new Promise<void>((r) => broker.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
