// The peer command channel on the wire: one request (a command and its
// arguments) or one response (an Outcome) as JSON, cut into fragments that
// each fit one private-link datagram (the datagram contract caps them at
// 1400 bytes), each fragment signed on its own with the box key
// (HMAC-SHA256, cluster/hmac.ts). Layout (big-endian), see docs/peer.md:
//
//   0  "TDPC"             4  format 1          5  kind 1 request, 2 response
//   6  sender 'A'/'B'     7  attempt u8        8  box id u32
//  12  request id (8)    20  sent at, wall ms (f64)
//  28  index u8          29  count u8         30  total body bytes u16
//  32  fragment bytes ... HMAC-SHA256 (32) over everything before it
//
// Nothing in a fragment is believed before its MAC is checked; decoding
// never throws on what arrives.
import { randomBytes } from 'node:crypto';
import { controllerCode, controllerFromCode, type ControllerId } from '../cluster/codes.ts';
import { MAC_BYTES, macMatches, macOf } from '../cluster/hmac.ts';
import { err, ok, type Result } from '../core/result.ts';
import { MAX_DATAGRAM_BYTES } from '../../hal/net/datagram.ts';

export const PEER_MAGIC = Buffer.from('TDPC', 'ascii');
export const PEER_FORMAT = 1;
export const HEADER_BYTES = 32;
/** Fragment payload so that header + payload + MAC fits one datagram. */
export const FRAGMENT_BYTES = MAX_DATAGRAM_BYTES - HEADER_BYTES - MAC_BYTES;
/** A request's or a response's JSON, at most (bigger is refused by the sender, dropped by the receiver). */
export const MAX_BODY_BYTES = 16 * 1024;
export const MAX_FRAGMENTS = Math.ceil(MAX_BODY_BYTES / FRAGMENT_BYTES);
/** Retries of one request, at most (the attempt travels as a u8, 1..255). */
export const MAX_ATTEMPT = 255;

export type PeerKind = 'request' | 'response';

export interface PeerHeader {
  readonly kind: PeerKind;
  readonly sender: ControllerId;
  /** 1 for the first send of a request, one more for each retry; a response echoes it. */
  readonly attempt: number;
  readonly boxId: number;
  /** 16 hex digits, random per request; the response carries the same. */
  readonly id: string;
  /** The sender's wall clock when it signed (replay window). */
  readonly sentAtMs: number;
}

export interface PeerFragment extends PeerHeader {
  readonly index: number;
  readonly count: number;
  readonly totalBytes: number;
  readonly bytes: Uint8Array;
}

export type PeerDecodeError =
  | 'oversize'
  | 'short'
  | 'magic'
  | 'format'
  | 'mac'
  | 'kind'
  | 'sender'
  | 'attempt'
  | 'fragment-index'
  | 'fragment-size';

const KINDS: readonly PeerKind[] = ['request', 'response'];

/** Cuts one body (at most MAX_BODY_BYTES) into signed datagrams; throws RangeError on a bigger one. */
export function encodeMessage(header: PeerHeader, body: Uint8Array, key: Uint8Array): Uint8Array[] {
  if (body.byteLength > MAX_BODY_BYTES)
    throw new RangeError(`${body.byteLength} bytes is over the ${MAX_BODY_BYTES}-byte limit`);
  if (!/^[0-9a-f]{16}$/.test(header.id)) throw new RangeError('id must be 16 hex digits');
  if (!Number.isInteger(header.attempt) || header.attempt < 1 || header.attempt > MAX_ATTEMPT)
    throw new RangeError(`attempt ${header.attempt} is not 1..${MAX_ATTEMPT}`);
  const count = Math.max(1, Math.ceil(body.byteLength / FRAGMENT_BYTES));
  const out: Uint8Array[] = [];
  for (let index = 0; index < count; index++) {
    const part = body.subarray(index * FRAGMENT_BYTES, (index + 1) * FRAGMENT_BYTES);
    const buf = Buffer.alloc(HEADER_BYTES + part.byteLength + MAC_BYTES);
    PEER_MAGIC.copy(buf, 0);
    buf.writeUInt8(PEER_FORMAT, 4);
    buf.writeUInt8(KINDS.indexOf(header.kind) + 1, 5);
    buf.writeUInt8(controllerCode(header.sender), 6);
    buf.writeUInt8(header.attempt, 7);
    buf.writeUInt32BE(header.boxId >>> 0, 8);
    Buffer.from(header.id, 'hex').copy(buf, 12);
    buf.writeDoubleBE(header.sentAtMs, 20);
    buf.writeUInt8(index, 28);
    buf.writeUInt8(count, 29);
    buf.writeUInt16BE(body.byteLength, 30);
    buf.set(part, HEADER_BYTES);
    const signed = buf.subarray(0, HEADER_BYTES + part.byteLength);
    buf.set(macOf(key, signed), HEADER_BYTES + part.byteLength);
    out.push(new Uint8Array(buf));
  }
  return out;
}

/** Checks size and MAC before believing any field; untrusted bytes never throw. */
export function decodeFragment(bytes: Uint8Array, key: Uint8Array): Result<PeerFragment, PeerDecodeError> {
  if (bytes.byteLength > MAX_DATAGRAM_BYTES) return err('oversize');
  if (bytes.byteLength < HEADER_BYTES + MAC_BYTES) return err('short');
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!buf.subarray(0, 4).equals(PEER_MAGIC)) return err('magic');
  if (buf.readUInt8(4) !== PEER_FORMAT) return err('format');
  const macAt = buf.byteLength - MAC_BYTES;
  if (!macMatches(key, buf.subarray(0, macAt), buf.subarray(macAt))) return err('mac');
  const kind = KINDS[buf.readUInt8(5) - 1];
  if (kind === undefined) return err('kind');
  const sender = controllerFromCode(buf.readUInt8(6));
  if (sender === undefined) return err('sender');
  const attempt = buf.readUInt8(7);
  if (attempt < 1) return err('attempt');
  const index = buf.readUInt8(28);
  const count = buf.readUInt8(29);
  if (count < 1 || count > MAX_FRAGMENTS || index >= count) return err('fragment-index');
  const totalBytes = buf.readUInt16BE(30);
  const size = macAt - HEADER_BYTES;
  // Every fragment but the last is full; the sizes must add up to the total.
  const expected = index < count - 1 ? FRAGMENT_BYTES : totalBytes - FRAGMENT_BYTES * (count - 1);
  if (totalBytes > MAX_BODY_BYTES || size !== expected || totalBytes > FRAGMENT_BYTES * count)
    return err('fragment-size');
  return ok({
    kind,
    sender,
    attempt,
    boxId: buf.readUInt32BE(8),
    id: buf.subarray(12, 20).toString('hex'),
    sentAtMs: buf.readDoubleBE(20),
    index,
    count,
    totalBytes,
    bytes: new Uint8Array(buf.subarray(HEADER_BYTES, macAt)),
  });
}

/** A fresh request id: 64 random bits, so ids never repeat in practice. */
export function newRequestId(): string {
  return randomBytes(8).toString('hex');
}

/** A request or response as its JSON bytes; undefined when it cannot be written as JSON (a cycle, a BigInt). */
export function encodeBody(value: unknown): Uint8Array | undefined {
  try {
    const text = JSON.stringify(value);
    return typeof text === 'string' ? Buffer.from(text, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}
