// The NOC's mosquitto is reachable from both controllers across the LAN.
import { describe, expect, it } from 'vitest';
import { MQTT_HOST, MQTT_PORT } from '../../tools/lab/topology.ts';
import { lab, labOk } from './lab-helpers.ts';

async function roundTrip(pub: string, sub: string): Promise<void> {
  const topic = `tandem/lab-test/${pub}-to-${sub}`;
  const msg = `hello ${Date.now()}`;
  const common = ['-h', MQTT_HOST, '-p', String(MQTT_PORT), '-t', topic];
  // Retained, so the subscriber gets it whenever it subscribes.
  await labOk(['exec', pub, 'mosquitto_pub', ...common, '-r', '-q', '1', '-m', msg]);
  const r = await lab(['exec', sub, 'mosquitto_sub', ...common, '-C', '1', '-W', '5']);
  expect(r.code).toBe(0);
  expect(r.stdout.trim()).toBe(msg);
  await labOk(['exec', pub, 'mosquitto_pub', ...common, '-r', '-n']);
}

describe('mosquitto in the NOC', () => {
  it('carries a message from A to B', () => roundTrip('A', 'B'));
  it('carries a message from B to A', () => roundTrip('B', 'A'));
});
