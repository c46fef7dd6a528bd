// The embedded broker's packet limit: the same bound as the lab's mosquitto
// (max_packet_size); a client that sends a bigger packet is closed before
// the packet is read, nothing of it reaches a subscriber or a controller,
// and the broker and the box go on serving everyone else.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LIMITS } from '../../../firmware/core/limits.ts';
import { MqttFrameScanner } from '../../../firmware/sim/packet-guard.ts';
import { signedRequest } from '../../lab/fixtures/telemetry-noc.ts';
import { SimMqttBox, type Heard } from './sim-mqtt-box.ts';

/** An MQTT fixed header: type byte and the remaining length's 1-4 bytes. */
function header(type: number, remaining: number): Buffer {
  const bytes = [type];
  let n = remaining;
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    bytes.push(b);
  } while (n > 0);
  return Buffer.from(bytes);
}

describe('MQTT frame scanner', () => {
  it('lets packets up to the limit through, whole or byte by byte', () => {
    const max = 200;
    const stream = Buffer.concat([
      header(0x30, 10),
      Buffer.alloc(10),
      header(0xc0, 0), // PINGREQ: no body
      header(0x30, max - 3),
      Buffer.alloc(max - 3),
    ]);
    expect(new MqttFrameScanner(max).push(stream)).toBeNull();
    const scanner = new MqttFrameScanner(max);
    for (const byte of stream) expect(scanner.push(Buffer.from([byte]))).toBeNull();
  });

  it('refuses the first packet whose header declares more, before its body arrives', () => {
    const scanner = new MqttFrameScanner(200);
    expect(scanner.push(Buffer.concat([header(0x30, 5), Buffer.alloc(5)]))).toBeNull();
    // 1 type byte + 2 length bytes + 198 = 201.
    const big = header(0x30, 198);
    expect(scanner.push(big.subarray(0, 2))).toBeNull();
    expect(scanner.push(big.subarray(2))).toEqual({ kind: 'oversized', bytes: 201 });
  });

  it('a remaining length of more than four bytes is malformed', () => {
    expect(new MqttFrameScanner(1 << 30).push(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff]))).toEqual({
      kind: 'malformed',
    });
  });
});

describe('the simulated box’s broker refuses oversized packets', () => {
  let sim: SimMqttBox;
  const waitFor = (pred: (m: Heard) => boolean) => sim.waitFor(pred);
  beforeEach(async () => {
    sim = new SimMqttBox();
    await sim.start();
  });
  afterEach(() => sim.stop());

  it('leaves room above a request’s payload limit for the topic and header (the lab mosquitto uses the same bound)', () => {
    expect(LIMITS.mqttPacketBytes).toBeGreaterThan(LIMITS.mqttRequest.bytes);
  });

  it('a packet of exactly the limit passes; one byte more closes the publisher and reaches no one', async () => {
    const topic = 'tandem/sim-test/big';
    // QoS 0 PUBLISH: type byte, 3 length bytes, 2-byte topic length, topic, payload.
    const fits = Buffer.alloc(LIMITS.mqttPacketBytes - 1 - 3 - 2 - topic.length, 0x61);
    const publisher = await sim.connect();
    await publisher.publishAsync(topic, fits, { qos: 0 });
    expect((await waitFor((m) => m.topic === topic)).payload.length).toBe(fits.length);
    sim.heard.length = 0;

    const closed = new Promise<void>((resolve) => publisher.once('close', () => resolve()));
    publisher.publish(topic, Buffer.concat([fits, Buffer.from('b')]), { qos: 0 });
    await closed;
    expect(sim.broker.refusedPackets()).toBe(1);
    expect(sim.refusals).toEqual([
      `closed a client that sent a ${LIMITS.mqttPacketBytes + 1}-byte packet (limit ${LIMITS.mqttPacketBytes} bytes)`,
    ]);
    // The broker goes on: a new client publishes, the subscriber hears it; the oversized one never arrives.
    const next = await sim.connect();
    await next.publishAsync(topic, 'small', { qos: 1 });
    await waitFor((m) => m.payload.toString() === 'small');
    expect(sim.heard.filter((m) => m.topic === topic).map((m) => m.payload.length)).toEqual([5]);
    await next.endAsync(true);
    await publisher.endAsync(true);
  });

  it('an oversized request to a controller is dropped at the broker; the controller still answers', async () => {
    await waitFor((m) => m.topic === 'tandem/simbox/A/availability' && m.payload.toString() === 'online');
    const scope = { prefix: 'tandem', boxId: 'simbox', controller: 'A' as const };
    const huge = signedRequest(sim.token, scope, 'status', { pad: 'x'.repeat(LIMITS.mqttPacketBytes) });
    const attacker = await sim.connect();
    const closed = new Promise<void>((resolve) => attacker.once('close', () => resolve()));
    attacker.publish(huge.topic, huge.payload, { qos: 1 });
    await closed;
    expect(sim.broker.refusedPackets()).toBe(1);

    const req = signedRequest(sim.token, scope, 'status', {});
    await sim.noc.publishAsync(req.topic, req.payload, { qos: 1 });
    const answer = await waitFor(
      (m) => m.topic === 'tandem/simbox/A/response/status' && m.payload.toString().includes(req.transaction),
    );
    expect(JSON.parse(answer.payload.toString())).toMatchObject({
      status: 'ok',
      transaction: req.transaction,
    });
    // No response ever named the oversized request, and A never went offline.
    expect(sim.heard.some((m) => m.payload.toString().includes(huge.transaction))).toBe(false);
    expect(
      sim.heard.some((m) => m.topic === 'tandem/simbox/A/availability' && m.payload.toString() === 'offline'),
    ).toBe(false);
    expect(sim.noc.connected).toBe(true);
    await attacker.endAsync(true);
  });
});
