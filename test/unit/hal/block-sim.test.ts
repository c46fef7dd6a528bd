import { describe, expect, it } from 'vitest';
import { BlockIoError } from '../../../hal/block/block.ts';
import { SimBlockDevice } from '../../../hal/block/sim.ts';
import { SimClock } from '../../../hal/clock/sim.ts';
import { isHalError } from '../../../hal/errors.ts';
import { blockDeviceContract } from './block-contract.ts';

blockDeviceContract('SimBlockDevice', (sectorSize, sectorCount) =>
  Promise.resolve({
    dev: new SimBlockDevice({ sectorSize, sectorCount, clock: new SimClock() }),
    dispose: () => Promise.resolve(),
  }),
);

const S = 512;
const fill = (v: number, sectors = 1): Uint8Array => new Uint8Array(S * sectors).fill(v);

function sim(): { dev: SimBlockDevice; clock: SimClock } {
  const clock = new SimClock();
  return { dev: new SimBlockDevice({ sectorCount: 100n, clock }), clock };
}

describe('SimBlockDevice faults', () => {
  it('failReads() fails reads touching the range with an I/O error naming the first bad LBA', async () => {
    const { dev } = sim();
    dev.failReads({ from: 10n, to: 20n });
    expect((await dev.read(0n, 10)).length).toBe(10 * S);
    const err: unknown = await dev.read(8n, 4).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BlockIoError);
    expect((err as BlockIoError).lba).toBe(10n);
    expect(isHalError(err, 'io')).toBe(true);
    expect((await dev.read(20n, 1)).length).toBe(S);
    dev.clearFaults();
    expect((await dev.read(10n, 1)).length).toBe(S);
  });

  it('failWrites() fails writes touching the range and changes nothing', async () => {
    const { dev } = sim();
    dev.failWrites({ from: 5n, to: 6n });
    await expect(dev.write(4n, fill(1, 3))).rejects.toBeInstanceOf(BlockIoError);
    expect((await dev.read(4n, 3)).every((b) => b === 0)).toBe(true);
    await dev.write(6n, fill(2));
    expect(await dev.read(6n, 1)).toEqual(fill(2));
  });

  it('tearNextWrite() lands only the first sectors of the next write, once', async () => {
    const { dev } = sim();
    dev.tearNextWrite(2);
    const err: unknown = await dev.write(0n, fill(7, 4)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BlockIoError);
    expect((err as BlockIoError).lba).toBe(2n);
    expect(await dev.read(0n, 2)).toEqual(fill(7, 2));
    expect((await dev.read(2n, 2)).every((b) => b === 0)).toBe(true);
    await dev.write(0n, fill(8, 4));
    expect(await dev.read(0n, 4)).toEqual(fill(8, 4));
  });

  it('latency() holds each operation for clock time', async () => {
    const { dev, clock } = sim();
    dev.latency(50);
    let done = false;
    const p = dev.write(1n, fill(3)).then(() => {
      done = true;
    });
    await clock.advance(49);
    expect(done).toBe(false);
    await clock.advance(1);
    await p;
    expect(done).toBe(true);
  });

  it('goOffline() fails operations with code disconnected, including those in flight', async () => {
    const { dev, clock } = sim();
    dev.latency(10);
    const inFlight = dev.read(0n, 1).catch((e: unknown) => e);
    dev.goOffline();
    await clock.advance(10);
    expect(isHalError(await inFlight, 'disconnected')).toBe(true);
    dev.goOnline();
    const ok = dev.read(0n, 1);
    await clock.advance(10);
    expect((await ok).length).toBe(S);
  });

  it('powerCut() loses writes that were neither FUA nor flushed, and keeps the rest', async () => {
    const { dev } = sim();
    await dev.write(1n, fill(1)); // cached, then flushed
    await dev.flush();
    await dev.write(2n, fill(2), { fua: true }); // durable
    await dev.write(3n, fill(3)); // cached only
    await dev.write(1n, fill(9)); // newer cached copy over a durable one
    expect(await dev.read(3n, 1)).toEqual(fill(3));
    dev.powerCut();
    expect(await dev.read(1n, 1)).toEqual(fill(1));
    expect(await dev.read(2n, 1)).toEqual(fill(2));
    expect((await dev.read(3n, 1)).every((b) => b === 0)).toBe(true);
  });

  it('rejects bad geometry at construction', () => {
    expect(() => new SimBlockDevice({ sectorCount: 0n })).toThrow(RangeError);
    expect(() => new SimBlockDevice({ sectorCount: 8n, sectorSize: 1000 })).toThrow(RangeError);
  });
});
