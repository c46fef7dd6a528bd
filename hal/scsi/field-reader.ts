// Bounds-checked big-endian access to untrusted response bytes. Every read
// names the field it is for, so a short or lying response becomes a
// ScsiParseError that says exactly what was missing.
import { ScsiArgumentError, ScsiParseError } from './errors.ts';

/**
 * Named big-endian fields at fixed offsets of one buffer (a CDB, a parameter
 * list, a response); a field outside the buffer is a ScsiParseError.
 */
export class FieldReader {
  readonly bytes: Uint8Array;
  readonly what: string;

  constructor(what: string, bytes: Uint8Array) {
    this.what = what;
    this.bytes = bytes;
  }

  get length(): number {
    return this.bytes.length;
  }

  fail(field: string, message: string): never {
    throw new ScsiParseError(this.what, field, message);
  }

  /** Throw unless bytes [offset, offset + n) are present. */
  need(offset: number, n: number, field: string): void {
    if (offset < 0 || n < 0 || offset + n > this.bytes.length) {
      this.fail(field, `needs bytes ${offset}..${offset + n - 1}, response has ${this.bytes.length}`);
    }
  }

  u8(offset: number, field: string): number {
    this.need(offset, 1, field);
    return this.bytes[offset] ?? 0;
  }

  u16(offset: number, field: string): number {
    this.need(offset, 2, field);
    return ((this.bytes[offset] ?? 0) << 8) | (this.bytes[offset + 1] ?? 0);
  }

  u32(offset: number, field: string): number {
    this.need(offset, 4, field);
    return this.view().getUint32(offset);
  }

  u64(offset: number, field: string): bigint {
    this.need(offset, 8, field);
    return this.view().getBigUint64(offset);
  }

  slice(offset: number, n: number, field: string): Uint8Array {
    this.need(offset, n, field);
    return this.bytes.slice(offset, offset + n);
  }

  private view(): DataView {
    return new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
  }
}

export const MAX_U64 = (1n << 64n) - 1n;

/** Validate a caller-supplied integer field before it goes into a CDB. */
export function checkUint(what: string, field: string, value: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new ScsiArgumentError(what, field, `must be an integer 0..${max}, got ${String(value)}`);
  }
  return value;
}

export function checkU64(what: string, field: string, value: bigint): bigint {
  if (typeof value !== 'bigint' || value < 0n || value > MAX_U64) {
    throw new ScsiArgumentError(what, field, `must be a bigint 0..2^64-1, got ${String(value)}`);
  }
  return value;
}

// The put* encoders write bytes directly: a DataView per call was the
// hottest JS on the READ(16) path. Semantics match DataView's setters: the
// value is reduced modulo 2^16 / 2^32 / 2^64 (a negative bigint wraps, a
// non-bigint to putU64 is a TypeError) and a field that does not fit in `buf`
// at `offset` is a RangeError, never a silent partial write.

function checkRoom(buf: Uint8Array, offset: number, n: number): void {
  if (!Number.isInteger(offset) || offset < 0 || offset > buf.length - n) {
    throw new RangeError(`${n}-byte field at offset ${offset} is outside a ${buf.length}-byte buffer`);
  }
}

export function putU16(buf: Uint8Array, offset: number, value: number): void {
  checkRoom(buf, offset, 2);
  const v = value >>> 0; // ToUint32, as DataView does, before byte truncation
  buf[offset] = v >>> 8;
  buf[offset + 1] = v;
}

export function putU32(buf: Uint8Array, offset: number, value: number): void {
  checkRoom(buf, offset, 4);
  const v = value >>> 0;
  buf[offset] = v >>> 24;
  buf[offset + 1] = v >>> 16;
  buf[offset + 2] = v >>> 8;
  buf[offset + 3] = v;
}

const MAX_SAFE_U64 = BigInt(Number.MAX_SAFE_INTEGER);
const TWO_32 = 0x1_0000_0000;

/** Big-endian u64 as two u32 halves: `hi` is floor(value / 2^32), `lo` value mod 2^32. */
function putHalves(buf: Uint8Array, offset: number, hi: number, lo: number): void {
  buf[offset] = hi >>> 24;
  buf[offset + 1] = hi >>> 16;
  buf[offset + 2] = hi >>> 8;
  buf[offset + 3] = hi;
  buf[offset + 4] = lo >>> 24;
  buf[offset + 5] = lo >>> 16;
  buf[offset + 6] = lo >>> 8;
  buf[offset + 7] = lo;
}

export function putU64(buf: Uint8Array, offset: number, value: bigint): void {
  checkRoom(buf, offset, 8);
  if (typeof value === 'bigint' && value >= 0n && value <= MAX_SAFE_U64) {
    // Exact in a double: no BigInt allocation (the usual LBA or key).
    const n = Number(value);
    putHalves(buf, offset, Math.floor(n / TWO_32), n >>> 0);
    return;
  }
  const v = BigInt.asUintN(64, value); // TypeError for a non-bigint, like setBigUint64
  putHalves(buf, offset, Number(v >> 32n), Number(v & 0xffff_ffffn));
}

/** ASCII text fields (vendor, product, serial): trim padding, show non-printables as '.'. */
export function asciiField(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : b === 0 ? ' ' : '.';
  return s.trim();
}

export function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
