// A GPT read from untrusted bytes (an image file, or a target after it was
// written): the protective MBR, the primary header at LBA 1 with its CRC32,
// and the entries array with its CRC32. Bounded: at most 128 entries of 128
// bytes, each partition inside the disk's usable area. 512-byte sectors only:
// the images we flash are made with them.
import { open } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { FlashError } from './errors.ts';

export const SECTOR = 512;
const MAX_ENTRIES = 128;
const ENTRY_SIZE = 128;
const HEADER_MIN = 92;
const SIGNATURE = 'EFI PART';
const REVISION_1_0 = 0x00010000;
const NAME_OFFSET = 56;

export interface GptPartition {
  /** 1-based index in the entries array, as the kernel numbers partitions. */
  readonly number: number;
  readonly name: string;
  readonly typeGuid: string;
  /** Byte offset and length on the disk. */
  readonly offset: number;
  readonly bytes: number;
}

export interface Gpt {
  readonly diskGuid: string;
  readonly partitions: readonly GptPartition[];
}

/** GUIDs are stored mixed-endian: the first three fields little-endian. */
function guid(b: Buffer): string {
  const hex = (s: Buffer): string => s.toString('hex');
  const le = (s: Buffer): string => hex(Buffer.from(s).reverse());
  return [
    le(b.subarray(0, 4)),
    le(b.subarray(4, 6)),
    le(b.subarray(6, 8)),
    hex(b.subarray(8, 10)),
    hex(b.subarray(10, 16)),
  ]
    .join('-')
    .toUpperCase();
}

function lba(buf: Buffer, at: number, what: string, where: string): number {
  const v = buf.readBigUInt64LE(at);
  if (v > BigInt(Math.floor(Number.MAX_SAFE_INTEGER / SECTOR))) {
    throw new FlashError(`${where}: GPT ${what} ${v} is beyond any disk`);
  }
  return Number(v);
}

/** The UTF-16LE name, up to its first NUL (36 code units at most). */
function entryName(entry: Buffer): string {
  const raw = entry.subarray(NAME_OFFSET, ENTRY_SIZE);
  let end = 0;
  while (end < raw.length && raw.readUInt16LE(end) !== 0) end += 2;
  return raw.subarray(0, end).toString('utf16le');
}

/**
 * Parses the GPT from the disk's first sectors (`head`: at least 2 sectors)
 * and its entries array (`entries`, read from where the header says).
 * `diskBytes` bounds every partition.
 */
export function parseGptHeader(
  head: Buffer,
  diskBytes: number,
  where: string,
): { entriesOffset: number; entriesBytes: number; check: (entries: Buffer) => Gpt } {
  if (head.length < 2 * SECTOR || diskBytes < 2 * SECTOR)
    throw new FlashError(`${where}: too small for a GPT`);
  if (head.readUInt16LE(510) !== 0xaa55 || ![0, 1, 2, 3].some((i) => head[446 + i * 16 + 4] === 0xee)) {
    throw new FlashError(`${where}: no protective MBR (not a GPT disk)`);
  }
  const h = head.subarray(SECTOR, 2 * SECTOR);
  if (h.toString('latin1', 0, 8) !== SIGNATURE) {
    throw new FlashError(
      `${where}: no "${SIGNATURE}" signature at LBA 1 (not a GPT disk with 512-byte sectors)`,
    );
  }
  const revision = h.readUInt32LE(8);
  if (revision !== REVISION_1_0)
    throw new FlashError(`${where}: GPT revision 0x${revision.toString(16)} is not 1.0`);
  const headerSize = h.readUInt32LE(12);
  if (headerSize < HEADER_MIN || headerSize > SECTOR) {
    throw new FlashError(
      `${where}: GPT header size ${headerSize} is not between ${HEADER_MIN} and ${SECTOR}`,
    );
  }
  const stored = h.readUInt32LE(16);
  const zeroed = Buffer.from(h.subarray(0, headerSize));
  zeroed.writeUInt32LE(0, 16);
  const computed = crc32(zeroed);
  if (computed !== stored) {
    throw new FlashError(
      `${where}: GPT header CRC32 is 0x${stored.toString(16)}, the header's bytes give 0x${computed.toString(16)} (corrupt)`,
    );
  }
  const sectors = Math.floor(diskBytes / SECTOR);
  if (lba(h, 24, 'header LBA', where) !== 1)
    throw new FlashError(`${where}: GPT header does not say it is at LBA 1`);
  const firstUsable = lba(h, 40, 'first usable LBA', where);
  const lastUsable = lba(h, 48, 'last usable LBA', where);
  if (firstUsable < 2 || lastUsable < firstUsable || lastUsable >= sectors) {
    throw new FlashError(
      `${where}: GPT usable area ${firstUsable}..${lastUsable} does not fit a disk of ${sectors} sectors`,
    );
  }
  const entriesLba = lba(h, 72, 'entries LBA', where);
  const count = h.readUInt32LE(80);
  const entrySize = h.readUInt32LE(84);
  if (count < 1 || count > MAX_ENTRIES) {
    throw new FlashError(`${where}: GPT has ${count} entries (1 to ${MAX_ENTRIES} accepted)`);
  }
  if (entrySize !== ENTRY_SIZE)
    throw new FlashError(`${where}: GPT entry size ${entrySize} (only ${ENTRY_SIZE} accepted)`);
  const entriesOffset = entriesLba * SECTOR;
  const entriesBytes = count * entrySize;
  if (entriesLba < 2 || entriesOffset + entriesBytes > diskBytes) {
    throw new FlashError(`${where}: GPT entries at LBA ${entriesLba} lie outside the disk`);
  }
  const entriesCrc = h.readUInt32LE(88);
  const diskGuid = guid(h.subarray(56, 72));

  const check = (entries: Buffer): Gpt => {
    if (entries.length !== entriesBytes) throw new FlashError(`${where}: GPT entries array is cut short`);
    const got = crc32(entries);
    if (got !== entriesCrc) {
      throw new FlashError(
        `${where}: GPT entries CRC32 is 0x${entriesCrc.toString(16)}, the entries give 0x${got.toString(16)} (corrupt)`,
      );
    }
    const partitions: GptPartition[] = [];
    for (let i = 0; i < count; i++) {
      const e = entries.subarray(i * ENTRY_SIZE, (i + 1) * ENTRY_SIZE);
      if (e.subarray(0, 16).every((b) => b === 0)) continue; // an unused slot
      const first = lba(e, 32, `partition ${i + 1} first LBA`, where);
      const last = lba(e, 40, `partition ${i + 1} last LBA`, where);
      if (first < firstUsable || last > lastUsable || last < first) {
        throw new FlashError(
          `${where}: GPT partition ${i + 1} (LBA ${first}..${last}) is outside the usable area ${firstUsable}..${lastUsable}`,
        );
      }
      partitions.push({
        number: i + 1,
        name: entryName(e),
        typeGuid: guid(e.subarray(0, 16)),
        offset: first * SECTOR,
        bytes: (last - first + 1) * SECTOR,
      });
    }
    return { diskGuid, partitions };
  };
  return { entriesOffset, entriesBytes, check };
}

/** Reads and checks the GPT of a file or block device of `diskBytes` bytes. */
export async function readGpt(path: string, diskBytes: number): Promise<Gpt> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(2 * SECTOR);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    const header = parseGptHeader(head.subarray(0, bytesRead), diskBytes, path);
    const entries = Buffer.alloc(header.entriesBytes);
    const got = await fh.read(entries, 0, entries.length, header.entriesOffset);
    return header.check(entries.subarray(0, got.bytesRead));
  } finally {
    await fh.close();
  }
}
