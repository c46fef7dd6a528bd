// HMAC-SHA256 under the per-box key, with a constant-time comparison so a
// forger cannot learn the tag byte by byte from response timing.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const MAC_BYTES = 32;
export const MIN_KEY_BYTES = 32;

/** Throws RangeError: the key comes from validated configuration, not the wire. */
export function assertBoxKey(key: Uint8Array): void {
  if (key.byteLength < MIN_KEY_BYTES) {
    throw new RangeError(`box key must be at least ${MIN_KEY_BYTES} bytes, got ${key.byteLength}`);
  }
}

export function macOf(key: Uint8Array, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac('sha256', key).update(data).digest());
}

export function macMatches(key: Uint8Array, data: Uint8Array, tag: Uint8Array): boolean {
  if (tag.byteLength !== MAC_BYTES) return false;
  return timingSafeEqual(macOf(key, data), tag);
}
