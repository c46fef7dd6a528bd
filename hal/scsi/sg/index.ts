/**
 * SG_IO transport: ScsiDevice over the Linux SCSI generic driver.
 *
 * On the box: the shared enclosure's witness LUN appears on each controller
 * as /dev/sgN (find it with `sg_map -i` or `lsscsi -g`; the lab sets
 * TANDEM_SCSI_GENERIC). Then:
 *
 *   const dev = await openSgDevice();            // paths.scsiGeneric, or { path: '/dev/sg2' }
 *   const r = await dev.execute({ cdb, direction: 'in', dataInLength: 96, timeoutMs: 5000 });
 *   if (r.status === ScsiStatus.RESERVATION_CONFLICT) ...   // a result, not an exception
 *   await dev.close();
 *
 * In the daemon, firmware/fencing/shared-disk.ts opens it when
 * /cluster/disk/transport is "sg" (node: /cluster/disk/sgDevice, else
 * paths.scsiGeneric), shares it between the witness heartbeat and the
 * reservation manager, and reopens it after the node is lost (HBA reset).
 *
 * Each open device has one worker thread that holds the fd (O_RDWR|O_NONBLOCK)
 * and blocks in ioctl(fd, SG_IO, &sg_io_hdr) through koffi; commands run one
 * at a time. cmd.timeoutMs goes into the header (the kernel aborts the command)
 * and a JS timer (timeoutMs + graceMs) rejects with HalError 'timeout' if the
 * worker does not answer. Transport failures are SgError (a HalError) carrying
 * errno / host_status / driver_status; host_status 0x11 (older kernels) is
 * reported as status RESERVATION CONFLICT (0x18).
 *
 * Verified on the development machine (test/unit/sg/):
 * - struct sg_io_hdr size and every field offset, SG_IO, SG_DXFER_* and
 *   SG_INFO_* equal <scsi/sg.h> on x86_64 (compiled and run) and aarch64
 *   (cross-compiled, constants read back from the assembly), and koffi's struct agrees;
 * - the worker runs the real ioctl: SG_IO on /dev/null and on a regular file
 *   fails with ENOTTY, mapped to SgError 'not-supported' (errno kept);
 * - with a stand-in worker blocked in a native call (usleep), the main event
 *   loop keeps ticking, JS-side timeouts fire, late replies are dropped and
 *   close() returns even though the worker is stuck;
 * - round trips against the sim kernel (sim-kernel.ts, run by sim-worker.ts
 *   for SimSgHost): it replaces only ioctl/open/close, so the worker loop,
 *   native buffers, header encoding and decoding are the real ones. It checks
 *   every byte of each sg_io_hdr (sim-check.ts), copies CDB and data-out from
 *   user memory, executes on a SimScsiTarget (SPC-4 PR), and writes data-in,
 *   sense, status, resid, duration and info back as sg.c does; fault hooks
 *   give ENODEV/ENOENT, DID_* host statuses and DID_TIME_OUT.
 * - round trips through the real kernel (test/kernel/sg-reservations.test.ts,
 *   the kernel tier): Debian bookworm's 6.1 kernel in QEMU, one LIO LUN seen
 *   through two iSCSI nexuses as two /dev/sg nodes; INQUIRY, unit serial,
 *   READ CAPACITY(16), READ/WRITE(16) with FUA, PR IN/OUT with the
 *   reservation manager (type 5, PREEMPT AND ABORT), RESERVATION CONFLICT and
 *   the 2A/05 unit attention as typed results; the heartbeat's witness slots
 *   written with FUA through one node and read through the other
 *   (test/kernel/witness.test.ts).
 */
export { openSgDevice, SgDevice } from './sg-device.ts';
export type { SgDeviceOptions } from './sg-device.ts';
export { SgError } from './errors.ts';
export type { SgErrorDetail } from './errors.ts';
export {
  SG_IO,
  SG_IO_HDR_SIZE,
  SgDxfer,
  SgInfo,
  SgIoHdrOffset,
  DidStatus,
  DriverStatus,
  SgLimits,
} from './constants.ts';
export { encodeSgIoHdr, decodeSgIoResult } from './header.ts';
export type { SgIoRequestFields, SgIoResultFields } from './header.ts';
export { interpretResult, errnoError, hostStatusName } from './classify.ts';
export { validateCommand } from './validate.ts';
export type { SgRequest } from './validate.ts';
