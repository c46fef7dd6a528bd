import { describe, expect, it } from 'vitest';
import {
  parseReadKeys,
  parseReadReservation,
  parseReportCapabilities,
  prInCdb,
} from '../../../hal/scsi/cdb/pr-in.ts';
import { parsePrOutParameters, prOut } from '../../../hal/scsi/cdb/pr-out.ts';
import { PrInAction, PrOutAction, PrOutFlag, PrType } from '../../../hal/scsi/cdb/pr-types.ts';
import { ScsiArgumentError, ScsiParseError } from '../../../hal/scsi/errors.ts';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

describe('PERSISTENT RESERVE IN', () => {
  it('CDB: opcode 0x5E, service action in byte 1, allocation length in bytes 7-8', () => {
    expect(prInCdb(PrInAction.READ_RESERVATION, 0x1234)).toEqual(
      bytes(0x5e, 0x01, 0, 0, 0, 0, 0, 0x12, 0x34, 0),
    );
  });

  it('READ KEYS: generation and keys as bigint', () => {
    const data = bytes(
      0,
      0,
      0,
      7,
      0,
      0,
      0,
      16,
      0xab,
      0xcd,
      0,
      0,
      0,
      0,
      0,
      1,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
    );
    expect(parseReadKeys(data)).toEqual({ generation: 7, keys: [0xabcd000000000001n, 0xffffffffffffffffn] });
    expect(parseReadKeys(bytes(0, 0, 0, 1, 0, 0, 0, 0))).toEqual({ generation: 1, keys: [] });
  });

  it('READ KEYS: lying or odd additional length is a parse error naming the field', () => {
    expect(() => parseReadKeys(bytes(0, 0, 0, 1, 0, 0, 0, 16, 1, 2, 3, 4, 5, 6, 7, 8))).toThrow(
      /additional length/,
    );
    expect(() => parseReadKeys(bytes(0, 0, 0, 1, 0, 0, 0, 4, 1, 2, 3, 4))).toThrow(/multiple of 8/);
    expect(() => parseReadKeys(bytes(0, 0, 0))).toThrow(ScsiParseError);
  });

  it('READ RESERVATION: none, and a type 5 reservation', () => {
    expect(parseReadReservation(bytes(0, 0, 0, 3, 0, 0, 0, 0))).toEqual({ generation: 3, reservation: null });
    const held = new Uint8Array(24);
    held.set([0, 0, 0, 4, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0x0a, 0x01]);
    held[21] = 0x05;
    expect(parseReadReservation(held)).toEqual({
      generation: 4,
      reservation: { key: 0x0a01n, scope: 0, type: PrType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY },
    });
    const badType = held.slice();
    badType[21] = 0x02;
    expect(() => parseReadReservation(badType)).toThrow(/type/);
    expect(() => parseReadReservation(held.subarray(0, 20))).toThrow(/reservation descriptor/);
    const badLen = held.slice();
    badLen[7] = 8;
    expect(() => parseReadReservation(badLen)).toThrow(/additional length/);
  });

  it('REPORT CAPABILITIES: flags and type mask', () => {
    // tgt-like: length 8, CRH, TMV, mask WR_EX_AR|EX_AC_RO|WR_EX_RO|EX_AC|WR_EX + EX_AC_AR
    const caps = parseReportCapabilities(bytes(0, 8, 0x10, 0x80, 0xea, 0x01, 0, 0));
    expect(caps).toEqual({
      rlrC: false,
      crh: true,
      sipC: false,
      atpC: false,
      ptplC: false,
      ptplA: false,
      tmv: true,
      allowCommands: 0,
      types: [1, 3, 5, 6, 7, 8],
    });
    expect(parseReportCapabilities(bytes(0, 8, 0x0d, 0x91, 0x20, 0, 0, 0))).toMatchObject({
      sipC: true,
      atpC: true,
      ptplC: true,
      ptplA: true,
      allowCommands: 1,
      types: [5],
    });
    expect(() => parseReportCapabilities(bytes(0, 4, 0, 0))).toThrow(/length/);
  });
});

describe('PERSISTENT RESERVE OUT', () => {
  it('REGISTER AND IGNORE EXISTING KEY: CDB and 24-byte parameter list', () => {
    const { cdb, parameters } = prOut({
      action: PrOutAction.REGISTER_AND_IGNORE_EXISTING_KEY,
      key: 0n,
      serviceActionKey: 0x1122334455667788n,
    });
    expect(cdb).toEqual(bytes(0x5f, 0x06, 0x00, 0, 0, 0, 0, 0, 24, 0));
    expect(parameters).toEqual(
      bytes(0, 0, 0, 0, 0, 0, 0, 0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0, 0, 0, 0, 0, 0, 0, 0),
    );
  });

  it('RESERVE type 5 puts scope/type in byte 2 and the key in bytes 0-7', () => {
    const { cdb, parameters } = prOut({
      action: PrOutAction.RESERVE,
      key: 0xa1n,
      type: PrType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY,
    });
    expect(cdb).toEqual(bytes(0x5f, 0x01, 0x05, 0, 0, 0, 0, 0, 24, 0));
    expect(parameters[7]).toBe(0xa1);
  });

  it('PREEMPT AND ABORT carries the victim key and flags', () => {
    const { cdb, parameters } = prOut({
      action: PrOutAction.PREEMPT_AND_ABORT,
      key: 0xbn,
      serviceActionKey: 0xan,
      type: PrType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY,
      flags: PrOutFlag.APTPL,
    });
    expect(cdb.subarray(0, 3)).toEqual(bytes(0x5f, 0x05, 0x05));
    expect(parsePrOutParameters(parameters)).toEqual({ key: 0xbn, serviceActionKey: 0xan, flags: 1 });
  });

  it('rejects a missing type, keys out of range, and bad parameter lists', () => {
    expect(() => prOut({ action: PrOutAction.RESERVE, key: 1n })).toThrow(ScsiArgumentError);
    expect(() => prOut({ action: PrOutAction.RESERVE, key: 1n, type: 2 as PrType })).toThrow(/type/);
    expect(() => prOut({ action: PrOutAction.REGISTER, key: -1n })).toThrow(/reservation key/);
    expect(() => prOut({ action: PrOutAction.REGISTER, key: 0n, serviceActionKey: 1n << 64n })).toThrow(
      ScsiArgumentError,
    );
    expect(() => parsePrOutParameters(new Uint8Array(23))).toThrow(/parameter list length/);
  });
});
