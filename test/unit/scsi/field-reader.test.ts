// The put* encoders write bytes by hand (no DataView per call, for the I/O hot
// path); they must agree with DataView's big-endian setters byte for byte,
// including the values a double cannot hold exactly (above 2^53).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_U64, putU16, putU32, putU64 } from '../../../hal/scsi/field-reader.ts';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

/** A 0xee-filled buffer written by DataView's own setter, the reference. */
function viaDataView(size: number, set: (v: DataView) => void): Uint8Array {
  const buf = new Uint8Array(size).fill(0xee);
  set(new DataView(buf.buffer));
  return buf;
}

describe('putU64', () => {
  const at2 = (value: bigint): Uint8Array => {
    const buf = new Uint8Array(12).fill(0xee);
    putU64(buf, 2, value);
    return buf;
  };

  it('encodes 2^64-1, 2^64-2, 2^53+1, 2^53, 2^53-1, 2^32 and 0', () => {
    const e = 0xee;
    expect(at2(MAX_U64)).toEqual(bytes(e, e, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, e, e));
    expect(at2(MAX_U64 - 1n)).toEqual(bytes(e, e, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, e, e));
    expect(at2((1n << 53n) + 1n)).toEqual(bytes(e, e, 0, 0x20, 0, 0, 0, 0, 0, 1, e, e));
    expect(at2(1n << 53n)).toEqual(bytes(e, e, 0, 0x20, 0, 0, 0, 0, 0, 0, e, e));
    expect(at2((1n << 53n) - 1n)).toEqual(bytes(e, e, 0, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, e, e));
    expect(at2(1n << 32n)).toEqual(bytes(e, e, 0, 0, 0, 1, 0, 0, 0, 0, e, e));
    expect(at2(0n)).toEqual(bytes(e, e, 0, 0, 0, 0, 0, 0, 0, 0, e, e));
    expect(at2(0x0123456789abcdefn)).toEqual(
      bytes(e, e, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, e, e),
    );
  });

  it('matches DataView.setBigUint64 for any bigint, wrapping out-of-range values the same way', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(1n << 70n), max: 1n << 70n }),
        fc.integer({ min: 0, max: 8 }),
        (v, off) => {
          const ours = new Uint8Array(16).fill(0xee);
          putU64(ours, off, v);
          const ref = viaDataView(16, (d) => d.setBigUint64(off, v));
          expect(ours).toEqual(ref);
        },
      ),
    );
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_U64 }), (v) => {
        const ours = new Uint8Array(8);
        putU64(ours, 0, v);
        expect(new DataView(ours.buffer).getBigUint64(0)).toBe(v);
      }),
    );
  });

  it('writes through a subarray at its own offset', () => {
    const backing = new Uint8Array(16);
    putU64(backing.subarray(4), 1, 0x0102030405060708n);
    expect(backing).toEqual(bytes(0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0));
  });

  it('throws rather than writing part of a field past the end', () => {
    const buf = new Uint8Array(8);
    expect(() => putU64(buf, 1, 1n)).toThrow(RangeError);
    expect(() => putU64(buf, -1, 1n)).toThrow(RangeError);
    expect(buf).toEqual(new Uint8Array(8));
    expect(() => putU64(buf, 0, 1 as unknown as bigint)).toThrow(TypeError);
  });
});

describe('putU32 and putU16', () => {
  it('match DataView for any number, including ones that wrap', () => {
    const values = fc.oneof(
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.integer(),
      fc.double({ noNaN: false }),
      fc.constantFrom(2 ** 32, 2 ** 32 + 5, -1, 2 ** 53, 0x1_0000),
    );
    fc.assert(
      fc.property(values, fc.integer({ min: 0, max: 4 }), (v, off) => {
        const a = new Uint8Array(8).fill(0xee);
        putU32(a, off, v);
        expect(a).toEqual(viaDataView(8, (d) => d.setUint32(off, v)));
        const b = new Uint8Array(8).fill(0xee);
        putU16(b, off + 2, v);
        expect(b).toEqual(viaDataView(8, (d) => d.setUint16(off + 2, v)));
      }),
    );
  });

  it('throws at the end of the buffer', () => {
    expect(() => putU32(new Uint8Array(5), 2, 1)).toThrow(RangeError);
    expect(() => putU16(new Uint8Array(2), 1, 1)).toThrow(RangeError);
  });
});
