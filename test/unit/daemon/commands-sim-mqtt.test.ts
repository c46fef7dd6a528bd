// The simulated box's telemetry: the daemon's MqttTelemetry extension per
// controller against the embedded aedes broker (MQTT 3.1.1), answering signed
// operator commands with the same handler as the daemon, and going offline
// when a controller is killed.
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import { SystemClock } from '../../../hal/clock/system.ts';
import { SimBox } from '../../../firmware/sim/box.ts';
import { simCredentials, startBroker, type EmbeddedBroker } from '../../../firmware/sim/broker.ts';
import { simCommandToken, SimTelemetry } from '../../../firmware/sim/telemetry.ts';
import { signedRequest } from '../../lab/fixtures/telemetry-noc.ts';

type Msg = { topic: string; payload: string };

describe('simulated box telemetry', () => {
  let broker: EmbeddedBroker;
  let box: SimBox;
  let telemetry: SimTelemetry;
  let noc: MqttClient;
  const got: Msg[] = [];
  const credentials = simCredentials();
  const token = simCommandToken();

  const waitFor = async (pred: (m: Msg) => boolean, ms = 5000): Promise<Msg> => {
    const end = Date.now() + ms;
    for (;;) {
      const m = got.find(pred);
      if (m) return m;
      if (Date.now() > end) throw new Error(`nothing matching; got ${got.map((g) => g.topic).join(', ')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  beforeEach(async () => {
    got.length = 0;
    broker = await startBroker(0, credentials);
    noc = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
      protocolVersion: 4,
      reconnectPeriod: 0,
      ...credentials,
    });
    noc.on('message', (topic, payload) => got.push({ topic, payload: payload.toString() }));
    await noc.subscribeAsync('tandem/#', { qos: 1 });
    box = new SimBox({ clock: new SimClock(), boxId: 'simbox' });
    telemetry = new SimTelemetry({
      url: `mqtt://127.0.0.1:${broker.port}`,
      credentials,
      token,
      box,
      clock: new SystemClock(),
    });
    box.onController((c, controller) => void telemetry.set(c, controller));
    box.start();
  });

  afterEach(async () => {
    await box.stop();
    await telemetry.close();
    await noc.endAsync(true);
    await broker.close();
  });

  it('refuses a client without the generated login, or with a wrong password', async () => {
    for (const login of [{}, { username: credentials.username, password: 'wrong' }]) {
      await expect(
        mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
          protocolVersion: 4,
          reconnectPeriod: 0,
          connectTimeout: 2000,
          ...login,
        }),
      ).rejects.toThrow(/Not authorized|Bad username or password/);
    }
    expect(broker.refusedLogins()).toBe(2);
  });

  it('both controllers come online and publish their state', async () => {
    for (const c of ['A', 'B']) {
      await waitFor((m) => m.topic === `tandem/simbox/${c}/availability` && m.payload === 'online');
      const s = await waitFor((m) => m.topic === `tandem/simbox/${c}/state`);
      expect(JSON.parse(s.payload)).toMatchObject({ boxId: 'simbox', controller: c });
    }
  });

  it('answers a signed alarms and log request; refuses a bad argument by name', async () => {
    await waitFor((m) => m.topic === 'tandem/simbox/A/availability' && m.payload === 'online');
    box.alarms('A').raise('MQTT_DOWN', { subject: 'demo' });
    const scope = { prefix: 'tandem', boxId: 'simbox', controller: 'A' as const };
    const ask = async (command: string, args: Record<string, unknown>) => {
      const req = signedRequest(token, scope, command, args);
      await noc.publishAsync(req.topic, req.payload, { qos: 1 });
      const r = await waitFor(
        (m) => m.topic === `tandem/simbox/A/response/${command}` && m.payload.includes(req.transaction),
      );
      return JSON.parse(r.payload) as { status: string; data: unknown; error: string | null };
    };
    const alarms = await ask('alarms', {});
    expect(alarms.status).toBe('ok');
    // WATCHDOG_DISABLED stands from boot: the simulated box has no hardware watchdog.
    expect((alarms.data as { alarms: { code: string }[] }).alarms.map((a) => a.code).sort()).toEqual([
      'MQTT_DOWN',
      'WATCHDOG_DISABLED',
    ]);
    const log = await ask('log', { severity: 'warning', limit: 5 });
    expect((log.data as { events: { code: string }[] }).events.map((e) => e.code)).toContain('MQTT_DOWN');
    const bad = await ask('alarm-ack', { id: 'one' });
    expect(bad.status).toBe('error');
    expect(bad.error).toMatch(/^args\.id: /);
  });

  it('a killed controller goes offline', async () => {
    await waitFor((m) => m.topic === 'tandem/simbox/B/availability' && m.payload === 'online');
    await box.kill('B');
    await waitFor((m) => m.topic === 'tandem/simbox/B/availability' && m.payload === 'offline');
  });
});
