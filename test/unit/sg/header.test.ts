import { describe, expect, it } from 'vitest';
import { SG_IO_HDR_SIZE, SgDxfer, SgIoHdrOffset as O } from '../../../hal/scsi/sg/constants.ts';
import { decodeSgIoResult, encodeSgIoHdr } from '../../../hal/scsi/sg/header.ts';
import type { SgIoRequestFields } from '../../../hal/scsi/sg/header.ts';
import { isHalError } from '../../../hal/errors.ts';

const REQ: SgIoRequestFields = {
  direction: SgDxfer.FROM_DEV,
  cmdLen: 10,
  mxSbLen: 252,
  dxferLen: 0x1234,
  dxferp: 0x7fff_0000_1000n,
  cmdp: 0x7fff_0000_2000n,
  sbp: 0x7fff_0000_3000n,
  timeoutMs: 30_000,
  flags: 0,
  packId: 42,
};

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

describe('encodeSgIoHdr', () => {
  it('writes every input field at its kernel offset (little-endian)', () => {
    const b = encodeSgIoHdr(REQ);
    const v = view(b);
    expect(b.length).toBe(SG_IO_HDR_SIZE);
    expect(String.fromCharCode(v.getInt32(O.interface_id, true))).toBe('S');
    expect(v.getInt32(O.dxfer_direction, true)).toBe(-3);
    expect(v.getUint8(O.cmd_len)).toBe(10);
    expect(v.getUint8(O.mx_sb_len)).toBe(252);
    expect(v.getUint16(O.iovec_count, true)).toBe(0);
    expect(v.getUint32(O.dxfer_len, true)).toBe(0x1234);
    expect(v.getBigUint64(O.dxferp, true)).toBe(0x7fff_0000_1000n);
    expect(v.getBigUint64(O.cmdp, true)).toBe(0x7fff_0000_2000n);
    expect(v.getBigUint64(O.sbp, true)).toBe(0x7fff_0000_3000n);
    expect(v.getUint32(O.timeout, true)).toBe(30_000);
    expect(v.getInt32(O.pack_id, true)).toBe(42);
    expect(v.getBigUint64(O.usr_ptr, true)).toBe(0n);
    expect([...b.subarray(O.status)].every((x) => x === 0)).toBe(true);
  });

  it('encodes each direction as the kernel number', () => {
    for (const [dir, n] of [
      [SgDxfer.NONE, -1],
      [SgDxfer.TO_DEV, -2],
      [SgDxfer.FROM_DEV, -3],
    ] as const) {
      expect(view(encodeSgIoHdr({ ...REQ, direction: dir })).getInt32(O.dxfer_direction, true)).toBe(n);
    }
  });

  it('overwrites a reused buffer completely, including stale result fields', () => {
    const target = new Uint8Array(SG_IO_HDR_SIZE).fill(0xee);
    encodeSgIoHdr(REQ, target);
    expect(target[O.status]).toBe(0);
    expect(view(target).getInt32(O.resid, true)).toBe(0);
  });

  it.each([
    ['cmd_len', { cmdLen: 256 }],
    ['dxfer_len', { dxferLen: -1 }],
    ['timeout', { timeoutMs: 1.5 }],
    ['pack_id', { packId: 2 ** 31 }],
    ['cmdp', { cmdp: 0n }],
    ['dxferp', { dxferp: -1n }],
    ['dxfer_direction', { direction: -4 as SgDxfer }],
  ])('rejects a bad %s with invalid-argument', (name, patch) => {
    let caught: unknown;
    try {
      encodeSgIoHdr({ ...REQ, ...patch });
    } catch (err) {
      caught = err;
    }
    expect(isHalError(caught, 'invalid-argument')).toBe(true);
    expect((caught as Error).message).toContain(name);
  });

  it('rejects a target buffer that is too small', () => {
    expect(() => encodeSgIoHdr(REQ, new Uint8Array(87))).toThrow(/87 bytes/);
  });
});

describe('decodeSgIoResult', () => {
  it('reads every output field from its kernel offset', () => {
    const b = encodeSgIoHdr(REQ);
    const v = view(b);
    v.setUint8(O.status, 0x18);
    v.setUint8(O.masked_status, 0x0c);
    v.setUint8(O.msg_status, 1);
    v.setUint8(O.sb_len_wr, 18);
    v.setUint16(O.host_status, 0x11, true);
    v.setUint16(O.driver_status, 0x08, true);
    v.setInt32(O.resid, 100, true);
    v.setUint32(O.duration, 7, true);
    v.setUint32(O.info, 1, true);
    expect(decodeSgIoResult(b)).toEqual({
      status: 0x18,
      maskedStatus: 0x0c,
      msgStatus: 1,
      sbLenWr: 18,
      hostStatus: 0x11,
      driverStatus: 0x08,
      resid: 100,
      duration: 7,
      info: 1,
    });
  });

  it('rejects a short header as a protocol error', () => {
    expect(() => decodeSgIoResult(new Uint8Array(40))).toThrow(expect.objectContaining({ code: 'protocol' }));
  });
});
