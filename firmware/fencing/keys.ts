// The persistent-reservation key scheme (docs/reservations.md):
//
//   byte 0..3  first 4 bytes of sha256(box id)   -> which box
//   byte 4     controller code, ASCII 'A' / 'B'  -> which controller
//   byte 5..7  session generation, 1..2^24-1     -> which registration
//
// The generation changes at every (re)registration, so an orphaned
// registration left by an earlier iSCSI session of ours has a key different
// from the live one and can be PREEMPTed without touching the live one
// (a PREEMPT removes every registration holding the victim key).
import { createHash } from 'node:crypto';
import type { ControllerId } from '../cluster/codes.ts';
import { controllerCode, controllerFromCode } from '../cluster/codes.ts';

export const MAX_GENERATION = 0xff_ffff;

/** Who a key on the LUN belongs to, seen from one controller. */
export type KeyOwner = 'ours' | 'peer' | 'foreign';

export interface DecodedKey {
  readonly prefix: number;
  /** undefined when byte 4 is not a controller code (a foreign key). */
  readonly controller: ControllerId | undefined;
  readonly generation: number;
}

/** 32-bit box prefix: the first 4 bytes of sha256(boxId). */
export function boxPrefix(boxId: string): number {
  if (typeof boxId !== 'string' || boxId.length === 0) {
    throw new RangeError('box id must be a non-empty string');
  }
  return createHash('sha256').update(boxId, 'utf8').digest().readUInt32BE(0);
}

export function makeKey(prefix: number, controller: ControllerId, generation: number): bigint {
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 0xffff_ffff) {
    throw new RangeError(`key prefix must be a u32, got ${prefix}`);
  }
  if (!Number.isInteger(generation) || generation < 1 || generation > MAX_GENERATION) {
    throw new RangeError(`key generation must be 1..${MAX_GENERATION}, got ${generation}`);
  }
  return (BigInt(prefix) << 32n) | (BigInt(controllerCode(controller)) << 24n) | BigInt(generation);
}

export function decodeKey(key: bigint): DecodedKey {
  return {
    prefix: Number((key >> 32n) & 0xffff_ffffn),
    controller: controllerFromCode(Number((key >> 24n) & 0xffn)),
    generation: Number(key & 0xff_ffffn),
  };
}

export function ownerOf(key: bigint, prefix: number, me: ControllerId): KeyOwner {
  const d = decodeKey(key);
  if (d.prefix !== prefix || d.controller === undefined || d.generation === 0) return 'foreign';
  return d.controller === me ? 'ours' : 'peer';
}

/**
 * The generation for our next registration: one past the highest of ours on
 * the LUN (and past `last`, the one we used before), wrapping 2^24-1 -> 1
 * and never reusing a generation still registered.
 */
export function nextGeneration(
  keysOnLun: readonly bigint[],
  prefix: number,
  me: ControllerId,
  last = 0,
): number {
  const inUse = new Set(
    keysOnLun.filter((k) => ownerOf(k, prefix, me) === 'ours').map((k) => decodeKey(k).generation),
  );
  let g = Math.max(last, ...inUse);
  do g = g >= MAX_GENERATION ? 1 : g + 1;
  while (inUse.has(g));
  return g;
}

/** 16 hex digits, as sg_persist prints keys. */
export function formatKey(key: bigint): string {
  return `0x${key.toString(16).padStart(16, '0')}`;
}
