// Pure encoding and decoding of struct sg_io_hdr (88 bytes). The worker writes
// these bytes straight into the native memory it hands to ioctl(SG_IO), so
// this file is the single place that knows the layout; no koffi, no I/O here.
import { endianness } from 'node:os';
import { SG_INTERFACE_ID, SG_IO_HDR_SIZE, SgDxfer, SgIoHdrOffset as O } from './constants.ts';
import { SgError } from './errors.ts';

// The struct is in native byte order; both targets (x86_64, aarch64) are LE.
const LE = endianness() === 'LE';

export interface SgIoRequestFields {
  readonly direction: SgDxfer;
  readonly cmdLen: number;
  readonly mxSbLen: number;
  readonly dxferLen: number;
  /** Native addresses of the data, CDB and sense buffers (0n for none). */
  readonly dxferp: bigint;
  readonly cmdp: bigint;
  readonly sbp: bigint;
  readonly timeoutMs: number;
  readonly flags: number;
  readonly packId: number;
}

export interface SgIoResultFields {
  readonly status: number;
  readonly maskedStatus: number;
  readonly msgStatus: number;
  readonly sbLenWr: number;
  readonly hostStatus: number;
  readonly driverStatus: number;
  readonly resid: number;
  readonly duration: number;
  readonly info: number;
}

const DIRECTIONS: readonly number[] = Object.values(SgDxfer);

function checkUint(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new SgError(
      'invalid-argument',
      'sg_io_hdr',
      `${name} must be an integer in 0..${max}, got ${value}`,
    );
  }
}

function checkPointer(name: string, value: bigint): void {
  if (value < 0n || value > 0xffff_ffff_ffff_ffffn) {
    throw new SgError('invalid-argument', 'sg_io_hdr', `${name} is not a 64-bit address`);
  }
}

/** Build the 88-byte header; writes into `into` when given (e.g. a koffi.view of native memory). */
export function encodeSgIoHdr(req: SgIoRequestFields, into?: Uint8Array): Uint8Array {
  if (!DIRECTIONS.includes(req.direction)) {
    throw new SgError(
      'invalid-argument',
      'sg_io_hdr',
      `dxfer_direction ${req.direction} is not NONE/TO_DEV/FROM_DEV`,
    );
  }
  checkUint('cmd_len', req.cmdLen, 0xff);
  checkUint('mx_sb_len', req.mxSbLen, 0xff);
  checkUint('dxfer_len', req.dxferLen, 0xffff_ffff);
  checkUint('timeout', req.timeoutMs, 0xffff_ffff);
  checkUint('flags', req.flags, 0xffff_ffff);
  if (!Number.isInteger(req.packId) || req.packId < -0x8000_0000 || req.packId > 0x7fff_ffff) {
    throw new SgError('invalid-argument', 'sg_io_hdr', `pack_id must be a 32-bit integer, got ${req.packId}`);
  }
  checkPointer('dxferp', req.dxferp);
  checkPointer('cmdp', req.cmdp);
  checkPointer('sbp', req.sbp);
  if (req.cmdp === 0n) throw new SgError('invalid-argument', 'sg_io_hdr', 'cmdp must point at the CDB');

  const buf = into ?? new Uint8Array(SG_IO_HDR_SIZE);
  if (buf.byteLength < SG_IO_HDR_SIZE) {
    throw new SgError(
      'invalid-argument',
      'sg_io_hdr',
      `header buffer is ${buf.byteLength} bytes, need ${SG_IO_HDR_SIZE}`,
    );
  }
  buf.fill(0, 0, SG_IO_HDR_SIZE); // iovec_count, usr_ptr and the output fields start at zero
  const v = new DataView(buf.buffer, buf.byteOffset, SG_IO_HDR_SIZE);
  v.setInt32(O.interface_id, SG_INTERFACE_ID, LE);
  v.setInt32(O.dxfer_direction, req.direction, LE);
  v.setUint8(O.cmd_len, req.cmdLen);
  v.setUint8(O.mx_sb_len, req.mxSbLen);
  v.setUint32(O.dxfer_len, req.dxferLen, LE);
  v.setBigUint64(O.dxferp, req.dxferp, LE);
  v.setBigUint64(O.cmdp, req.cmdp, LE);
  v.setBigUint64(O.sbp, req.sbp, LE);
  v.setUint32(O.timeout, req.timeoutMs, LE);
  v.setUint32(O.flags, req.flags, LE);
  v.setInt32(O.pack_id, req.packId, LE);
  return buf;
}

/** Read the fields the kernel filled in after SG_IO returned. */
export function decodeSgIoResult(hdr: Uint8Array): SgIoResultFields {
  if (hdr.byteLength < SG_IO_HDR_SIZE) {
    throw new SgError(
      'protocol',
      'sg_io_hdr',
      `result header is ${hdr.byteLength} bytes, need ${SG_IO_HDR_SIZE}`,
    );
  }
  const v = new DataView(hdr.buffer, hdr.byteOffset, SG_IO_HDR_SIZE);
  return {
    status: v.getUint8(O.status),
    maskedStatus: v.getUint8(O.masked_status),
    msgStatus: v.getUint8(O.msg_status),
    sbLenWr: v.getUint8(O.sb_len_wr),
    hostStatus: v.getUint16(O.host_status, LE),
    driverStatus: v.getUint16(O.driver_status, LE),
    resid: v.getInt32(O.resid, LE),
    duration: v.getUint32(O.duration, LE),
    info: v.getUint32(O.info, LE),
  };
}
