// Config values turned into what the heartbeat needs: the box's u32 id on the
// wire (from the box name, so both controllers agree without another
// setting) and the HMAC key bytes.
import { createHash } from 'node:crypto';

export function boxNumber(boxId: string): number {
  return createHash('sha256').update(`tandem-box:${boxId}`).digest().readUInt32BE(0);
}

/** The config schema guarantees 64 hex digits; anything else is a bug upstream. */
export function keyBytes(hex: string): Uint8Array {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new RangeError('cluster key must be 64 hex digits');
  return new Uint8Array(Buffer.from(hex, 'hex'));
}
