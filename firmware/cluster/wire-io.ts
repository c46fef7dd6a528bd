// Bounds-checked big-endian readers/writers for the wire formats in this
// folder. A read past the end throws ShortRead, which decoders catch and turn
// into a typed 'short' error; it never escapes a decoder.

export class ShortRead extends Error {
  readonly field: string;
  constructor(field: string) {
    super(`input ends inside ${field}`);
    this.name = 'ShortRead';
    this.field = field;
  }
}

/** Reads a wire format front to back; running out is a ShortRead. */
export class WireReader {
  private readonly view: DataView;
  private readonly buf: Uint8Array;
  offset = 0;

  constructor(buf: Uint8Array) {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get remaining(): number {
    return this.buf.byteLength - this.offset;
  }

  private need(n: number, field: string): number {
    if (this.remaining < n) throw new ShortRead(field);
    const at = this.offset;
    this.offset += n;
    return at;
  }

  u8(field: string): number {
    return this.view.getUint8(this.need(1, field));
  }

  u16(field: string): number {
    return this.view.getUint16(this.need(2, field));
  }

  u32(field: string): number {
    return this.view.getUint32(this.need(4, field));
  }

  u64(field: string): bigint {
    return this.view.getBigUint64(this.need(8, field));
  }

  bytes(n: number, field: string): Uint8Array {
    const at = this.need(n, field);
    return this.buf.subarray(at, at + n);
  }
}

/** Writes a wire format front to back. */
export class WireWriter {
  private readonly chunks: number[] = [];

  u8(v: number): this {
    this.chunks.push(v & 0xff);
    return this;
  }

  u16(v: number): this {
    return this.u8(v >>> 8).u8(v);
  }

  u32(v: number): this {
    return this.u16(v >>> 16).u16(v & 0xffff);
  }

  u64(v: bigint): this {
    return this.u32(Number((v >> 32n) & 0xffffffffn)).u32(Number(v & 0xffffffffn));
  }

  bytes(b: Uint8Array): this {
    for (const x of b) this.chunks.push(x);
    return this;
  }

  get length(): number {
    return this.chunks.length;
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}

export function isU32(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
}

export function isSafeU64(v: number): boolean {
  return Number.isSafeInteger(v) && v >= 0;
}

export function allZero(b: Uint8Array): boolean {
  for (const x of b) if (x !== 0) return false;
  return true;
}
