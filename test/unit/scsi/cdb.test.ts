import { describe, expect, it } from 'vitest';
import {
  parseReadCapacity16,
  read16Cdb,
  readCapacity16Cdb,
  synchronizeCache10Cdb,
  synchronizeCache16Cdb,
  testUnitReadyCdb,
  write16Cdb,
} from '../../../hal/scsi/cdb/block.ts';
import { inquiryCdb, parseStandardInquiry } from '../../../hal/scsi/cdb/inquiry.ts';
import { ScsiArgumentError, ScsiParseError } from '../../../hal/scsi/errors.ts';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

describe('block CDBs (SBC-3)', () => {
  it('TEST UNIT READY is six zero bytes', () => {
    expect(testUnitReadyCdb()).toEqual(bytes(0, 0, 0, 0, 0, 0));
  });

  it('READ CAPACITY(16) is SERVICE ACTION IN 0x9E / 0x10 with allocation length in bytes 10-13', () => {
    expect(readCapacity16Cdb()).toEqual(bytes(0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0));
  });

  it('READ(16) puts the LBA in bytes 2-9 and the block count in 10-13', () => {
    expect(read16Cdb(0x0102030405060708n, 0x0a0b0c0d)).toEqual(
      bytes(0x88, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0x0a, 0x0b, 0x0c, 0x0d, 0, 0),
    );
  });

  it('READ(16)/WRITE(16) encode LBAs above 2^53 exactly, up to 2^64-1', () => {
    const max = (1n << 64n) - 1n;
    const ff = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
    expect(read16Cdb(max, 1)).toEqual(bytes(0x88, 0, ...ff, 0, 0, 0, 1, 0, 0));
    expect(read16Cdb(max, 0)).toEqual(bytes(0x88, 0, ...ff, 0, 0, 0, 0, 0, 0));
    expect(write16Cdb(max - 0xfffffffen, 0xffffffff, { fua: true })).toEqual(
      bytes(0x8a, 0x08, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0, 0),
    );
    // 2^53 + 1 is not a double: the fast path must not round it.
    expect(read16Cdb((1n << 53n) + 1n, 8)).toEqual(
      bytes(0x88, 0, 0, 0x20, 0, 0, 0, 0, 0, 1, 0, 0, 0, 8, 0, 0),
    );
    expect(read16Cdb((1n << 53n) - 1n, 8)).toEqual(
      bytes(0x88, 0, 0, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 8, 0, 0),
    );
    expect(read16Cdb(0x1_0000_0000n, 1)).toEqual(bytes(0x88, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0));
  });

  it('READ(16)/WRITE(16) range checks at the top of the LBA space', () => {
    const max = (1n << 64n) - 1n;
    expect(() => write16Cdb(max - 0xfffffffen, 0xffffffff)).not.toThrow(); // ends exactly at 2^64
    expect(() => write16Cdb(max - 0xfffffffdn, 0xffffffff)).toThrow(/past the last LBA/);
    expect(() => read16Cdb(max, 2)).toThrow(/past the last LBA/);
    // LBA errors are reported before transfer-length errors, on both sides of 2^53.
    expect(() => read16Cdb(-1n, -1)).toThrow(/logical block address/);
    expect(() => read16Cdb(1n << 64n, 2 ** 32)).toThrow(/logical block address/);
    expect(() => read16Cdb(5n, -1)).toThrow(/transfer length/);
    expect(() => read16Cdb(1n << 60n, 2 ** 32)).toThrow(/transfer length/);
    expect(() => read16Cdb(5 as unknown as bigint, 1)).toThrow(ScsiArgumentError);
  });

  it('WRITE(16) sets FUA as bit 3 of byte 1 and DPO as bit 4', () => {
    expect(write16Cdb(5n, 1, { fua: true })).toEqual(
      bytes(0x8a, 0x08, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0),
    );
    expect(write16Cdb(5n, 1, { fua: true, dpo: true })[1]).toBe(0x18);
    expect(write16Cdb(5n, 1)[1]).toBe(0);
  });

  it('SYNCHRONIZE CACHE(10) and (16) with IMMED', () => {
    expect(synchronizeCache10Cdb(0x01020304, 0x0506, { immediate: true })).toEqual(
      bytes(0x35, 0x02, 1, 2, 3, 4, 0, 5, 6, 0),
    );
    expect(synchronizeCache16Cdb()).toEqual(bytes(0x91, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
  });

  it('rejects values that do not fit their fields with a typed error', () => {
    expect(() => read16Cdb(-1n, 1)).toThrow(ScsiArgumentError);
    expect(() => read16Cdb(1n << 64n, 1)).toThrow(ScsiArgumentError);
    expect(() => write16Cdb(0n, 2 ** 32)).toThrow(/transfer length/);
    expect(() => write16Cdb((1n << 64n) - 1n, 2)).toThrow(/past the last LBA/);
    expect(() => synchronizeCache10Cdb(0, 0x10000)).toThrow(ScsiArgumentError);
    expect(() => read16Cdb(0n, 1.5)).toThrow(ScsiArgumentError);
  });
});

describe('READ CAPACITY(16) data', () => {
  const data = new Uint8Array(32);
  data.set([0, 0, 0, 0, 0, 0, 0x07, 0xff], 0); // last LBA 2047
  data.set([0, 0, 0x02, 0x00], 8); // 512-byte blocks
  data[12] = 0x03; // P_TYPE 1 (type 2), PROT_EN
  data[13] = 0x03; // 8 logical per physical
  data[14] = 0x80; // LBPME

  it('parses last LBA, block length and protection', () => {
    expect(parseReadCapacity16(data)).toEqual({
      lastLba: 2047n,
      blockLength: 512,
      blocks: 2048n,
      protectionEnabled: true,
      protectionType: 2,
      logicalPerPhysicalExponent: 3,
      thinProvisioned: true,
      lowestAlignedLba: 0,
    });
  });

  it('rejects truncated data and a zero block length, naming the field', () => {
    expect(() => parseReadCapacity16(data.subarray(0, 12))).toThrow(ScsiParseError);
    const zero = data.slice();
    zero.fill(0, 8, 12);
    const err = (() => {
      try {
        parseReadCapacity16(zero);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ScsiParseError);
    expect((err as ScsiParseError).field).toBe('logical block length');
  });
});

describe('INQUIRY', () => {
  it('builds standard and VPD CDBs', () => {
    expect(inquiryCdb(96)).toEqual(bytes(0x12, 0, 0, 0, 96, 0));
    expect(inquiryCdb(0x1ff, 0x83)).toEqual(bytes(0x12, 1, 0x83, 0x01, 0xff, 0));
    expect(() => inquiryCdb(0x10000)).toThrow(ScsiArgumentError);
  });

  const std = new Uint8Array(36);
  std.set([0x00, 0x00, 0x06, 0x02, 31, 0x01, 0x40, 0x02]);
  std.set(new TextEncoder().encode('TANDEM  SIM DISK        0001'), 8);

  it('parses standard inquiry data', () => {
    expect(parseStandardInquiry(std)).toEqual({
      peripheralQualifier: 0,
      deviceType: 0,
      removable: false,
      version: 6,
      responseDataFormat: 2,
      protect: true,
      encserv: true,
      cmdque: true,
      vendor: 'TANDEM',
      product: 'SIM DISK',
      revision: '0001',
    });
  });

  it('rejects short data and a too-small additional length', () => {
    expect(() => parseStandardInquiry(std.subarray(0, 35))).toThrow(/standard inquiry data/);
    const lying = std.slice();
    lying[4] = 10;
    expect(() => parseStandardInquiry(lying)).toThrow(/additional length/);
    expect(() => parseStandardInquiry(new Uint8Array(0))).toThrow(ScsiParseError);
  });
});
