// Encoders for the PDUs the initiator sends. Each returns the wire segments
// (BHS, data, padding) so the caller can write them corked without copying
// the caller's data buffer into a new one.
import {
  BHS_LENGTH,
  FINAL_BIT,
  IMMEDIATE_BIT,
  InitiatorOpcode,
  RESERVED_TAG,
  encodeLun,
  paddingFor,
  writeDataSegmentLength,
} from './pdu.ts';

export const LoginStage = {
  SECURITY: 0,
  OPERATIONAL: 1,
  FULL_FEATURE: 3,
} as const;
export type LoginStage = (typeof LoginStage)[keyof typeof LoginStage];

function newBhs(opcodeByte: number, flags: number): Buffer {
  // From Node's pool rather than a fresh (on-heap) ArrayBuffer that the socket
  // write would first have to move off-heap; zeroed here.
  const bhs = Buffer.allocUnsafe(BHS_LENGTH).fill(0);
  bhs[0] = opcodeByte;
  bhs[1] = flags;
  return bhs;
}

function withData(bhs: Buffer, data: Uint8Array | undefined): Buffer[] {
  if (data === undefined || data.length === 0) return [bhs];
  writeDataSegmentLength(bhs, data.length);
  const view = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.length);
  const pad = paddingFor(data.length);
  return pad.length === 0 ? [bhs, view] : [bhs, view, pad];
}

export interface LoginRequestFields {
  readonly transit: boolean;
  readonly csg: LoginStage;
  readonly nsg: LoginStage;
  /** 6 bytes. */
  readonly isid: Uint8Array;
  readonly tsih: number;
  readonly itt: number;
  readonly cid: number;
  readonly cmdSN: number;
  readonly expStatSN: number;
  readonly text: Buffer;
}

export function encodeLoginRequest(f: LoginRequestFields): Buffer[] {
  const flags = (f.transit ? 0x80 : 0) | (f.csg << 2) | (f.transit ? f.nsg : 0);
  const bhs = newBhs(IMMEDIATE_BIT | InitiatorOpcode.LOGIN_REQUEST, flags);
  // VersionMax and VersionMin are both 0 (RFC 7143 has one version).
  bhs.set(f.isid.subarray(0, 6), 8);
  bhs.writeUInt16BE(f.tsih, 14);
  bhs.writeUInt32BE(f.itt >>> 0, 16);
  bhs.writeUInt16BE(f.cid, 20);
  bhs.writeUInt32BE(f.cmdSN >>> 0, 24);
  bhs.writeUInt32BE(f.expStatSN >>> 0, 28);
  return withData(bhs, f.text);
}

export const TaskAttribute = { UNTAGGED: 0, SIMPLE: 1, ORDERED: 2, HEAD_OF_QUEUE: 3, ACA: 4 } as const;

export interface ScsiCommandFields {
  readonly read: boolean;
  readonly write: boolean;
  /** F bit: no unsolicited Data-Out follows this PDU. */
  readonly final: boolean;
  readonly lun: number;
  readonly itt: number;
  readonly expectedDataTransferLength: number;
  readonly cmdSN: number;
  readonly expStatSN: number;
  readonly cdb: Uint8Array;
  readonly immediateData?: Uint8Array;
}

export function encodeScsiCommand(f: ScsiCommandFields): Buffer[] {
  const flags = (f.final ? FINAL_BIT : 0) | (f.read ? 0x40 : 0) | (f.write ? 0x20 : 0) | TaskAttribute.SIMPLE;
  const bhs = newBhs(InitiatorOpcode.SCSI_COMMAND, flags);
  encodeLun(f.lun, bhs, 8);
  bhs.writeUInt32BE(f.itt >>> 0, 16);
  bhs.writeUInt32BE(f.expectedDataTransferLength >>> 0, 20);
  bhs.writeUInt32BE(f.cmdSN >>> 0, 24);
  bhs.writeUInt32BE(f.expStatSN >>> 0, 28);
  // CDBs longer than 16 bytes need an extended-CDB AHS, which tgt's subset does not use.
  bhs.set(f.cdb, 32);
  return withData(bhs, f.immediateData);
}

export interface DataOutFields {
  readonly final: boolean;
  readonly lun: number;
  readonly itt: number;
  readonly ttt: number;
  readonly expStatSN: number;
  readonly dataSN: number;
  readonly bufferOffset: number;
  readonly data: Uint8Array;
}

export function encodeDataOut(f: DataOutFields): Buffer[] {
  const bhs = newBhs(InitiatorOpcode.DATA_OUT, f.final ? FINAL_BIT : 0);
  encodeLun(f.lun, bhs, 8);
  bhs.writeUInt32BE(f.itt >>> 0, 16);
  bhs.writeUInt32BE(f.ttt >>> 0, 20);
  bhs.writeUInt32BE(f.expStatSN >>> 0, 28);
  bhs.writeUInt32BE(f.dataSN >>> 0, 36);
  bhs.writeUInt32BE(f.bufferOffset >>> 0, 40);
  return withData(bhs, f.data);
}

export interface NopOutFields {
  /** RESERVED_TAG when answering a target ping. */
  readonly itt: number;
  readonly ttt: number;
  /** The 8-byte LUN field, copied from the NOP-In being answered. */
  readonly lunField: Uint8Array;
  readonly cmdSN: number;
  readonly expStatSN: number;
  /** A ping answer echoes the NOP-In's data. */
  readonly data?: Uint8Array;
}

export function encodeNopOut(f: NopOutFields): Buffer[] {
  // A NOP-Out that answers a ping (ITT reserved) must be immediate and does not advance CmdSN.
  const opcodeByte = InitiatorOpcode.NOP_OUT | (f.itt === RESERVED_TAG ? IMMEDIATE_BIT : 0);
  const bhs = newBhs(opcodeByte, FINAL_BIT);
  bhs.set(f.lunField.subarray(0, 8), 8);
  bhs.writeUInt32BE(f.itt >>> 0, 16);
  bhs.writeUInt32BE(f.ttt >>> 0, 20);
  bhs.writeUInt32BE(f.cmdSN >>> 0, 24);
  bhs.writeUInt32BE(f.expStatSN >>> 0, 28);
  return withData(bhs, f.data);
}

export const LogoutReason = { CLOSE_SESSION: 0, CLOSE_CONNECTION: 1 } as const;

export interface LogoutRequestFields {
  readonly itt: number;
  readonly cid: number;
  readonly cmdSN: number;
  readonly expStatSN: number;
}

export function encodeLogoutRequest(f: LogoutRequestFields): Buffer[] {
  const bhs = newBhs(IMMEDIATE_BIT | InitiatorOpcode.LOGOUT_REQUEST, FINAL_BIT | LogoutReason.CLOSE_SESSION);
  bhs.writeUInt32BE(f.itt >>> 0, 16);
  bhs.writeUInt16BE(f.cid, 20);
  bhs.writeUInt32BE(f.cmdSN >>> 0, 24);
  bhs.writeUInt32BE(f.expStatSN >>> 0, 28);
  return [bhs];
}
