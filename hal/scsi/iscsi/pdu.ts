// Basic Header Segment layout shared by every iSCSI PDU (RFC 7143 §11.2):
// 48-byte BHS, optional AHS (TotalAHSLength words), data segment padded to 4.

export const BHS_LENGTH = 48;

/** Opcodes the initiator sends. */
export const InitiatorOpcode = {
  NOP_OUT: 0x00,
  SCSI_COMMAND: 0x01,
  LOGIN_REQUEST: 0x03,
  DATA_OUT: 0x05,
  LOGOUT_REQUEST: 0x06,
} as const;
export type InitiatorOpcode = (typeof InitiatorOpcode)[keyof typeof InitiatorOpcode];

/** Opcodes the target sends that this initiator understands. */
export const TargetOpcode = {
  NOP_IN: 0x20,
  SCSI_RESPONSE: 0x21,
  LOGIN_RESPONSE: 0x23,
  DATA_IN: 0x25,
  LOGOUT_RESPONSE: 0x26,
  R2T: 0x31,
  ASYNC_MESSAGE: 0x32,
  REJECT: 0x3f,
} as const;
export type TargetOpcode = (typeof TargetOpcode)[keyof typeof TargetOpcode];

export const TARGET_OPCODES: ReadonlySet<number> = new Set(Object.values(TargetOpcode));
export const INITIATOR_OPCODES: ReadonlySet<number> = new Set(Object.values(InitiatorOpcode));

export const IMMEDIATE_BIT = 0x40;
export const OPCODE_MASK = 0x3f;
export const FINAL_BIT = 0x80;
/** "No task" / "no transfer tag" sentinel for ITT and TTT. */
export const RESERVED_TAG = 0xffffffff;

/** One whole PDU as cut from the byte stream; buffers are views, not copies. */
export interface RawPdu {
  readonly opcode: number;
  readonly immediate: boolean;
  readonly bhs: Buffer;
  readonly ahs: Buffer;
  /** Data segment without its padding. */
  readonly data: Buffer;
}

export function dataSegmentLength(bhs: Buffer): number {
  return (bhs[5]! << 16) | (bhs[6]! << 8) | bhs[7]!;
}

export function writeDataSegmentLength(bhs: Buffer, length: number): void {
  bhs[5] = (length >>> 16) & 0xff;
  bhs[6] = (length >>> 8) & 0xff;
  bhs[7] = length & 0xff;
}

/** Bytes of padding that follow a data segment of `length` bytes. */
export function padLength(length: number): number {
  return (4 - (length & 3)) & 3;
}

/** Total on-wire size of the PDU whose BHS this is. */
export function pduWireLength(bhs: Buffer): number {
  const dsl = dataSegmentLength(bhs);
  return BHS_LENGTH + bhs[4]! * 4 + dsl + padLength(dsl);
}

const PADDING: readonly Buffer[] = [Buffer.alloc(0), Buffer.alloc(1), Buffer.alloc(2), Buffer.alloc(3)];

/** The padding buffer for a data segment of `length` bytes (shared, never written). */
export function paddingFor(length: number): Buffer {
  return PADDING[padLength(length)]!;
}

/** Serial number arithmetic (RFC 1982, 32 bits): is a > b? */
export function serialGreater(a: number, b: number): boolean {
  return a !== b && (a - b) >>> 0 < 0x80000000;
}

/** LUN field: single-level peripheral addressing for LUN < 256, flat space up to 16383. */
export function encodeLun(lun: number, into: Buffer, offset: number): void {
  if (lun < 256) {
    into[offset] = 0;
    into[offset + 1] = lun;
  } else {
    into[offset] = 0x40 | ((lun >>> 8) & 0x3f);
    into[offset + 1] = lun & 0xff;
  }
}
