// Bounded reads stop at the limit: /dev/zero ends at once with an error
// naming the limit, and an endless stream is destroyed.
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileBounded, readStreamBounded, readTailBounded } from '../../../firmware/core/bounded-read.ts';

describe('bounded reads', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bounded-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file within the limit, whole', () => {
    const f = join(dir, 'a');
    writeFileSync(f, 'x'.repeat(100));
    const r = readFileBounded(f, 100, 'FILE');
    expect(r.ok && r.value.toString()).toBe('x'.repeat(100));
  });

  it('refuses a file one byte over, naming the limit', () => {
    const f = join(dir, 'a');
    writeFileSync(f, 'x'.repeat(101));
    expect(readFileBounded(f, 100, 'FILE')).toEqual({
      ok: false,
      error: 'FILE: more than the 100-byte limit',
    });
  });

  it('stops reading /dev/zero at the limit, quickly', () => {
    const t0 = process.hrtime.bigint();
    expect(readFileBounded('/dev/zero', 256 * 1024, 'FILE')).toEqual({
      ok: false,
      error: 'FILE: more than the 262144-byte limit',
    });
    expect(Number(process.hrtime.bigint() - t0) / 1e6).toBeLessThan(200);
  });

  it('names a missing file', () => {
    expect(readFileBounded(join(dir, 'none'), 10, 'FILE')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^FILE: cannot open: ENOENT/) as unknown,
    });
  });

  it('destroys an endless stream once it passes the limit', async () => {
    let produced = 0;
    const endless = new Readable({
      read() {
        produced += 1024;
        this.push(Buffer.alloc(1024));
      },
    });
    expect(await readStreamBounded(endless, 10_000, 'stdin')).toEqual({
      ok: false,
      error: 'stdin: more than the 10000-byte limit',
    });
    expect(endless.destroyed).toBe(true);
    expect(produced).toBeLessThan(100_000);
  });

  it('returns a short stream whole', async () => {
    expect(await readStreamBounded(Readable.from([Buffer.from('ab'), 'cd']), 10, 's')).toEqual({
      ok: true,
      value: Buffer.from('abcd'),
    });
  });

  it('reads only the tail of a large file', async () => {
    const big = join(dir, 'server.log');
    writeFileSync(big, '');
    truncateSync(big, 1024 * 1024 * 1024); // 1 GiB, sparse
    writeFileSync(big, 'x'.repeat(100) + '\nFATAL: gone\n', { flag: 'a' });
    const tail = await readTailBounded(big, 4096);
    expect(tail.length).toBe(4096);
    expect(tail.toString('utf8').endsWith('FATAL: gone\n')).toBe(true);
    const small = join(dir, 'small.log');
    writeFileSync(small, 'ab');
    expect((await readTailBounded(small, 4096)).toString()).toBe('ab');
  });
});
