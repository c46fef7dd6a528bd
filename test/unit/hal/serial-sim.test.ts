import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import { HalError, isHalError } from '../../../hal/errors.ts';
import { SimSerialCable } from '../../../hal/serial/sim.ts';
import { receiveBytes, serialLinkContract } from './serial-contract.ts';

serialLinkContract('SimSerialLink', () => {
  const cable = new SimSerialCable({ clock: new SimClock() });
  return Promise.resolve({ a: cable.a, b: cable.b, dispose: () => Promise.resolve() });
});

/** A small deterministic PRNG (mulberry32) so corruption is repeatable. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function openCable(): Promise<{ cable: SimSerialCable; clock: SimClock }> {
  const clock = new SimClock();
  const cable = new SimSerialCable({ clock });
  await cable.a.open();
  await cable.b.open();
  return { cable, clock };
}

function record(link: SimSerialCable['a']): Buffer[] {
  const seen: Buffer[] = [];
  link.on('data', (c) => seen.push(c));
  return seen;
}

describe('SimSerialCable faults', () => {
  it('cut() drops bytes written while cut; heal() restores delivery', async () => {
    const { cable, clock } = await openCable();
    const seen = record(cable.b);
    cable.cut();
    await cable.a.write(Buffer.from('lost'));
    await clock.advance(1000);
    expect(seen).toEqual([]);
    cable.heal();
    await cable.a.write(Buffer.from('kept'));
    await clock.advance(0);
    expect(Buffer.concat(seen).toString()).toBe('kept');
  });

  it('corrupt() flips exactly one bit per hit byte, repeatably for a given seed', async () => {
    const run = async (): Promise<Buffer> => {
      const { cable, clock } = await openCable();
      const seen = record(cable.b);
      cable.corrupt(0.5, seeded(42));
      await cable.a.write(Buffer.alloc(200));
      await clock.advance(0);
      return Buffer.concat(seen);
    };
    const first = await run();
    const second = await run();
    expect(first.equals(second)).toBe(true);
    expect(first.length).toBe(200);
    const hit = [...first].filter((b) => b !== 0);
    // Each damaged byte differs from 0x00 in exactly one bit.
    for (const b of hit) expect(b & (b - 1)).toBe(0);
    expect(hit.length).toBeGreaterThan(60);
    expect(hit.length).toBeLessThan(140);
  });

  it('corrupt(0) turns noise off and rejects fractions outside [0, 1]', async () => {
    const { cable, clock } = await openCable();
    const seen = record(cable.b);
    cable.corrupt(1, seeded(1));
    cable.corrupt(0);
    await cable.a.write(Buffer.alloc(50));
    await clock.advance(0);
    expect(Buffer.concat(seen).equals(Buffer.alloc(50))).toBe(true);
    expect(() => cable.corrupt(1.5)).toThrow(RangeError);
    expect(() => cable.corrupt(Number.NaN)).toThrow(RangeError);
  });

  it('delay() holds bytes until the clock reaches the delay, keeping order', async () => {
    const { cable, clock } = await openCable();
    const seen = record(cable.b);
    cable.delay(100);
    await cable.a.write(Buffer.from('ab'));
    await clock.advance(99);
    expect(seen).toEqual([]);
    cable.delay(0); // a shorter delay must not let later bytes overtake
    await cable.a.write(Buffer.from('cd'));
    await clock.advance(0);
    expect(seen).toEqual([]);
    await clock.advance(1);
    expect(Buffer.concat(seen).toString()).toBe('abcd');
  });

  it('bytes sent to a closed end are lost, not queued for later', async () => {
    const { cable, clock } = await openCable();
    await cable.b.close();
    await cable.a.write(Buffer.from('gone'));
    await clock.advance(0);
    await cable.b.open();
    const seen = record(cable.b);
    await cable.a.write(Buffer.from('new'));
    await clock.advance(0);
    expect(Buffer.concat(seen).toString()).toBe('new');
  });

  it('failOpen() makes the next open reject with the given error, once', async () => {
    const cable = new SimSerialCable({ clock: new SimClock() });
    const boom = new Error('EACCES: permission denied');
    cable.failOpen(boom, cable.a);
    await expect(cable.a.open()).rejects.toBe(boom);
    expect(cable.a.isOpen).toBe(false);
    await cable.a.open();
    expect(cable.a.isOpen).toBe(true);
    await cable.b.open(); // b was not targeted
  });

  it('failPort() emits error, then close, and the link is closed', async () => {
    const { cable } = await openCable();
    const events: string[] = [];
    cable.a.on('error', (e) => events.push(`error:${e.message}`));
    cable.a.on('close', () => events.push('close'));
    cable.failPort(cable.a, new HalError('disconnected', cable.a.path, 'unplugged'));
    expect(events).toEqual([`error:${cable.a.path}: unplugged`, 'close']);
    expect(cable.a.isOpen).toBe(false);
    expect(cable.b.isOpen).toBe(true);
  });

  it('open() twice rejects with code busy', async () => {
    const { cable } = await openCable();
    const err: unknown = await cable.a.open().then(
      () => null,
      (e: unknown) => e,
    );
    expect(isHalError(err, 'busy')).toBe(true);
  });

  it('a listener never runs inside write()', async () => {
    const { cable } = await openCable();
    const seen = record(cable.b);
    const got = receiveBytes(cable.b, 1);
    const pending = cable.a.write(Buffer.from('x'));
    expect(seen).toEqual([]);
    await pending;
    expect((await got).toString()).toBe('x');
  });
});
