// The GPT parser on hostile bytes: a real sfdisk table with random bytes
// changed either parses (every partition inside the disk) or is refused with
// a FlashError; it never crashes or reads out of bounds. CRCs are recomputed
// on some runs so the checks behind them are reached too.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc32 } from 'node:zlib';
import { FlashError } from '../../../tools/flash/errors.ts';
import { parseGptHeader, SECTOR } from '../../../tools/flash/gpt.ts';
import { requireTools, sparseFile } from './image-fixture.ts';

const DISK = 4 * 1024 * 1024;
let dir: string;
let disk: Buffer;

beforeAll(() => {
  requireTools();
  dir = mkdtempSync(join(tmpdir(), 'tandem-gpt-test-'));
  const img = join(dir, 'disk.img');
  sparseFile(img, DISK);
  execFileSync('sfdisk', ['--quiet', img], { input: 'label: gpt\nsize=1MiB, name=boot\nname=data\n' });
  disk = readFileSync(img);
});
afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** Parses `bytes` as a disk image: header, then the entries where it says. */
function parse(bytes: Buffer, diskBytes = bytes.length) {
  const header = parseGptHeader(bytes.subarray(0, 2 * SECTOR), diskBytes, 'disk');
  return header.check(bytes.subarray(header.entriesOffset, header.entriesOffset + header.entriesBytes));
}

/** Makes both CRCs right again, as a careful forger would. */
function reseal(b: Buffer): void {
  const size = Math.min(Math.max(b.readUInt32LE(SECTOR + 12), 92), SECTOR);
  const entriesAt = 2 * SECTOR;
  b.writeUInt32LE(crc32(b.subarray(entriesAt, entriesAt + 128 * 128)), SECTOR + 88);
  b.writeUInt32LE(0, SECTOR + 16);
  b.writeUInt32LE(crc32(b.subarray(SECTOR, SECTOR + size)), SECTOR + 16);
}

describe('GPT parser', () => {
  it('reads the table sfdisk wrote', () => {
    const dump = JSON.parse(execFileSync('sfdisk', ['-J', join(dir, 'disk.img')], { encoding: 'utf8' })) as {
      partitiontable: { partitions: { start: number; size: number; name: string }[] };
    };
    const gpt = parse(disk);
    expect(
      gpt.partitions.map((p) => ({ start: p.offset / SECTOR, size: p.bytes / SECTOR, name: p.name })),
    ).toEqual(dump.partitiontable.partitions.map(({ start, size, name }) => ({ start, size, name })));
  });

  it('either parses within the disk or refuses with a FlashError', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(2 * SECTOR + 128 * 128 - 1), fc.nat(255)), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        (edits, sealed) => {
          // The table's sectors are enough: the parser reads nothing past the entries.
          const whole = Buffer.from(disk.subarray(0, 64 * 1024));
          for (const [at, v] of edits) whole[at] = v;
          if (sealed) reseal(whole);
          try {
            for (const p of parse(whole, DISK).partitions) {
              expect(p.offset).toBeGreaterThanOrEqual(2 * SECTOR);
              expect(p.offset + p.bytes).toBeLessThanOrEqual(DISK);
            }
          } catch (err) {
            expect(err).toBeInstanceOf(FlashError);
          }
        },
      ),
      { numRuns: 300, seed: 16 },
    );
  });
});
