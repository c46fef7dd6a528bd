// The witness area on the shared LUN, in the spirit of sbd: a header sector,
// one heartbeat slot per controller and one mailbox per controller, each a
// single 512-byte sector written on its own (WRITE(16) with FUA), so a torn
// write can only damage the one sector being written, and its CRC says so.
// Byte layouts: docs/heartbeat.md. I/O is done elsewhere; this is pure.
import { WireReader, WireWriter, allZero, isSafeU64, isU32 } from './wire-io.ts';
import { controllerCode, controllerFromCode, type ControllerId } from './codes.ts';
import { MAC_BYTES, assertBoxKey, macMatches, macOf } from './hmac.ts';
import { MAX_HEARTBEAT_BYTES, MIN_HEARTBEAT_BYTES } from './message.ts';
import { ok, type Result } from '../core/result.ts';
import { openSector, sealSector, sectorFieldError, type SectorError } from './sector.ts';

export const WITNESS_LAYOUT_VERSION = 1;
export const WITNESS_SLOT_COUNT = 2;
/** header + 2 slots + 2 mailboxes */
export const WITNESS_SECTOR_COUNT = 5;

const HEADER_MAGIC = Uint8Array.from('TDWITNES', (c) => c.charCodeAt(0));
const SLOT_MAGIC = Uint8Array.from('TDSL', (c) => c.charCodeAt(0));
const MAILBOX_MAGIC = Uint8Array.from('TDMB', (c) => c.charCodeAt(0));
const MAX_LBA = 0xffff_ffff_ffff_ffffn;

// ---- where each sector lives ---------------------------------------------

export interface WitnessArea {
  /** First LBA of the configured range on the shared LUN (512-byte sectors). */
  readonly baseLba: bigint;
  /** Length of the configured range, in sectors. */
  readonly sectorCount: bigint;
}

export type WitnessSector =
  | { readonly kind: 'header' }
  | { readonly kind: 'slot'; readonly controller: ControllerId }
  | { readonly kind: 'mailbox'; readonly controller: ControllerId };

/** Throws RangeError: the area comes from validated configuration. */
export function witnessLba(area: WitnessArea, sector: WitnessSector): bigint {
  if (area.baseLba < 0n || area.sectorCount < BigInt(WITNESS_SECTOR_COUNT)) {
    throw new RangeError(`witness area needs base >= 0 and at least ${WITNESS_SECTOR_COUNT} sectors`);
  }
  if (area.baseLba + area.sectorCount - 1n > MAX_LBA) throw new RangeError('witness area beyond 64-bit LBA');
  const index = (c: ControllerId): bigint => (c === 'A' ? 0n : 1n);
  switch (sector.kind) {
    case 'header':
      return area.baseLba;
    case 'slot':
      return area.baseLba + 1n + index(sector.controller);
    case 'mailbox':
      return area.baseLba + 1n + BigInt(WITNESS_SLOT_COUNT) + index(sector.controller);
  }
}

// ---- header ---------------------------------------------------------------

export interface WitnessHeader {
  readonly boxId: number;
  readonly intervalMs: number;
  readonly deadtimeMs: number;
  /** 16 random bytes chosen when the area is formatted. */
  readonly uuid: Uint8Array;
}

export function encodeWitnessHeader(h: WitnessHeader): Uint8Array {
  if (!isU32(h.boxId) || !isU32(h.intervalMs) || !isU32(h.deadtimeMs) || h.uuid.byteLength !== 16) {
    throw new RangeError('witness header field out of range');
  }
  const w = new WireWriter()
    .bytes(HEADER_MAGIC)
    .u8(WITNESS_LAYOUT_VERSION)
    .u8(WITNESS_SLOT_COUNT)
    .u16(512)
    .u32(h.boxId)
    .u32(h.intervalMs)
    .u32(h.deadtimeMs)
    .bytes(h.uuid);
  return sealSector(w.finish());
}

const HEADER_BODY_BYTES = 40;

export function decodeWitnessHeader(sector: Uint8Array): Result<WitnessHeader, SectorError> {
  const opened = openSector(sector, HEADER_MAGIC, WITNESS_LAYOUT_VERSION);
  if (!opened.ok) return opened;
  const r = new WireReader(opened.value);
  r.bytes(HEADER_MAGIC.byteLength + 1, 'magic+version');
  const slotCount = r.u8('slotCount');
  if (slotCount !== WITNESS_SLOT_COUNT) return sectorFieldError('slotCount', `${slotCount}, expected 2`);
  const sectorSize = r.u16('sectorSize');
  if (sectorSize !== 512) return sectorFieldError('sectorSize', `${sectorSize}, expected 512`);
  const boxId = r.u32('boxId');
  const intervalMs = r.u32('intervalMs');
  const deadtimeMs = r.u32('deadtimeMs');
  if (intervalMs < 1 || deadtimeMs <= intervalMs) {
    return sectorFieldError('deadtimeMs', `interval ${intervalMs} / deadtime ${deadtimeMs} inconsistent`);
  }
  const uuid = r.bytes(16, 'uuid').slice();
  if (allZero(uuid)) return sectorFieldError('uuid', 'all zeros');
  if (!allZero(opened.value.subarray(HEADER_BODY_BYTES))) return sectorFieldError('padding', 'not zero');
  return ok({ boxId, intervalMs, deadtimeMs, uuid });
}

