// The controller image's disk layout (docs/image.md): four GPT partitions by
// label, each exactly once. The data partition is where the controller's
// identity and config go, so it must already hold an ext filesystem.
import { open } from 'node:fs/promises';
import { FlashError } from './errors.ts';
import type { Gpt, GptPartition } from './gpt.ts';

export const IMAGE_PARTITIONS = ['boot', 'rootfs-a', 'rootfs-b', 'data'] as const;
export type ImagePartition = (typeof IMAGE_PARTITIONS)[number];

/** The named partitions, or an error listing every one missing or doubled. */
export function imageLayout(gpt: Gpt, where: string): Record<ImagePartition, GptPartition> {
  const problems: string[] = [];
  const found: Partial<Record<ImagePartition, GptPartition>> = {};
  for (const name of IMAGE_PARTITIONS) {
    const matches = gpt.partitions.filter((p) => p.name === name);
    if (matches.length === 0) problems.push(`no partition labelled "${name}"`);
    else if (matches.length > 1) problems.push(`${matches.length} partitions labelled "${name}"`);
    else found[name] = matches[0];
  }
  if (problems.length > 0) {
    const has = gpt.partitions.map((p) => JSON.stringify(p.name)).join(', ') || 'none';
    throw new FlashError(
      `${where}: not a Tandem controller image: ${problems.join('; ')} (it has ${has}; docs/image.md: ${IMAGE_PARTITIONS.join(', ')})`,
    );
  }
  return found as Record<ImagePartition, GptPartition>;
}

// ext2/3/4 superblock: 1024 bytes in, magic 0xEF53 at byte 56 of it.
const SUPERBLOCK = 1024;
const MAGIC_AT = 56;
const EXT_MAGIC = 0xef53;

/** Throws unless the partition at `part` of `path` starts with an ext superblock. */
export async function requireExtFilesystem(path: string, part: GptPartition): Promise<void> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await fh.read(buf, 0, 2, part.offset + SUPERBLOCK + MAGIC_AT);
    if (bytesRead !== 2 || buf.readUInt16LE(0) !== EXT_MAGIC) {
      throw new FlashError(`${path}: partition ${part.number} ("${part.name}") holds no ext4 filesystem`);
    }
  } finally {
    await fh.close();
  }
}
