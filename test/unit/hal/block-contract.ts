// One behavioural contract for every BlockDevice driver; the sim and the
// Linux driver (on a temp file) both run it, so they reject the same requests.
import { afterEach, describe, expect, it } from 'vitest';
import { BlockAlignmentError, BlockRangeError } from '../../../hal/block/block.ts';
import type { BlockDevice } from '../../../hal/block/block.ts';
import { isHalError } from '../../../hal/errors.ts';

export interface BlockFixture {
  readonly dev: BlockDevice;
  dispose(): Promise<void>;
}

export type BlockFactory = (sectorSize: number, sectorCount: bigint) => Promise<BlockFixture>;

function sectorOf(size: number, fill: number): Uint8Array {
  const s = new Uint8Array(size);
  for (let i = 0; i < size; i++) s[i] = (fill + i) & 0xff;
  return s;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

export function blockDeviceContract(name: string, make: BlockFactory): void {
  for (const sectorSize of [512, 4096]) {
    describe(`BlockDevice contract: ${name}, ${sectorSize}-byte sectors`, () => {
      const COUNT = 64n;
      let fx: BlockFixture | undefined;
      const dev = async (): Promise<BlockDevice> => {
        fx = await make(sectorSize, COUNT);
        return fx.dev;
      };

      afterEach(async () => {
        await fx?.dev.close();
        await fx?.dispose();
        fx = undefined;
      });

      it('reports its geometry and reads zeros when fresh', async () => {
        const d = await dev();
        expect(d.sectorSize).toBe(sectorSize);
        expect(d.sectorCount).toBe(COUNT);
        const data = await d.read(0n, 2);
        expect(data.length).toBe(2 * sectorSize);
        expect(data.every((b) => b === 0)).toBe(true);
      });

      it('reads back what was written, single and multi-sector, with and without FUA', async () => {
        const d = await dev();
        const one = sectorOf(sectorSize, 1);
        const three = new Uint8Array(3 * sectorSize);
        three.set(sectorOf(sectorSize, 2), 0);
        three.set(sectorOf(sectorSize, 3), sectorSize);
        three.set(sectorOf(sectorSize, 4), 2 * sectorSize);
        await d.write(5n, one);
        await d.write(10n, three, { fua: true });
        expect(await d.read(5n, 1)).toEqual(one);
        expect(await d.read(10n, 3)).toEqual(three);
        expect(await d.read(11n, 1)).toEqual(sectorOf(sectorSize, 3));
        // Neighbours untouched.
        expect((await d.read(4n, 1)).every((b) => b === 0)).toBe(true);
        expect((await d.read(13n, 1)).every((b) => b === 0)).toBe(true);
      });

      it('keeps data across flush()', async () => {
        const d = await dev();
        await d.write(7n, sectorOf(sectorSize, 9));
        await d.flush();
        expect(await d.read(7n, 1)).toEqual(sectorOf(sectorSize, 9));
      });

      it('reaches the last sector and refuses to go past it', async () => {
        const d = await dev();
        await d.write(COUNT - 1n, sectorOf(sectorSize, 5));
        expect(await d.read(COUNT - 1n, 1)).toEqual(sectorOf(sectorSize, 5));
        await expect(d.read(COUNT, 1)).rejects.toBeInstanceOf(BlockRangeError);
        await expect(d.read(COUNT - 1n, 2)).rejects.toBeInstanceOf(BlockRangeError);
        await expect(d.read(-1n, 1)).rejects.toBeInstanceOf(BlockRangeError);
        const straddle = new Uint8Array(2 * sectorSize).fill(0xee);
        const err = await rejection(d.write(COUNT - 1n, straddle));
        expect(err).toBeInstanceOf(BlockRangeError);
        expect(isHalError(err, 'invalid-argument')).toBe(true);
        // A refused write changes nothing.
        expect(await d.read(COUNT - 1n, 1)).toEqual(sectorOf(sectorSize, 5));
      });

      it('refuses lengths that are not whole sectors', async () => {
        const d = await dev();
        await expect(d.write(0n, new Uint8Array(sectorSize + 1))).rejects.toBeInstanceOf(BlockAlignmentError);
        await expect(d.write(0n, new Uint8Array(0))).rejects.toBeInstanceOf(BlockAlignmentError);
        await expect(d.read(0n, 0)).rejects.toBeInstanceOf(BlockAlignmentError);
        await expect(d.read(0n, 1.5)).rejects.toBeInstanceOf(BlockAlignmentError);
        expect((await d.read(0n, 1)).every((b) => b === 0)).toBe(true);
      });

      it('hands out copies: neither side can change the other after the call', async () => {
        const d = await dev();
        const src = sectorOf(sectorSize, 20);
        await d.write(3n, src);
        src.fill(0);
        const got = await d.read(3n, 1);
        got.fill(0xff);
        expect(await d.read(3n, 1)).toEqual(sectorOf(sectorSize, 20));
      });

      it('rejects every operation with code closed after close(), which is idempotent', async () => {
        const d = await dev();
        await d.close();
        await d.close();
        expect(isHalError(await rejection(d.read(0n, 1)), 'closed')).toBe(true);
        expect(isHalError(await rejection(d.write(0n, new Uint8Array(sectorSize))), 'closed')).toBe(true);
        expect(isHalError(await rejection(d.flush()), 'closed')).toBe(true);
      });
    });
  }
}