// ---- heartbeat slot ---------------------------------------------------------

export interface WitnessSlot {
  readonly controller: ControllerId;
  /** The signed heartbeat; authenticate it with decodeHeartbeat before use. */
  readonly message: Uint8Array;
}

const SLOT_HEADER_BYTES = 8;

export function encodeWitnessSlot(slot: WitnessSlot): Uint8Array {
  const n = slot.message.byteLength;
  if (n < MIN_HEARTBEAT_BYTES || n > MAX_HEARTBEAT_BYTES) throw new RangeError(`slot message of ${n} bytes`);
  const w = new WireWriter()
    .bytes(SLOT_MAGIC)
    .u8(WITNESS_LAYOUT_VERSION)
    .u8(controllerCode(slot.controller))
    .u16(n)
    .bytes(slot.message);
  return sealSector(w.finish());
}

/** `owner` is the controller whose slot was read: a mismatch means a misplaced write. */
export function decodeWitnessSlot(sector: Uint8Array, owner: ControllerId): Result<WitnessSlot, SectorError> {
  const opened = openSector(sector, SLOT_MAGIC, WITNESS_LAYOUT_VERSION);
  if (!opened.ok) return opened;
  const r = new WireReader(opened.value);
  r.bytes(SLOT_MAGIC.byteLength + 1, 'magic+version');
  const controller = controllerFromCode(r.u8('controller'));
  if (controller !== owner) return sectorFieldError('controller', `slot of ${owner} holds another id`);
  const n = r.u16('length');
  if (n < MIN_HEARTBEAT_BYTES || n > MAX_HEARTBEAT_BYTES) return sectorFieldError('length', `${n} bytes`);
  const message = r.bytes(n, 'message').slice();
  if (!allZero(opened.value.subarray(SLOT_HEADER_BYTES + n))) return sectorFieldError('padding', 'not zero');
  return ok({ controller, message });
}

// ---- mailbox ------------------------------------------------------------------

export const MAILBOX_COMMANDS = ['fence-self', 'clear', 'test'] as const;
export type MailboxCommand = (typeof MAILBOX_COMMANDS)[number];

export interface MailboxMessage {
  /** The controller whose mailbox this is (who must obey). */
  readonly to: ControllerId;
  readonly from: ControllerId;
  readonly cmd: MailboxCommand;
  readonly boxId: number;
  /** Strictly increasing per sender; the reader refuses a seq it has seen. */
  readonly seq: number;
}

const MAILBOX_SIGNED_BYTES = 20;

export function encodeMailbox(m: MailboxMessage, key: Uint8Array): Uint8Array {
  assertBoxKey(key);
  if (!isU32(m.boxId) || !isSafeU64(m.seq)) throw new RangeError('mailbox field out of range');
  const signed = new WireWriter()
    .bytes(MAILBOX_MAGIC)
    .u8(WITNESS_LAYOUT_VERSION)
    .u8(controllerCode(m.to))
    .u8(MAILBOX_COMMANDS.indexOf(m.cmd) + 1)
    .u8(controllerCode(m.from))
    .u32(m.boxId)
    .u64(BigInt(m.seq))
    .finish();
  return sealSector(new WireWriter().bytes(signed).bytes(macOf(key, signed)).finish());
}

export function decodeMailbox(
  sector: Uint8Array,
  owner: ControllerId,
  key: Uint8Array,
): Result<MailboxMessage, SectorError> {
  const opened = openSector(sector, MAILBOX_MAGIC, WITNESS_LAYOUT_VERSION);
  if (!opened.ok) return opened;
  const body = opened.value;
  const signed = body.subarray(0, MAILBOX_SIGNED_BYTES);
  // A fence-self order is obeyed by rebooting: only the box key may issue it.
  if (!macMatches(key, signed, body.subarray(MAILBOX_SIGNED_BYTES, MAILBOX_SIGNED_BYTES + MAC_BYTES))) {
    return { ok: false, error: { code: 'bad-mac', detail: 'mailbox HMAC does not match' } };
  }
  const r = new WireReader(signed);
  r.bytes(MAILBOX_MAGIC.byteLength + 1, 'magic+version');
  const to = controllerFromCode(r.u8('to'));
  if (to !== owner) return sectorFieldError('to', `mailbox of ${owner} addressed elsewhere`);
  const cmd = MAILBOX_COMMANDS[r.u8('cmd') - 1];
  if (cmd === undefined) return sectorFieldError('cmd', 'unknown command');
  const from = controllerFromCode(r.u8('from'));
  if (from === undefined) return sectorFieldError('from', 'not A or B');
  const boxId = r.u32('boxId');
  const seq = r.u64('seq');
  if (seq > BigInt(Number.MAX_SAFE_INTEGER)) return sectorFieldError('seq', 'above 2^53-1');
  if (!allZero(body.subarray(MAILBOX_SIGNED_BYTES + MAC_BYTES)))
    return sectorFieldError('padding', 'not zero');
  return ok({ to, from, cmd, boxId, seq: Number(seq) });
}
