// What a flash target is before anything is written to it: missing (a file
// to create), a regular file or a block device, and its size. Anything else
// (a directory, a character device, a FIFO) is refused.
import { readFileSync, statSync, realpathSync, type BigIntStats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { FlashError } from './errors.ts';

export interface DevNumber {
  readonly major: number;
  readonly minor: number;
}

export type Target =
  | { readonly kind: 'missing'; readonly path: string; readonly bytes: 0 }
  | {
      readonly kind: 'file';
      readonly path: string;
      readonly bytes: number;
      readonly dev: bigint;
      readonly ino: bigint;
    }
  | { readonly kind: 'block'; readonly path: string; readonly bytes: number; readonly rdev: DevNumber };

/** Linux's dev_t split (new encoding: 12-bit major, 20-bit minor). */
export function devNumber(rdev: bigint): DevNumber {
  const major = Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
  const minor = Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
  return { major, minor };
}

/** A block device's size from sysfs, which counts 512-byte sectors whatever the device's own. */
export function blockDeviceBytes(dev: DevNumber, sys = '/sys'): number {
  const at = `${sys}/dev/block/${dev.major}:${dev.minor}/size`;
  const text = readFileSync(at, 'utf8').trim();
  if (!/^\d{1,20}$/.test(text)) throw new FlashError(`${at}: not a sector count: ${JSON.stringify(text)}`);
  return Number(text) * 512;
}

function statOrMissing(path: string): BigIntStats | undefined {
  try {
    return statSync(path, { bigint: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FlashError(`${path}: ${(err as Error).message}`);
  }
}

/** The target as it is now; symbolic links (/dev/disk/by-id/…) are followed. */
export function inspectTarget(given: string): Target {
  const st = statOrMissing(given);
  if (st === undefined) {
    const dir = statOrMissing(dirname(resolve(given)));
    if (dir === undefined || !dir.isDirectory())
      throw new FlashError(`${given}: its directory does not exist`);
    return { kind: 'missing', path: resolve(given), bytes: 0 };
  }
  const path = realpathSync(given);
  if (st.isFile()) return { kind: 'file', path, bytes: Number(st.size), dev: st.dev, ino: st.ino };
  if (st.isBlockDevice()) {
    const rdev = devNumber(st.rdev);
    return { kind: 'block', path, bytes: blockDeviceBytes(rdev), rdev };
  }
  throw new FlashError(`${given}: neither a block device nor a regular file`);
}

/** Whether two paths name the same thing (a missing path is only itself). */
export function sameTarget(a: string, b: string): boolean {
  const sa = statOrMissing(a);
  const sb = statOrMissing(b);
  if (sa === undefined || sb === undefined) return resolve(a) === resolve(b);
  if (sa.isBlockDevice() && sb.isBlockDevice()) return sa.rdev === sb.rdev;
  return sa.dev === sb.dev && sa.ino === sb.ino;
}
