// A small controller image built in the test: a 64 MiB sparse file, a GPT made
// by sfdisk (util-linux) with the four partitions of docs/image.md, and ext4
// (label tandem-data) made by mkfs.ext4 right inside the data partition.
// Needs root's tools: a missing one fails the test naming it, never skips.
import { execFileSync } from 'node:child_process';
import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const MIB = 1024 * 1024;

export const DEFAULT_NAMES = ['boot', 'rootfs-a', 'rootfs-b', 'data'] as const;

export function requireTools(): void {
  const missing = ['sfdisk', 'mkfs.ext4', 'debugfs', 'blkid'].filter((cmd) => {
    try {
      execFileSync('sh', ['-c', 'command -v "$1"', 'sh', cmd], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) {
    throw new Error(`flash tests need ${missing.join(', ')} (fdisk, e2fsprogs, util-linux: tools/setup.sh)`);
  }
  if (process.getuid?.() !== 0) throw new Error('flash tests must run as root (debugfs on images, blkid -p)');
}

/** A new sparse file of `bytes` zeros. */
export function sparseFile(path: string, bytes: number): void {
  writeFileSync(path, '');
  truncateSync(path, bytes);
}

/** Builds the image; `names` are the four partitions' labels in order. */
export function buildImage(dir: string, file: string, names: readonly string[] = DEFAULT_NAMES): string {
  const img = join(dir, file);
  sparseFile(img, 64 * MIB);
  const sizes = ['4MiB', '8MiB', '8MiB', ''];
  const script = [
    'label: gpt',
    ...names.map((n, i) => `${sizes[i] ? `size=${sizes[i]}, ` : ''}name=${n}`),
  ].join('\n');
  execFileSync('sfdisk', ['--quiet', img], { input: `${script}\n` });
  // The last partition: from 21 MiB (1 + 4 + 8 + 8: sfdisk aligns to 1 MiB) to the backup GPT.
  const start = 21 * MIB;
  const dump = JSON.parse(execFileSync('sfdisk', ['-J', img], { encoding: 'utf8' })) as {
    partitiontable: { partitions: { start: number; size: number }[] };
  };
  const last = dump.partitiontable.partitions[3];
  if (last === undefined || last.start * 512 !== start)
    throw new Error(`unexpected layout: ${JSON.stringify(dump)}`);
  execFileSync('mkfs.ext4', [
    '-q',
    '-F',
    '-L',
    'tandem-data',
    '-E',
    `offset=${start}`,
    img,
    `${(last.size * 512) / 1024}k`,
  ]);
  return img;
}

/** Byte offset of the data partition in images from buildImage. */
export const DATA_OFFSET = 21 * MIB;
