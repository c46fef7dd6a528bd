// PERSISTENT RESERVE IN (SPC-4 6.15): READ KEYS, READ RESERVATION,
// REPORT CAPABILITIES. Fencing decisions hang on these answers, so every
// length field is checked against the bytes actually returned.
import { FieldReader, checkUint, putU16 } from '../field-reader.ts';
import { Opcode } from './opcodes.ts';
import type { PrInAction, PrType } from './pr-types.ts';
import { isPrType } from './pr-types.ts';

export function prInCdb(action: PrInAction, allocationLength: number): Uint8Array {
  checkUint('PERSISTENT RESERVE IN', 'service action', action, 0x1f);
  checkUint('PERSISTENT RESERVE IN', 'allocation length', allocationLength, 0xffff);
  const cdb = new Uint8Array(10);
  cdb[0] = Opcode.PERSISTENT_RESERVE_IN;
  cdb[1] = action;
  putU16(cdb, 7, allocationLength);
  return cdb;
}

/** Bytes the READ KEYS / READ RESERVATION answer says it needs (8-byte header + additional length). */
export function prInTotalLength(data: Uint8Array): number {
  return 8 + new FieldReader('PERSISTENT RESERVE IN', data).u32(4, 'additional length');
}

export interface ReadKeys {
  readonly generation: number;
  readonly keys: bigint[];
}

export function parseReadKeys(data: Uint8Array): ReadKeys {
  const r = new FieldReader('READ KEYS', data);
  const generation = r.u32(0, 'PRgeneration');
  const length = r.u32(4, 'additional length');
  if (length % 8 !== 0) r.fail('additional length', `${length} is not a multiple of 8`);
  if (8 + length > data.length)
    r.fail('additional length', `${length} exceeds the ${data.length - 8} bytes returned`);
  const keys: bigint[] = [];
  for (let off = 8; off < 8 + length; off += 8) keys.push(r.u64(off, 'reservation key'));
  return { generation, keys };
}

export interface Reservation {
  readonly key: bigint;
  readonly scope: number;
  readonly type: PrType;
}

export interface ReadReservation {
  readonly generation: number;
  /** Null when no persistent reservation is held. */
  readonly reservation: Reservation | null;
}

export function parseReadReservation(data: Uint8Array): ReadReservation {
  const r = new FieldReader('READ RESERVATION', data);
  const generation = r.u32(0, 'PRgeneration');
  const length = r.u32(4, 'additional length');
  if (length === 0) return { generation, reservation: null };
  if (length !== 16) r.fail('additional length', `${length}, expected 0 or 16`);
  r.need(0, 24, 'reservation descriptor');
  const scopeType = r.u8(21, 'scope/type');
  const rawType = scopeType & 0x0f;
  const type = isPrType(rawType)
    ? rawType
    : r.fail('type', `${rawType} is not a persistent reservation type`);
  return { generation, reservation: { key: r.u64(8, 'reservation key'), scope: scopeType >> 4, type } };
}

export interface PrCapabilities {
  /** Replace lost reservation capable. */
  readonly rlrC: boolean;
  /** Compatible reservation handling. */
  readonly crh: boolean;
  /** Specify initiator ports capable. */
  readonly sipC: boolean;
  /** All target ports capable. */
  readonly atpC: boolean;
  /** Persist through power loss capable / activated. */
  readonly ptplC: boolean;
  readonly ptplA: boolean;
  /** Type mask valid. */
  readonly tmv: boolean;
  readonly allowCommands: number;
  /** Reservation types the device supports (only meaningful when tmv). */
  readonly types: PrType[];
}

const TYPE_MASK: readonly (readonly [number, PrType])[] = [
  [0x8000, 7], // WR_EX_AR
  [0x4000, 6], // EX_AC_RO
  [0x2000, 5], // WR_EX_RO
  [0x0800, 3], // EX_AC
  [0x0200, 1], // WR_EX
  [0x0001, 8], // EX_AC_AR
];

export function parseReportCapabilities(data: Uint8Array): PrCapabilities {
  const r = new FieldReader('REPORT CAPABILITIES', data);
  const length = r.u16(0, 'length');
  if (length < 8) r.fail('length', `${length}, expected 8`);
  r.need(0, 8, 'capabilities');
  const b2 = r.u8(2, 'capability flags');
  const b3 = r.u8(3, 'capability flags');
  const mask = r.u16(4, 'persistent reservation type mask');
  return {
    rlrC: (b2 & 0x80) !== 0,
    crh: (b2 & 0x10) !== 0,
    sipC: (b2 & 0x08) !== 0,
    atpC: (b2 & 0x04) !== 0,
    ptplC: (b2 & 0x01) !== 0,
    tmv: (b3 & 0x80) !== 0,
    allowCommands: (b3 >> 4) & 0x07,
    ptplA: (b3 & 0x01) !== 0,
    types: TYPE_MASK.filter(([bit]) => (mask & bit) !== 0)
      .map(([, t]) => t)
      .sort((a, b) => a - b),
  };
}
