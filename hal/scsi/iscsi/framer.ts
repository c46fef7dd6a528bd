// Cuts a TCP byte stream into whole PDUs. Chunks are kept as views; bytes are
// copied only when a PDU straddles two chunks (rare for small PDUs, which is
// the latency-critical case).
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
  private pending: Buffer = Buffer.alloc(0);

  constructor(options: FramerOptions) {
    this.device = options.device;
    this.maxDsl = options.maxDataSegmentLength;
    this.opcodes = options.opcodes ?? TARGET_OPCODES;
  }

  /** Bytes held that do not yet make a whole PDU. */
  get buffered(): number {
    return this.pending.length;
  }

  /**
   * Feed bytes; returns every PDU now complete, in order. Throws
   * IscsiProtocolError at the first malformed header; the stream cannot be
   * resynchronised after that (iSCSI has no sync marker), so the caller drops
   * the connection.
   */
  push(chunk: Buffer): RawPdu[] {
    let buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: RawPdu[] = [];
    while (buf.length >= BHS_LENGTH) {
      this.check(buf);
      const total = pduWireLength(buf);
      if (buf.length < total) break;
      out.push(this.cut(buf));
      buf = buf.subarray(total);
    }
    this.pending = buf;
    return out;
  }

  /** The stream ended: anything left over is a truncated PDU. */
  end(): void {
    if (this.pending.length > 0) {
      const have = this.pending.length;
      this.pending = Buffer.alloc(0);
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
