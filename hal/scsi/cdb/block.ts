// Block commands (SBC-3): TEST UNIT READY, READ CAPACITY(16), READ(16),
// WRITE(16), SYNCHRONIZE CACHE(10/16).
import { FieldReader, MAX_U64, checkU64, checkUint, putU16, putU32, putU64 } from '../field-reader.ts';
import { ScsiArgumentError } from '../errors.ts';
import { Opcode, READ_CAPACITY_16_SA } from './opcodes.ts';

export function testUnitReadyCdb(): Uint8Array {
  return new Uint8Array(6); // opcode 0x00, all fields zero
}

/** SBC-3 says 32 bytes; asking for exactly that keeps tgt's EDTL rule satisfied. */
export const READ_CAPACITY_16_LENGTH = 32;

export function readCapacity16Cdb(allocationLength = READ_CAPACITY_16_LENGTH): Uint8Array {
  checkUint('READ CAPACITY(16)', 'allocation length', allocationLength, 0xffffffff);
  const cdb = new Uint8Array(16);
  cdb[0] = Opcode.SERVICE_ACTION_IN_16;
  cdb[1] = READ_CAPACITY_16_SA;
  putU32(cdb, 10, allocationLength);
  return cdb;
}

export interface Capacity {
  readonly lastLba: bigint;
  readonly blockLength: number;
  /** Number of logical blocks (lastLba + 1). */
  readonly blocks: bigint;
  readonly protectionEnabled: boolean;
  /** 1-3 when protection is enabled (SBC-3 type = P_TYPE + 1), else 0. */
  readonly protectionType: number;
  readonly logicalPerPhysicalExponent: number;
  readonly thinProvisioned: boolean;
  readonly lowestAlignedLba: number;
}

export function parseReadCapacity16(data: Uint8Array): Capacity {
  const r = new FieldReader('READ CAPACITY(16)', data);
  r.need(0, READ_CAPACITY_16_LENGTH, 'capacity data');
  const lastLba = r.u64(0, 'returned logical block address');
  if (lastLba === MAX_U64)
    r.fail('returned logical block address', 'capacity of 2^64 blocks is not addressable');
  const blockLength = r.u32(8, 'logical block length');
  if (blockLength === 0) r.fail('logical block length', 'is zero');
  const b12 = r.u8(12, 'protection');
  const protectionEnabled = (b12 & 0x01) !== 0;
  return {
    lastLba,
    blockLength,
    blocks: lastLba + 1n,
    protectionEnabled,
    protectionType: protectionEnabled ? ((b12 >> 1) & 0x07) + 1 : 0,
    logicalPerPhysicalExponent: r.u8(13, 'logical blocks per physical block exponent') & 0x0f,
    thinProvisioned: (r.u8(14, 'lbpme') & 0x80) !== 0,
    lowestAlignedLba: r.u16(14, 'lowest aligned logical block address') & 0x3fff,
  };
}

export interface ReadWriteFlags {
  /** Force unit access: the device must reach the medium, not just its cache. */
  readonly fua?: boolean;
  /** Disable page out: a hint not to keep this data in cache. */
  readonly dpo?: boolean;
}

/** Any LBA up to here is checked by one comparison: it is a u64 and no 32-bit count runs past 2^64. */
const RW16_SIMPLE_LBA_MAX = BigInt(Number.MAX_SAFE_INTEGER);
const LBA_LIMIT = MAX_U64 + 1n;

function rw16(what: string, opcode: number, lba: bigint, blocks: number, flags: ReadWriteFlags): Uint8Array {
  // Hot path (every I/O): when one comparison settles the LBA, skip the BigInt arithmetic.
  // Same checks, same order (LBA, then transfer length) as the general path.
  const simple = typeof lba === 'bigint' && lba >= 0n && lba <= RW16_SIMPLE_LBA_MAX;
  if (!simple) checkU64(what, 'logical block address', lba);
  checkUint(what, 'transfer length', blocks, 0xffffffff);
  if (!simple && lba + BigInt(blocks) > LBA_LIMIT)
    throw new ScsiArgumentError(what, 'transfer length', 'runs past the last LBA');
  const cdb = new Uint8Array(16);
  cdb[0] = opcode;
  cdb[1] = (flags.dpo === true ? 0x10 : 0) | (flags.fua === true ? 0x08 : 0);
  putU64(cdb, 2, lba);
  putU32(cdb, 10, blocks);
  return cdb;
}

export function read16Cdb(lba: bigint, blocks: number, flags: ReadWriteFlags = {}): Uint8Array {
  return rw16('READ(16)', Opcode.READ_16, lba, blocks, flags);
}

export function write16Cdb(lba: bigint, blocks: number, flags: ReadWriteFlags = {}): Uint8Array {
  return rw16('WRITE(16)', Opcode.WRITE_16, lba, blocks, flags);
}

export interface SyncCacheOptions {
  /** Return before the flush completes (IMMED). */
  readonly immediate?: boolean;
}

/** SYNCHRONIZE CACHE(10); blocks = 0 means "from lba to the end". */
export function synchronizeCache10Cdb(lba = 0, blocks = 0, opts: SyncCacheOptions = {}): Uint8Array {
  checkUint('SYNCHRONIZE CACHE(10)', 'logical block address', lba, 0xffffffff);
  checkUint('SYNCHRONIZE CACHE(10)', 'number of logical blocks', blocks, 0xffff);
  const cdb = new Uint8Array(10);
  cdb[0] = Opcode.SYNCHRONIZE_CACHE_10;
  cdb[1] = opts.immediate === true ? 0x02 : 0;
  putU32(cdb, 2, lba);
  putU16(cdb, 7, blocks);
  return cdb;
}

/** SYNCHRONIZE CACHE(16); blocks = 0 means "from lba to the end". */
export function synchronizeCache16Cdb(lba = 0n, blocks = 0, opts: SyncCacheOptions = {}): Uint8Array {
  checkU64('SYNCHRONIZE CACHE(16)', 'logical block address', lba);
  checkUint('SYNCHRONIZE CACHE(16)', 'number of logical blocks', blocks, 0xffffffff);
  const cdb = new Uint8Array(16);
  cdb[0] = Opcode.SYNCHRONIZE_CACHE_16;
  cdb[1] = opts.immediate === true ? 0x02 : 0;
  putU64(cdb, 2, lba);
  putU32(cdb, 10, blocks);
  return cdb;
}
