// Framing of heartbeats on the RS-232 byte stream, which has no message
// boundaries and suffers line noise, dropped and duplicated bytes.
//
//   off  size  field
//   0    2     sync 0xA5 0x5A
//   2    2     payload length n, big-endian, 1..maxPayload
//   4    2     bitwise complement of n (rejects a garbage length at once,
//              instead of waiting for up to maxPayload bytes of stream)
//   6    n     payload (a signed heartbeat)
//   6+n  4     CRC-32 (IEEE, zlib) over bytes 2 .. 6+n, big-endian
//
// The CRC only filters line noise; authenticity comes from the heartbeat's
// HMAC. After any bad header or CRC the decoder drops a single byte and hunts
// for the next sync, so a valid frame hidden inside a bogus "frame" is still
// found.
import { crc32 } from 'node:zlib';

export const SYNC0 = 0xa5;
export const SYNC1 = 0x5a;
const HEADER_BYTES = 6;
const CRC_BYTES = 4;
export const FRAME_OVERHEAD = HEADER_BYTES + CRC_BYTES;
export const DEFAULT_MAX_PAYLOAD = 512;

export function encodeFrame(payload: Uint8Array, maxPayload = DEFAULT_MAX_PAYLOAD): Uint8Array {
  const n = payload.byteLength;
  if (n < 1 || n > maxPayload) throw new RangeError(`frame payload must be 1..${maxPayload} bytes, got ${n}`);
  const out = new Uint8Array(FRAME_OVERHEAD + n);
  const view = new DataView(out.buffer);
  out[0] = SYNC0;
  out[1] = SYNC1;
  view.setUint16(2, n);
  view.setUint16(4, ~n & 0xffff);
  out.set(payload, HEADER_BYTES);
  view.setUint32(HEADER_BYTES + n, crc32(out.subarray(2, HEADER_BYTES + n)));
  return out;
}

export interface FramingCounters {
  frames: number;
  crcErrors: number;
  headerErrors: number;
  /** Times the decoder lost sync (garbage, bad header or bad CRC) and began hunting. */
  resyncs: number;
  discardedBytes: number;
}

export class SerialFrameDecoder {
  private readonly maxPayload: number;
  private buf = new Uint8Array(0);
  private hunting = false;
  private readonly count: FramingCounters = {
    frames: 0,
    crcErrors: 0,
    headerErrors: 0,
    resyncs: 0,
    discardedBytes: 0,
  };

  constructor(maxPayload = DEFAULT_MAX_PAYLOAD) {
    if (!Number.isInteger(maxPayload) || maxPayload < 1 || maxPayload > 0xffff) {
      throw new RangeError(`maxPayload must be 1..65535, got ${maxPayload}`);
    }
    this.maxPayload = maxPayload;
  }

  /** The largest buffer the decoder ever keeps between pushes. */
  get maxFrameBytes(): number {
    return FRAME_OVERHEAD + this.maxPayload;
  }

  get buffered(): number {
    return this.buf.byteLength;
  }

  counters(): Readonly<FramingCounters> {
    return { ...this.count };
  }

  /** Feed any chunk of the stream; returns the payloads of complete valid frames. */
  push(chunk: Uint8Array): Uint8Array[] {
    const frames: Uint8Array[] = [];
    // Feed in slices so the buffer stays bounded however large the chunk.
    for (let at = 0; at < chunk.byteLength; at += this.maxFrameBytes) {
      this.append(chunk.subarray(at, at + this.maxFrameBytes));
      this.drain(frames);
    }
    return frames;
  }

  private append(piece: Uint8Array): void {
    const next = new Uint8Array(this.buf.byteLength + piece.byteLength);
    next.set(this.buf);
    next.set(piece, this.buf.byteLength);
    this.buf = next;
  }

  private drain(frames: Uint8Array[]): void {
    for (;;) {
      const start = this.findSync();
      if (start > 0) this.discard(start);
      if (start < 0) {
        // Keep a trailing first sync byte: its partner may be in the next chunk.
        const keep = this.buf[this.buf.byteLength - 1] === SYNC0 ? 1 : 0;
        this.discard(this.buf.byteLength - keep);
        return;
      }
      if (this.buf.byteLength < HEADER_BYTES) return;
      const view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
      const n = view.getUint16(2);
      if ((n ^ view.getUint16(4)) !== 0xffff || n < 1 || n > this.maxPayload) {
        this.count.headerErrors++;
        this.discard(1);
        continue;
      }
      const total = FRAME_OVERHEAD + n;
      if (this.buf.byteLength < total) return;
      if (crc32(this.buf.subarray(2, HEADER_BYTES + n)) !== view.getUint32(HEADER_BYTES + n)) {
        this.count.crcErrors++;
        this.discard(1);
        continue;
      }
      frames.push(this.buf.slice(HEADER_BYTES, HEADER_BYTES + n));
      this.count.frames++;
      this.buf = this.buf.subarray(total);
      this.hunting = false;
    }
  }

  private findSync(): number {
    const b = this.buf;
    for (let i = 0; i + 1 < b.byteLength; i++) {
      if (b[i] === SYNC0 && b[i + 1] === SYNC1) return i;
    }
    return -1;
  }

  private discard(n: number): void {
    if (n <= 0) return;
    if (!this.hunting) {
      this.count.resyncs++;
      this.hunting = true;
    }
    this.count.discardedBytes += n;
    this.buf = this.buf.subarray(n);
  }
}
