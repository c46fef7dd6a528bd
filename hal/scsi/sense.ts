// Sense data (SPC-4 4.5): fixed format (0x70 current / 0x71 deferred) and
// descriptor format (0x72 / 0x73). Decoding is deliberately lenient about
// truncation — sense is often cut short by the transport's sense buffer and
// the sense key and ASC/ASCQ are what matter — but strict about the response
// code, since anything else means the bytes are not sense at all.
import { FieldReader, putU64 } from './field-reader.ts';
import type { SenseData, SenseDescriptor, SenseFormat } from './sense-data.ts';

const WHAT = 'sense data';

export function decodeSense(sense: Uint8Array): SenseData {
  const r = new FieldReader(WHAT, sense);
  const code = r.u8(0, 'response code') & 0x7f;
  switch (code) {
    case 0x70:
    case 0x71:
      return decodeFixed(r, code === 0x70);
    case 0x72:
    case 0x73:
      return decodeDescriptor(r, code === 0x72);
    default:
      return r.fail('response code', `0x${code.toString(16)} is not a sense response code (0x70-0x73)`);
  }
}

function decodeFixed(r: FieldReader, current: boolean): SenseData {
  const senseKey = r.u8(2, 'sense key') & 0x0f;
  // Bytes beyond 8 + ADDITIONAL SENSE LENGTH are not sense, even if present.
  const declared = r.length >= 8 ? 8 + r.u8(7, 'additional sense length') : r.length;
  const end = Math.min(r.length, declared);
  const valid = ((r.bytes[0] ?? 0) & 0x80) !== 0 && end >= 7;
  return {
    format: 'fixed',
    current,
    senseKey,
    asc: end > 12 ? r.u8(12, 'asc') : 0,
    ascq: end > 13 ? r.u8(13, 'ascq') : 0,
    information: valid ? BigInt(r.u32(3, 'information')) : undefined,
    descriptors: [],
    truncated: end < 14 || r.length < declared,
  };
}

function decodeDescriptor(r: FieldReader, current: boolean): SenseData {
  const senseKey = r.u8(1, 'sense key') & 0x0f;
  const declared = r.length >= 8 ? 8 + r.u8(7, 'additional sense length') : r.length;
  const end = Math.min(r.length, declared);
  const descriptors: SenseDescriptor[] = [];
  let information: bigint | undefined;
  let truncated = end < 8 || r.length < declared;
  for (let off = 8; off < end;) {
    if (off + 2 > end) {
      truncated = true;
      break;
    }
    const type = r.u8(off, 'descriptor type');
    const len = 2 + r.u8(off + 1, 'descriptor additional length');
    if (off + len > end) {
      truncated = true;
      break;
    }
    const bytes = r.slice(off, len, 'descriptor');
    descriptors.push({ type, bytes });
    // Information descriptor (type 0): VALID bit in byte 2, value in bytes 4-11.
    if (type === 0x00 && len >= 12 && ((bytes[2] ?? 0) & 0x80) !== 0) {
      information = new FieldReader(WHAT, bytes).u64(4, 'information');
    }
    off += len;
  }
  return {
    format: 'descriptor',
    current,
    senseKey,
    asc: end > 2 ? r.u8(2, 'asc') : 0,
    ascq: end > 3 ? r.u8(3, 'ascq') : 0,
    information,
    descriptors,
    truncated,
  };
}

export interface SenseSpec {
  readonly senseKey: number;
  readonly asc: number;
  readonly ascq: number;
  readonly information?: bigint;
  readonly format?: SenseFormat;
  readonly current?: boolean;
}

/** Build sense bytes; the sim target uses this, and tests use it for vectors. */
export function encodeSense(spec: SenseSpec): Uint8Array {
  const current = spec.current ?? true;
  if ((spec.format ?? 'fixed') === 'fixed') {
    const b = new Uint8Array(18);
    const info = spec.information;
    // Fixed format holds only 32 bits of INFORMATION; larger values are not marked valid.
    const valid = info !== undefined && info <= 0xffffffffn;
    b[0] = (valid ? 0x80 : 0) | (current ? 0x70 : 0x71);
    b[2] = spec.senseKey & 0x0f;
    if (valid) new DataView(b.buffer).setUint32(3, Number(info));
    b[7] = 10;
    b[12] = spec.asc;
    b[13] = spec.ascq;
    return b;
  }
  const withInfo = spec.information !== undefined;
  const b = new Uint8Array(8 + (withInfo ? 12 : 0));
  b[0] = current ? 0x72 : 0x73;
  b[1] = spec.senseKey & 0x0f;
  b[2] = spec.asc;
  b[3] = spec.ascq;
  b[7] = withInfo ? 12 : 0;
  if (spec.information !== undefined) {
    b[8] = 0x00;
    b[9] = 0x0a;
    b[10] = 0x80;
    putU64(b, 12, spec.information);
  }
  return b;
}
