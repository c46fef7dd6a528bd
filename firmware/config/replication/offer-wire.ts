// The config offer on the wire: one controller's box-wide config, deflated,
// cut into fragments that each fit one private-link datagram (the datagram
// contract caps them at 1400 bytes), each fragment signed on its own with
// the box's heartbeat key. Layout (big-endian), see docs/heartbeat.md:
//
//   0  "TDCF"            4  format 1        5  sender 'A'/'B'
//   6  box id u32       10  offer id u32   14  configVersion u32
//  18  shared hash (32) 50  index u16      52  count u16
//  54  total deflated length u32           58  fragment bytes ... HMAC-SHA256 (32)
//
// Every fragment repeats version and hash, so a receiver can judge an offer
// (older, same, conflicting) from any one fragment without reassembling it.
import { randomBytes } from 'node:crypto';
import { controllerCode, controllerFromCode, type ControllerId } from '../../cluster/codes.ts';
import { MAC_BYTES, macMatches, macOf } from '../../cluster/hmac.ts';
import { err, ok, type Result } from '../../core/result.ts';
import { MAX_DATAGRAM_BYTES } from '../../../hal/net/datagram.ts';

export const OFFER_MAGIC = Buffer.from('TDCF', 'ascii');
export const OFFER_FORMAT = 1;
const HEADER_BYTES = 58;
/** Fragment payload so that header + payload + MAC fits one datagram. */
export const FRAGMENT_BYTES = MAX_DATAGRAM_BYTES - HEADER_BYTES - MAC_BYTES;
/** 256 KiB of config deflates far below this; more is refused, not reassembled. */
export const MAX_FRAGMENTS = 256;
export const MAX_VERSION = 0xffff_ffff;

export interface OfferHeader {
  readonly sender: ControllerId;
  readonly boxId: number;
  readonly offerId: number;
  readonly version: number;
  /** sha256 hex of the box-wide content (replication/shared-fields.ts). */
  readonly hash: string;
  readonly index: number;
  readonly count: number;
  readonly totalBytes: number;
}

export interface OfferFragment extends OfferHeader {
  readonly bytes: Uint8Array;
}

export type OfferDecodeError =
  'short' | 'magic' | 'format' | 'mac' | 'sender' | 'fragment-index' | 'fragment-size';

/** Cuts a deflated offer into signed datagrams. */
export function encodeOffer(
  header: Omit<OfferHeader, 'index' | 'count' | 'totalBytes'>,
  deflated: Uint8Array,
  key: Uint8Array,
): Uint8Array[] {
  if (!Number.isInteger(header.version) || header.version < 0 || header.version > MAX_VERSION)
    throw new RangeError(`configVersion ${header.version} does not fit an offer`);
  if (!/^[0-9a-f]{64}$/.test(header.hash)) throw new RangeError('hash must be 64 hex digits');
  const count = Math.max(1, Math.ceil(deflated.byteLength / FRAGMENT_BYTES));
  if (count > MAX_FRAGMENTS) throw new RangeError(`config too large for an offer (${count} fragments)`);
  const out: Uint8Array[] = [];
  for (let index = 0; index < count; index++) {
    const part = deflated.subarray(index * FRAGMENT_BYTES, (index + 1) * FRAGMENT_BYTES);
    const buf = Buffer.alloc(HEADER_BYTES + part.byteLength + MAC_BYTES);
    OFFER_MAGIC.copy(buf, 0);
    buf.writeUInt8(OFFER_FORMAT, 4);
    buf.writeUInt8(controllerCode(header.sender), 5);
    buf.writeUInt32BE(header.boxId >>> 0, 6);
    buf.writeUInt32BE(header.offerId >>> 0, 10);
    buf.writeUInt32BE(header.version, 14);
    Buffer.from(header.hash, 'hex').copy(buf, 18);
    buf.writeUInt16BE(index, 50);
    buf.writeUInt16BE(count, 52);
    buf.writeUInt32BE(deflated.byteLength, 54);
    buf.set(part, HEADER_BYTES);
    const signed = buf.subarray(0, HEADER_BYTES + part.byteLength);
    buf.set(macOf(key, signed), HEADER_BYTES + part.byteLength);
    out.push(new Uint8Array(buf));
  }
  return out;
}

/** Checks the MAC before believing any field; untrusted bytes never throw. */
export function decodeOfferFragment(
  bytes: Uint8Array,
  key: Uint8Array,
): Result<OfferFragment, OfferDecodeError> {
  if (bytes.byteLength < HEADER_BYTES + MAC_BYTES) return err('short');
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!buf.subarray(0, 4).equals(OFFER_MAGIC)) return err('magic');
  if (buf.readUInt8(4) !== OFFER_FORMAT) return err('format');
  const macAt = buf.byteLength - MAC_BYTES;
  if (!macMatches(key, buf.subarray(0, macAt), buf.subarray(macAt))) return err('mac');
  const sender = controllerFromCode(buf.readUInt8(5));
  if (sender === undefined) return err('sender');
  const index = buf.readUInt16BE(50);
  const count = buf.readUInt16BE(52);
  if (count < 1 || count > MAX_FRAGMENTS || index >= count) return err('fragment-index');
  const totalBytes = buf.readUInt32BE(54);
  const size = macAt - HEADER_BYTES;
  // Every fragment but the last is full; the sizes must add up to the total.
  const expected = index < count - 1 ? FRAGMENT_BYTES : totalBytes - FRAGMENT_BYTES * (count - 1);
  if (size !== expected || totalBytes > FRAGMENT_BYTES * count) return err('fragment-size');
  return ok({
    sender,
    boxId: buf.readUInt32BE(6),
    offerId: buf.readUInt32BE(10),
    version: buf.readUInt32BE(14),
    hash: buf.subarray(18, 50).toString('hex'),
    index,
    count,
    totalBytes,
    bytes: new Uint8Array(buf.subarray(HEADER_BYTES, macAt)),
  });
}

/** A fresh offer id (fragments of different offers never mix). */
export function newOfferId(): number {
  return randomBytes(4).readUInt32BE(0);
}
