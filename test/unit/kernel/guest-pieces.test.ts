// The kernel tier's host-side pieces that need no QEMU: the loud failure
// when something is missing, the initramfs's cpio records and module order.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cpioArchive } from '../../../tools/kernel/cpio.ts';
import { loadOrder } from '../../../tools/kernel/initramfs.ts';
import { MissingPieceError, findGuestPieces } from '../../../tools/kernel/pieces.ts';

describe('kernel tier pieces', () => {
  it('fails naming what is missing and tools/setup.sh, never skips', () => {
    const empty = mkdtempSync(join(tmpdir(), 'tandem-kernel-cache-'));
    let thrown: unknown;
    try {
      findGuestPieces(empty);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(MissingPieceError);
    expect(String(thrown)).toMatch(/missing; run tools\/setup\.sh/);
  });

  it('orders modules dependencies first, once each', () => {
    const dep = [
      'kernel/fs/9p/9p.ko: kernel/net/9p/9pnet.ko kernel/fs/netfs/netfs.ko',
      'kernel/net/9p/9pnet_virtio.ko: kernel/net/9p/9pnet.ko kernel/drivers/virtio/virtio.ko',
      'kernel/net/9p/9pnet.ko:',
      'kernel/fs/netfs/netfs.ko:',
      'kernel/drivers/virtio/virtio.ko:',
    ].join('\n');
    expect(loadOrder(dep, ['9pnet-virtio', '9p'])).toEqual([
      'kernel/net/9p/9pnet.ko',
      'kernel/drivers/virtio/virtio.ko',
      'kernel/net/9p/9pnet_virtio.ko',
      'kernel/fs/netfs/netfs.ko',
      'kernel/fs/9p/9p.ko',
    ]);
    expect(() => loadOrder(dep, ['nosuch'])).toThrow(/nosuch/);
  });

  it('writes newc records padded to 4 bytes, ending with the trailer', () => {
    const a = cpioArchive([
      { kind: 'char', path: 'dev/console', major: 5, minor: 1 },
      { kind: 'file', path: 'init', data: Buffer.from('#!'), mode: 0o755 },
    ]);
    const text = a.toString('latin1');
    expect(text.startsWith('070701')).toBe(true);
    expect(a.length % 4).toBe(0);
    // The console node: mode 020600, rdev 5:1.
    expect(text.slice(6 + 8, 6 + 16)).toBe('00002180');
    expect(text.slice(6 + 9 * 8, 6 + 11 * 8)).toBe('0000000500000001');
    expect(text).toContain('init\0');
    expect(text).toContain('TRAILER!!!\0');
  });
});
