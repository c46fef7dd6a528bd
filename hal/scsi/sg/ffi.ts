// The one place that touches native memory: koffi's view of struct sg_io_hdr
// and the blocking ioctl(fd, SG_IO, &hdr). It runs inside the worker thread
// (worker.ts), never on the main event loop, because SG_IO blocks until the
// device answers or the kernel's timeout fires. The ioctl itself is a
// parameter so the sim kernel (sim-kernel.ts) can stand in for libc's alone:
// buffers, header encoding and copying out stay this code, under test.
import koffi from 'koffi';
import type { LibraryHandle } from 'koffi';
import { SG_IO, SG_IO_HDR_SIZE, SgLimits } from './constants.ts';
import { encodeSgIoHdr } from './header.ts';
import type { SgRequest } from './validate.ts';

/**
 * struct sg_io_hdr as koffi sees it. Anonymous on purpose: koffi's type names
 * are process-global and a second import (tests, workers) must not collide.
 * Layout is checked against <scsi/sg.h> in test/unit/sg/layout.test.ts.
 */
export const SgIoHdrType = koffi.struct({
  interface_id: 'int',
  dxfer_direction: 'int',
  cmd_len: 'uint8_t',
  mx_sb_len: 'uint8_t',
  iovec_count: 'uint16_t',
  dxfer_len: 'uint32_t',
  dxferp: 'void *',
  cmdp: 'void *',
  sbp: 'void *',
  timeout: 'uint32_t',
  flags: 'uint32_t',
  pack_id: 'int',
  usr_ptr: 'void *',
  status: 'uint8_t',
  masked_status: 'uint8_t',
  msg_status: 'uint8_t',
  sb_len_wr: 'uint8_t',
  host_status: 'uint16_t',
  driver_status: 'uint16_t',
  resid: 'int',
  duration: 'uint32_t',
  info: 'uint32_t',
});
const SgIoHdrPtr = koffi.pointer(SgIoHdrType);

/**
 * ioctl(2) as koffi calls a variadic function: the type of the variadic
 * argument, then the argument (here a pointer to the native sg_io_hdr).
 * Returns -1 and sets errno (koffi.errno) on failure, as libc does.
 */
export type IoctlFn = (fd: number, request: number, argType: unknown, arg: unknown) => number;
let ioctl: IoctlFn | undefined;

/** libc's ioctl, loaded on first use. */
export function nativeIoctl(): IoctlFn {
  if (ioctl === undefined) {
    let libc: LibraryHandle;
    try {
      libc = koffi.load('libc.so.6'); // glibc
    } catch {
      libc = koffi.load(null); // musl and others: ioctl is already in the process
    }
    // ioctl is variadic in libc; declaring it so makes koffi follow the variadic ABI.
    ioctl = libc.func('int ioctl(int fd, unsigned long request, ...)') as IoctlFn;
  }
  return ioctl;
}

export type RawSgReply =
  | { readonly ok: true; readonly header: Uint8Array; readonly sense: Uint8Array; readonly data: Uint8Array }
  | { readonly ok: false; readonly errno: number };

type NativePtr = unknown;

function allocBytes(n: number): { ptr: NativePtr; bytes: Uint8Array; addr: bigint } {
  const ptr: NativePtr = koffi.alloc('uint8_t', n);
  return { ptr, bytes: new Uint8Array(koffi.view(ptr, n)), addr: koffi.address(ptr) };
}

/** Run one SG_IO synchronously. Blocks the calling thread: worker only. */
export function sgIoctl(
  fd: number,
  req: SgRequest,
  packId: number,
  call: IoctlFn = nativeIoctl(),
): RawSgReply {
  const owned: NativePtr[] = [];
  try {
    const hdrPtr: NativePtr = koffi.alloc(SgIoHdrType, 1);
    owned.push(hdrPtr);
    const cdb = allocBytes(req.cdb.length);
    owned.push(cdb.ptr);
    cdb.bytes.set(req.cdb);
    const sense = allocBytes(SgLimits.SENSE_BUFFER);
    owned.push(sense.ptr);
    sense.bytes.fill(0);
    const data = req.dxferLen > 0 ? allocBytes(req.dxferLen) : undefined;
    if (data !== undefined) {
      owned.push(data.ptr);
      data.bytes.fill(0);
      data.bytes.set(req.dataOut);
    }
    const hdr = new Uint8Array(koffi.view(hdrPtr, SG_IO_HDR_SIZE));
    encodeSgIoHdr(
      {
        direction: req.direction,
        cmdLen: req.cdb.length,
        mxSbLen: SgLimits.SENSE_BUFFER,
        dxferLen: req.dxferLen,
        dxferp: data?.addr ?? 0n,
        cmdp: cdb.addr,
        sbp: sense.addr,
        timeoutMs: req.timeoutMs,
        flags: 0,
        packId,
      },
      hdr,
    );
    koffi.errno(0);
    const rc = call(fd, SG_IO, SgIoHdrPtr, hdrPtr);
    if (rc < 0) return { ok: false, errno: koffi.errno() };
    // Copy out of native memory before it is freed below.
    return {
      ok: true,
      header: hdr.slice(),
      sense: sense.bytes.slice(),
      data: data?.bytes.slice() ?? new Uint8Array(0),
    };
  } finally {
    for (const p of owned) koffi.free(p);
  }
}
