// Cuts a TCP byte stream into whole PDUs. Chunks are kept as views; bytes are
// copied only when a PDU straddles two chunks (rare for small PDUs, which is
// the latency-critical case), or when the caller says the chunk is transient
// (a receive buffer it reuses): then the whole PDUs are copied out once, in
// one piece, and the tail is kept as a copy.
import { IscsiProtocolError } from './errors.ts';
import {
  BHS_LENGTH,
  IMMEDIATE_BIT,
  OPCODE_MASK,
  TARGET_OPCODES,
  dataSegmentLength,
  pduWireLength,
  type RawPdu,
} from './pdu.ts';

const EMPTY = Buffer.alloc(0);

/** The first `n` bytes of `buf` in memory of their own (small copies come from Node's pool). */
function copyOf(buf: Buffer, n: number): Buffer {
  const copy = Buffer.allocUnsafe(n);
  buf.copy(copy, 0, 0, n);
  return copy;
}

export interface FramerOptions {
  /** Name used in error messages. */
  readonly device: string;
  /** Largest data segment accepted (our declared MaxRecvDataSegmentLength). */
  readonly maxDataSegmentLength: number;
  /** Opcodes allowed on this stream; defaults to the target opcodes we understand. */
  readonly opcodes?: ReadonlySet<number>;
}

export class PduFramer {
  private readonly device: string;
  private readonly maxDsl: number;
  private readonly opcodes: ReadonlySet<number>;
  /** Start of a header split across reads (fewer than BHS_LENGTH bytes, owned). */
  private head: Buffer = EMPTY;
  /** A PDU of known size being assembled across reads, and how much of it is filled. */
  private assembly: Buffer | undefined;
  private filled = 0;

  constructor(options: FramerOptions) {
    this.device = options.device;
    this.maxDsl = options.maxDataSegmentLength;
    this.opcodes = options.opcodes ?? TARGET_OPCODES;
  }

  /** Bytes held that do not yet make a whole PDU. */
  get buffered(): number {
    return this.head.length + (this.assembly === undefined ? 0 : this.filled);
  }

  /**
   * Feed bytes; returns every PDU now complete, in order. Throws
   * IscsiProtocolError at the first malformed header; the stream cannot be
   * resynchronised after that (iSCSI has no sync marker), so the caller drops
   * the connection.
   *
   * `transient`: the caller will overwrite `chunk` after this returns, so
   * nothing returned or kept may be a view of it.
   */
  push(chunk: Buffer, transient = false): RawPdu[] {
    const out: RawPdu[] = [];
    let rest = chunk;
    if (this.head.length > 0) {
      // Finish a header split across reads; then its PDU's size is known.
      const need = BHS_LENGTH - this.head.length;
      if (rest.length < need) {
        this.head = Buffer.concat([this.head, rest]);
        return out;
      }
      const bhs = Buffer.concat([this.head, rest.subarray(0, need)]);
      this.head = EMPTY;
      rest = rest.subarray(need);
      this.check(bhs);
      this.assembly = Buffer.allocUnsafe(pduWireLength(bhs));
      bhs.copy(this.assembly, 0);
      this.filled = BHS_LENGTH;
    }
    const asm = this.assembly;
    if (asm !== undefined) {
      // A PDU straddling reads is assembled in place: each byte is copied once.
      const n = Math.min(asm.length - this.filled, rest.length);
      rest.copy(asm, this.filled, 0, n);
      this.filled += n;
      if (this.filled < asm.length) return out;
      this.assembly = undefined;
      this.filled = 0;
      rest = rest.subarray(n);
      out.push(this.cut(asm));
    }
    // `rest` starts at a PDU boundary. Find (and check) the whole PDUs in it.
    let end = 0;
    let total = 0;
    while (rest.length - end >= BHS_LENGTH) {
      const at = end === 0 ? rest : rest.subarray(end);
      this.check(at);
      total = pduWireLength(at);
      if (rest.length - end < total) break;
      end += total;
    }
    const left = rest.length - end;
    if (left > 0) {
      const tail = rest.subarray(end);
      if (left < BHS_LENGTH) {
        this.head = Buffer.from(tail);
      } else {
        this.assembly = Buffer.allocUnsafe(total);
        tail.copy(this.assembly, 0);
        this.filled = left;
      }
    }
    if (end === 0) return out;
    // Reads are reused by the caller: copy the whole PDUs out, once and in one piece.
    const whole = transient ? copyOf(rest, end) : rest;
    for (let at = 0; at < end;) {
      const pdu = at === 0 ? whole : whole.subarray(at);
      out.push(this.cut(pdu));
      at += pduWireLength(pdu);
    }
    return out;
  }

  /** The stream ended: anything left over is a truncated PDU. */
  end(): void {
    const have = this.buffered;
    if (have > 0) {
      this.head = EMPTY;
      this.assembly = undefined;
      this.filled = 0;
      throw new IscsiProtocolError(this.device, `stream ended inside a PDU (${have} bytes of a partial PDU)`);
    }
  }

  private check(bhs: Buffer): void {
    const opcode = bhs[0]! & OPCODE_MASK;
    if ((bhs[0]! & 0x80) !== 0) {
      throw new IscsiProtocolError(
        this.device,
        `PDU byte 0 has reserved bit 7 set (0x${bhs[0]!.toString(16)})`,
      );
    }
    if (!this.opcodes.has(opcode)) {
      throw new IscsiProtocolError(this.device, `unknown or unexpected opcode 0x${opcode.toString(16)}`);
    }
    const dsl = dataSegmentLength(bhs);
    if (dsl > this.maxDsl) {
      throw new IscsiProtocolError(
        this.device,
        `DataSegmentLength ${dsl} exceeds MaxRecvDataSegmentLength ${this.maxDsl}`,
      );
    }
  }

  private cut(buf: Buffer): RawPdu {
    const ahsLength = buf[4]! * 4;
    const dataStart = BHS_LENGTH + ahsLength;
    return {
      opcode: buf[0]! & OPCODE_MASK,
      immediate: (buf[0]! & IMMEDIATE_BIT) !== 0,
      bhs: buf.subarray(0, BHS_LENGTH),
      ahs: buf.subarray(BHS_LENGTH, dataStart),
      data: buf.subarray(dataStart, dataStart + dataSegmentLength(buf)),
    };
  }
}

/** Decode exactly one PDU from a buffer holding it whole (tests, tools). */
export function parseOnePdu(buf: Buffer, options: FramerOptions): RawPdu {
  const framer = new PduFramer(options);
  const pdus = framer.push(buf);
  if (pdus.length !== 1 || framer.buffered !== 0) {
    if (pdus.length === 0) {
      throw new IscsiProtocolError(options.device, `truncated PDU: ${buf.length} bytes is not a whole PDU`);
    }
    throw new IscsiProtocolError(options.device, 'buffer holds more than one PDU');
  }
  return pdus[0]!;
}
