// The simulated box's telemetry: the daemon's MqttTelemetry extension per
// controller against the embedded aedes broker (MQTT 3.1.1), answering signed
// operator commands with the same handler as the daemon, and going offline
// when a controller is killed.
import mqtt from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signedRequest } from '../../lab/fixtures/telemetry-noc.ts';
import { SimMqttBox, type Heard } from '../sim/sim-mqtt-box.ts';

describe('simulated box telemetry', () => {
  let sim: SimMqttBox;
  const waitFor = (pred: (m: Heard) => boolean) => sim.waitFor(pred);
  beforeEach(async () => {
    sim = new SimMqttBox();
    await sim.start();
  });
  afterEach(() => sim.stop());

  it('refuses a client without the generated login, or with a wrong password', async () => {
    for (const login of [{}, { username: sim.credentials.username, password: 'wrong' }]) {
      await expect(
        mqtt.connectAsync(`mqtt://127.0.0.1:${sim.broker.port}`, {
          protocolVersion: 4,
          reconnectPeriod: 0,
          connectTimeout: 2000,
          ...login,
        }),
      ).rejects.toThrow(/Not authorized|Bad username or password/);
    }
    expect(sim.broker.refusedLogins()).toBe(2);
  });

  it('both controllers come online and publish their state', async () => {
    for (const c of ['A', 'B']) {
      await waitFor((m) => m.topic === `tandem/simbox/${c}/availability` && m.text === 'online');
      const s = await waitFor((m) => m.topic === `tandem/simbox/${c}/state`);
      expect(JSON.parse(s.text)).toMatchObject({ boxId: 'simbox', controller: c });
    }
  });

  it('answers a signed alarms and log request; refuses a bad argument by name', async () => {
    await waitFor((m) => m.topic === 'tandem/simbox/A/availability' && m.text === 'online');
    sim.box.alarms('A').raise('MQTT_DOWN', { subject: 'demo' });
    const scope = { prefix: 'tandem', boxId: 'simbox', controller: 'A' as const };
    const ask = async (command: string, args: Record<string, unknown>) => {
      const req = signedRequest(sim.token, scope, command, args);
      await sim.noc.publishAsync(req.topic, req.payload, { qos: 1 });
      const r = await waitFor(
        (m) => m.topic === `tandem/simbox/A/response/${command}` && m.text.includes(req.transaction),
      );
      return JSON.parse(r.text) as { status: string; data: unknown; error: string | null };
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
    await waitFor((m) => m.topic === 'tandem/simbox/B/availability' && m.text === 'online');
    await sim.box.kill('B');
    await waitFor((m) => m.topic === 'tandem/simbox/B/availability' && m.text === 'offline');
  });
});
