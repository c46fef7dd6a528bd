// Bounds-checked big-endian access to untrusted response bytes. Every read
// names the field it is for, so a short or lying response becomes a
// ScsiParseError that says exactly what was missing.
import { ScsiArgumentError, ScsiParseError } from './errors.ts';

export class ByteReader {
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

export function putU16(buf: Uint8Array, offset: number, value: number): void {
  new DataView(buf.buffer, buf.byteOffset, buf.byteLength).setUint16(offset, value);
}

export function putU32(buf: Uint8Array, offset: number, value: number): void {
  new DataView(buf.buffer, buf.byteOffset, buf.byteLength).setUint32(offset, value);
}

export function putU64(buf: Uint8Array, offset: number, value: bigint): void {
  new DataView(buf.buffer, buf.byteOffset, buf.byteLength).setBigUint64(offset, value);
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
