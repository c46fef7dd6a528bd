// The sim kernel's reading of a struct sg_io_hdr (REFERENCE section 5): every
// one of its 88 bytes is accounted for, either as a field checked the way
// drivers/scsi/sg.c checks it (with the errno sg.c returns) or, stricter than
// the kernel, as something our driver must never send: iovecs, flags, a
// zero timeout (the kernel would silently use 60 s), a usr_ptr, or non-zero
// padding and output bytes (the encoder must zero them, or a failed ioctl
// would leave stale results to be decoded). Pure: no native memory here.
import { constants } from 'node:os';
import type { SgIoRequestFields } from './header.ts';
import { SG_INTERFACE_ID, SG_IO_HDR_SIZE, SgDxfer, SgIoHdrOffset as O, SgLimits } from './constants.ts';

const E = constants.errno;

/** The request half of the header, as the kernel would use it (our driver sends no flags). */
export type SgHeaderFields = Omit<SgIoRequestFields, 'flags'>;

export type SgHeaderCheck =
  | { readonly ok: true; readonly fields: SgHeaderFields }
  | { readonly ok: false; readonly errno: number; readonly problem: string };

/** Padding after pack_id: the int at 48 is followed by the 8-aligned usr_ptr at 56. */
const PADDING = { from: O.pack_id + 4, to: O.usr_ptr } as const;

function refuse(errno: number, problem: string): SgHeaderCheck {
  return { ok: false, errno, problem };
}

function zeroRange(raw: Uint8Array, from: number, to: number, what: string): string | undefined {
  for (let i = from; i < to; i++) {
    if (raw[i] !== 0) return `${what}: byte ${i} is 0x${raw[i]!.toString(16)}, must be 0`;
  }
  return undefined;
}

export function checkSgIoHdr(raw: Uint8Array): SgHeaderCheck {
  if (raw.byteLength !== SG_IO_HDR_SIZE) {
    return refuse(E.EINVAL, `header is ${raw.byteLength} bytes, not ${SG_IO_HDR_SIZE}`);
  }
  // Native byte order; both targets (x86_64, aarch64) are little-endian.
  const v = new DataView(raw.buffer, raw.byteOffset, SG_IO_HDR_SIZE);
  const interfaceId = v.getInt32(O.interface_id, true);
  if (interfaceId !== SG_INTERFACE_ID) {
    return refuse(E.ENOSYS, `interface_id at 0 is 0x${interfaceId.toString(16)}, not 'S' (0x53)`);
  }
  const flags = v.getUint32(O.flags, true);
  if (flags !== 0) return refuse(E.EINVAL, `flags at 44 are 0x${flags.toString(16)}; our driver uses none`);
  const cmdLen = v.getUint8(O.cmd_len);
  const cmdp = v.getBigUint64(O.cmdp, true);
  if (cmdp === 0n || cmdLen < SgLimits.MIN_CDB || cmdLen > SgLimits.MAX_CDB) {
    return refuse(E.EMSGSIZE, `cmd_len at 8 is ${cmdLen} with cmdp ${cmdp === 0n ? 'NULL' : 'set'}`);
  }
  const direction = v.getInt32(O.dxfer_direction, true);
  if (direction !== SgDxfer.NONE && direction !== SgDxfer.TO_DEV && direction !== SgDxfer.FROM_DEV) {
    return refuse(E.EINVAL, `dxfer_direction at 4 is ${direction}, not NONE/TO_DEV/FROM_DEV`);
  }
  const iovecCount = v.getUint16(O.iovec_count, true);
  if (iovecCount !== 0)
    return refuse(E.EINVAL, `iovec_count at 10 is ${iovecCount}; our driver never scatters`);
  const dxferLen = v.getUint32(O.dxfer_len, true);
  const dxferp = v.getBigUint64(O.dxferp, true);
  if (direction === SgDxfer.NONE) {
    if (dxferLen !== 0 || dxferp !== 0n) {
      return refuse(
        E.EINVAL,
        `direction NONE with dxfer_len ${dxferLen} and dxferp ${dxferp === 0n ? 'NULL' : 'set'}`,
      );
    }
  } else {
    if (dxferLen < 1 || dxferLen > SgLimits.MAX_TRANSFER) {
      return refuse(E.EINVAL, `dxfer_len at 12 is ${dxferLen}, outside 1..${SgLimits.MAX_TRANSFER}`);
    }
    if (dxferp === 0n) return refuse(E.EFAULT, `dxferp at 16 is NULL for ${dxferLen} bytes`);
  }
  const mxSbLen = v.getUint8(O.mx_sb_len);
  const sbp = v.getBigUint64(O.sbp, true);
  if (mxSbLen > 0 && sbp === 0n) return refuse(E.EFAULT, `sbp at 32 is NULL with mx_sb_len ${mxSbLen}`);
  if (mxSbLen === 0 && sbp !== 0n) return refuse(E.EINVAL, 'sbp at 32 is set but mx_sb_len at 9 is 0');
  const timeoutMs = v.getUint32(O.timeout, true);
  if (timeoutMs === 0) return refuse(E.EINVAL, 'timeout at 40 is 0: the kernel would wait its default 60 s');
  const usrPtr = v.getBigUint64(O.usr_ptr, true);
  if (usrPtr !== 0n) return refuse(E.EINVAL, 'usr_ptr at 56 is set; our driver never uses it');
  const dirty =
    zeroRange(raw, PADDING.from, PADDING.to, 'padding after pack_id') ??
    zeroRange(raw, O.status, SG_IO_HDR_SIZE, 'output fields');
  if (dirty !== undefined) return refuse(E.EINVAL, dirty);
  return {
    ok: true,
    fields: {
      direction,
      cmdLen,
      mxSbLen,
      dxferLen,
      dxferp,
      cmdp,
      sbp,
      timeoutMs,
      packId: v.getInt32(O.pack_id, true),
    },
  };
}
