// One behavioural contract for every SerialLink driver, after node-serialport's
// approach: run it against the sim in unit tests and against the Linux driver
// over a real pty pair in the lab, so the sim cannot drift from the real thing.
import { afterEach, describe, expect, it } from 'vitest';
import { isHalError } from '../../../hal/errors.ts';
import type { SerialLink } from '../../../hal/serial/serial.ts';

export interface SerialPair {
  readonly a: SerialLink;
  readonly b: SerialLink;
  /** Release anything the factory made (processes, files). */
  dispose(): Promise<void>;
}

/** Resolve with the first `n` bytes `link` receives, however they are chunked. */
export function receiveBytes(link: SerialLink, n: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let have = 0;
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      have += chunk.length;
      if (have >= n) {
        link.off('data', onData);
        resolve(Buffer.concat(chunks).subarray(0, n));
      }
    };
    link.on('data', onData);
  });
}

function pattern(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

export function serialLinkContract(name: string, makePair: () => Promise<SerialPair>): void {
  describe(`SerialLink contract: ${name}`, () => {
    let pair: SerialPair | undefined;

    afterEach(async () => {
      if (pair) {
        await pair.a.close();
        await pair.b.close();
        await pair.dispose();
      }
      pair = undefined;
    });

    async function openPair(): Promise<SerialPair> {
      pair = await makePair();
      await pair.a.open();
      await pair.b.open();
      return pair;
    }

    it('is closed until opened, open after open()', async () => {
      pair = await makePair();
      expect(pair.a.isOpen).toBe(false);
      await pair.a.open();
      expect(pair.a.isOpen).toBe(true);
      expect(typeof pair.a.path).toBe('string');
    });

    it('rejects a write before open with code not-open', async () => {
      pair = await makePair();
      const err: unknown = await pair.a.write(Buffer.from('x')).then(
        () => null,
        (e: unknown) => e,
      );
      expect(isHalError(err, 'not-open')).toBe(true);
    });

    it('carries bytes from A to B in order', async () => {
      const { a, b } = await openPair();
      const got = receiveBytes(b, 6);
      await a.write(Buffer.from('hel'));
      await a.write(new Uint8Array([0x6c, 0x6f, 0x21]));
      expect((await got).toString('latin1')).toBe('hello!');
    });

    it('carries bytes both ways at once', async () => {
      const { a, b } = await openPair();
      const atB = receiveBytes(b, 3);
      const atA = receiveBytes(a, 3);
      await Promise.all([a.write(Buffer.from('ping')).then(() => undefined), b.write(Buffer.from('pon'))]);
      expect((await atB).toString()).toBe('pin');
      expect((await atA).toString()).toBe('pon');
    });

    it('carries every byte value and a 4 KiB burst intact', async () => {
      const { a, b } = await openPair();
      const all = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), pattern(4096, 7)]);
      const got = receiveBytes(b, all.length);
      await a.write(all);
      expect((await got).equals(all)).toBe(true);
    });

    it('does not alias the caller buffer: later changes are not sent', async () => {
      const { a, b } = await openPair();
      const buf = Buffer.from('abcd');
      const got = receiveBytes(b, 4);
      const written = a.write(buf);
      buf.fill(0x7a);
      await written;
      expect((await got).toString()).toBe('abcd');
    });

    it('emits close once, then rejects writes with code not-open; close is idempotent', async () => {
      const { a } = await openPair();
      let closes = 0;
      a.on('close', () => closes++);
      await a.close();
      await a.close();
      expect(a.isOpen).toBe(false);
      expect(closes).toBe(1);
      const err: unknown = await a.write(Buffer.from('x')).then(
        () => null,
        (e: unknown) => e,
      );
      expect(isHalError(err, 'not-open')).toBe(true);
    });

    it('can be reopened after close and still carries bytes', async () => {
      const { a, b } = await openPair();
      await a.close();
      await a.open();
      const got = receiveBytes(b, 2);
      await a.write(Buffer.from('ok'));
      expect((await got).toString()).toBe('ok');
    });
  });
}
