// A stand-in for the kernel's sg driver, for tests without /dev/sg*. It
// replaces only the system calls (ioctl, and open/close of the node), so the
// real worker loop, native buffers, header encoding and result decoding all
// run. Like sg.c it reads the sg_io_hdr from user memory and checks it
// (sim-check.ts: every byte), copies the CDB from cmdp and data-out from
// dxferp, has the command executed (by SimSgHost's target, over the line),
// then writes data-in to dxferp, sense to sbp and the output fields (status,
// masked_status, sb_len_wr, host/driver status, resid, duration, info) back
// into the header, or fails the ioctl with an errno.
import koffi from 'koffi';
import { constants } from 'node:os';
import { ScsiStatus } from '../device.ts';
import {
  DidStatus,
  DriverStatus,
  SG_IO,
  SG_IO_HDR_SIZE,
  SgDxfer,
  SgInfo,
  SgIoHdrOffset as O,
} from './constants.ts';
import { checkSgIoHdr, type SgHeaderFields } from './sim-check.ts';
import type { SimOpenAnswer, SimSgAnswer, SimSgCommand } from './sim-wire.ts';
import type { SgSyscalls } from './worker-loop.ts';

const E = constants.errno;

/** The kernel's view of the target: synchronous, as the ioctl is. */
export interface SimSgLine {
  open(path: string): SimOpenAnswer;
  /** Answers within cmd.timeoutMs; past it the line answers DID_TIME_OUT itself. */
  command(fd: number, cmd: SimSgCommand): SimSgAnswer;
  close(fd: number): void;
  /** A header our driver should never have produced; the host records it for the tests. */
  violation(problem: string, header: Uint8Array): void;
}

function errnoName(errno: number): string {
  for (const [name, value] of Object.entries(E)) if (value === errno) return name;
  return `E${errno}`;
}

/** An error shaped like node:fs's, so the worker loop reads its errno the same way. */
function errnoError(errno: number, syscall: string, path: string): Error {
  const code = errnoName(errno);
  return Object.assign(new Error(`${code}: ${syscall} '${path}' (sim)`), {
    code,
    errno: -errno,
    syscall,
    path,
  });
}

/** ioctl's failure, as libc reports it: -1 with errno set. */
function fail(errno: number): number {
  koffi.errno(errno);
  return -1;
}

function copyIn(address: bigint, length: number): Uint8Array {
  return new Uint8Array(koffi.view(address, length)).slice();
}

function copyOut(address: bigint, bytes: Uint8Array): void {
  if (bytes.length > 0) new Uint8Array(koffi.view(address, bytes.length)).set(bytes);
}

function addressOf(arg: unknown): bigint {
  if (arg === null || arg === undefined) return 0n;
  try {
    return koffi.address(arg);
  } catch {
    return 0n; // not a pointer at all: the kernel would fault on it
  }
}

/** Fill the output half of the header as sg.c does on completion. */
function complete(
  hdr: Uint8Array,
  f: SgHeaderFields,
  answer: Extract<SimSgAnswer, { kind: 'done' }>,
  ms: number,
): void {
  let resid = 0;
  if (answer.hostStatus !== DidStatus.OK) {
    resid = f.dxferLen; // the HBA gave up: nothing reached user memory or the target
  } else if (f.direction === SgDxfer.FROM_DEV) {
    const n = Math.min(answer.data.length, f.dxferLen);
    copyOut(f.dxferp, answer.data.subarray(0, n));
    resid = f.dxferLen - n;
  }
  let sbLenWr = 0;
  let driverStatus: number = DriverStatus.OK;
  if (answer.status === ScsiStatus.CHECK_CONDITION && answer.sense.length > 0 && f.mxSbLen > 0) {
    sbLenWr = Math.min(answer.sense.length, f.mxSbLen);
    copyOut(f.sbp, answer.sense.subarray(0, sbLenWr));
    driverStatus = DriverStatus.SENSE;
  }
  const masked = (answer.status >> 1) & 0x7f;
  const v = new DataView(hdr.buffer, hdr.byteOffset, SG_IO_HDR_SIZE);
  v.setUint8(O.status, answer.status);
  v.setUint8(O.masked_status, masked);
  v.setUint8(O.msg_status, 0);
  v.setUint8(O.sb_len_wr, sbLenWr);
  v.setUint16(O.host_status, answer.hostStatus, true);
  v.setUint16(O.driver_status, driverStatus, true);
  v.setInt32(O.resid, resid, true);
  v.setUint32(O.duration, ms, true);
  // sg.c: SG_INFO_CHECK when any of masked/host/driver status is set; indirect I/O.
  const check = (masked | answer.hostStatus | driverStatus) !== 0;
  v.setUint32(O.info, (check ? SgInfo.CHECK : SgInfo.OK) | SgInfo.INDIRECT_IO, true);
}

export function simSgSyscalls(line: SimSgLine): SgSyscalls {
  const open = new Map<number, string>();
  return {
    open(path) {
      const r = line.open(path);
      if (r.kind === 'errno') throw errnoError(r.errno, 'open', path);
      open.set(r.fd, path);
      return r.fd;
    },
    ioctl(fd, request, _argType, arg) {
      if (!open.has(fd)) return fail(E.EBADF);
      const address = addressOf(arg);
      if (request !== SG_IO) {
        line.violation(`ioctl request 0x${request.toString(16)} is not SG_IO`, new Uint8Array(0));
        return fail(E.ENOTTY);
      }
      if (address === 0n) return fail(E.EFAULT);
      const hdr = new Uint8Array(koffi.view(address, SG_IO_HDR_SIZE));
      const received = hdr.slice();
      const check = checkSgIoHdr(received);
      if (!check.ok) {
        line.violation(check.problem, received);
        return fail(check.errno);
      }
      const f = check.fields;
      const started = performance.now();
      const answer = line.command(fd, {
        cdb: copyIn(f.cmdp, f.cmdLen),
        direction: f.direction,
        dataOut: f.direction === SgDxfer.TO_DEV ? copyIn(f.dxferp, f.dxferLen) : new Uint8Array(0),
        dxferLen: f.dxferLen,
        timeoutMs: f.timeoutMs,
        header: received,
      });
      if (answer.kind === 'errno') return fail(answer.errno);
      complete(hdr, f, answer, Math.round(performance.now() - started));
      return 0;
    },
    close(fd) {
      const path = open.get(fd);
      if (path === undefined) throw errnoError(E.EBADF, 'close', String(fd));
      open.delete(fd);
      line.close(fd);
    },
  };
}
