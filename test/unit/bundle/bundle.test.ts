// Bundles made and checked with the real `rauc` (Debian's, which tools/setup.sh
// installs): a bundle signed with the development key passes; one checked
// against another key and one with a byte flipped in its payload are refused
// with RAUC's reason. Needs rauc, mke2fs and mksquashfs: a missing one fails
// the test, naming it.
import {
  mkdirSync,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
  writeSync,
  closeSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../../tools/lab/run.ts';
import { findCommand } from '../../../tools/lab/preflight.ts';
import { REPO } from '../../../tools/image/layout.ts';
import { BundleError, makeBundle, verifyBundle } from '../../../tools/bundle/bundle.ts';

const CA = join(REPO, 'images', 'rauc', 'dev-ca');
const DEV = { cert: join(CA, 'dev.cert.pem'), key: join(CA, 'dev.key.pem') };

describe('RAUC bundles of the root filesystem', () => {
  let dir = '';
  let rootfs = '';
  let good = '';

  beforeAll(async () => {
    vi.useRealTimers();
    for (const tool of ['rauc', 'mksquashfs', 'mke2fs', 'openssl'])
      if (findCommand(tool) === null)
        throw new Error(`${tool} is missing: run tools/setup.sh (rauc, squashfs-tools, e2fsprogs, openssl)`);
    dir = mkdtempSync(join(tmpdir(), 'tandem-bundle-test-'));
    // A small root filesystem whose payload does not compress to nothing.
    const tree = join(dir, 'tree');
    mkdirSync(tree);
    writeFileSync(join(tree, 'random'), randomBytes(256 * 1024));
    rootfs = join(dir, 'rootfs.ext4');
    await run('mke2fs', ['-q', '-t', 'ext4', '-d', tree, rootfs, '8M']);
    good = join(dir, 'good.raucb');
    await makeBundle({ rootfs, version: '1.2.3', ...DEV, out: good });
  }, 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('signed with the development key: verified, with its version', async () => {
    expect(await verifyBundle(good, DEV.cert)).toEqual({ compatible: 'tandem-controller', version: '1.2.3' });
  }, 30_000);

  it('checked against another keyring: refused, naming the signature', async () => {
    const other = join(dir, 'other.cert.pem');
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(dir, 'other.key.pem'),
      '-out',
      other,
      '-days',
      '1',
      '-subj',
      '/CN=someone else',
    ]);
    await expect(verifyBundle(good, other)).rejects.toThrow(/signature verification failed/);
  }, 30_000);

  it('a flipped byte in the payload: refused as corrupted', async () => {
    const bad = join(dir, 'bad.raucb');
    await run('cp', [good, bad]);
    // The payload holds random bytes: flip the byte found there (writing a
    // fixed value left the file unchanged once in 256 runs, and CI saw it).
    const fd = openSync(bad, 'r+');
    const at = Math.floor(statSync(bad).size / 3);
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, at);
    writeSync(fd, Buffer.from([byte[0]! ^ 0xff]), 0, 1, at);
    closeSync(fd);
    await expect(verifyBundle(bad, DEV.cert)).rejects.toThrow(/corrupted|failed/);
  }, 30_000);

  it('refuses to make a bundle with a bad version or a missing key, and leaves no file', async () => {
    const out = join(dir, 'never.raucb');
    await expect(makeBundle({ rootfs, version: '1.2', ...DEV, out })).rejects.toBeInstanceOf(BundleError);
    await expect(
      makeBundle({ rootfs, version: '1.2.4', cert: DEV.cert, key: join(dir, 'nope'), out }),
    ).rejects.toThrow(/--key .*nope/);
    expect(() => statSync(out)).toThrow();
  }, 30_000);
});
