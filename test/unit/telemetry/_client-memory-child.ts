// Child of client-memory.test.ts: one MQTT client of the firmware (or a plain
// one, the control) against a stub broker on loopback that acknowledges the
// CONNECT; once the client has written a packet after it, prints how many
// numbers mqtt-packet has cached. A process of its own, because the cache is
// global to mqtt-packet and an in-process broker would fill it too.
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import mqtt from 'mqtt';
import { SystemClock } from '../../../hal/clock/system.ts';
import { MqttTelemetry } from '../../../firmware/telemetry/mqtt-telemetry.ts';
import { StatusFeed } from '../../../firmware/telemetry/report-feed.ts';
import { TelemetryBox } from '../../lab/fixtures/telemetry-box.ts';

const numbers = createRequire(import.meta.url)('mqtt-packet/numbers.js') as { cache: object };
const which = process.argv[2];
const CONNACK = Buffer.from([0x20, 0x02, 0x00, 0x00]);

let packets = 0;
const server = createServer((socket) => {
  socket.on('data', () => {
    packets += 1;
    if (packets === 1) socket.write(CONNACK);
  });
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const url = `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`;
const scope = { prefix: 'tandem', boxId: 'box1', controller: 'A' as const };

switch (which) {
  case 'telemetry': {
    const t = new MqttTelemetry({
      config: { mqtt: { enabled: true, url, tls: {}, topicPrefix: 'tandem', commandToken: 'x'.repeat(32) } },
      statusSource: new TelemetryBox({ boxId: 'box1', controller: 'A' }),
      commandHandler: new TelemetryBox({ boxId: 'box1', controller: 'A' }),
      clock: new SystemClock(),
      log: { info: () => undefined, warn: () => undefined },
      backoff: { baseMs: 50, maxMs: 200 },
    });
    await t.start();
    break;
  }
  case 'feed': {
    const f = new StatusFeed({ reader: 'panel', url, scope, onEvent: () => undefined });
    f.start();
    break;
  }
  case 'plain': {
    const c = mqtt.connect(url, { reconnectPeriod: 0 });
    c.on('connect', () => c.subscribe('x'));
    break;
  }
  case undefined:
  default:
    throw new Error(`unknown client ${String(which)}`);
}
const end = Date.now() + 10_000;
while (packets < 2) {
  if (Date.now() > end) throw new Error(`${which}: no packet after the CONNACK within 10 s`);
  await new Promise((r) => setTimeout(r, 10));
}
console.log(JSON.stringify({ packets, cachedNumbers: Object.keys(numbers.cache).length }));
// Exit at once: the clients would wait for the stub's acknowledgements.
process.exit(0);
