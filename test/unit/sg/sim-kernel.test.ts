// The sim kernel (hal/scsi/sg/sim-kernel.ts) under the driver's own sgIoctl,
// on this thread with a scripted line instead of a target: what it takes out
// of user memory (CDB at cmdp, data at dxferp) and what it writes back (data
// to dxferp, sense to sbp, status, masked_status, sb_len_wr, host and driver
// status, resid, duration, info), read from the raw 88-byte reply. Also what
// it does with an ioctl our driver would never make.
import koffi from 'koffi';
import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ScsiStatus } from '../../../hal/scsi/device.ts';
import { DidStatus, DriverStatus, SG_IO, SgDxfer, SgInfo } from '../../../hal/scsi/sg/constants.ts';
import { SgIoHdrType, sgIoctl } from '../../../hal/scsi/sg/ffi.ts';
import { decodeSgIoResult, encodeSgIoHdr } from '../../../hal/scsi/sg/header.ts';
import { simSgSyscalls, type SimSgLine } from '../../../hal/scsi/sg/sim-kernel.ts';
import type { SimSgAnswer, SimSgCommand } from '../../../hal/scsi/sg/sim-wire.ts';
import type { SgRequest } from '../../../hal/scsi/sg/validate.ts';

const E = constants.errno;
const SG_PATH = '/dev/sg5';

function scripted(answer: (cmd: SimSgCommand) => SimSgAnswer) {
  const seen: SimSgCommand[] = [];
  const violations: string[] = [];
  const closed: number[] = [];
  const line: SimSgLine = {
    open: (path) => (path === SG_PATH ? { kind: 'fd', fd: 9 } : { kind: 'errno', errno: E.ENOENT }),
    command: (_fd, cmd) => {
      seen.push(cmd);
      return answer(cmd);
    },
    close: (fd) => closed.push(fd),
    violation: (problem) => violations.push(problem),
  };
  return { sys: simSgSyscalls(line), seen, violations, closed };
}

const none = new Uint8Array(0);
const INQUIRY: SgRequest = {
  cdb: new Uint8Array([0x12, 0, 0, 0, 96, 0]),
  direction: SgDxfer.FROM_DEV,
  dataOut: none,
  dxferLen: 96,
  timeoutMs: 1500,
};

describe('sim kernel ioctl(SG_IO)', () => {
  it('copies the CDB in, data-in out, and reports a short transfer in resid', () => {
    const inquiry = Uint8Array.from({ length: 36 }, (_, i) => i + 1);
    const { sys, seen } = scripted(() => ({
      kind: 'done',
      status: ScsiStatus.GOOD,
      sense: none,
      data: inquiry,
      hostStatus: DidStatus.OK,
    }));
    const fd = sys.open(SG_PATH);
    const reply = sgIoctl(fd, INQUIRY, 77, sys.ioctl);
    if (!reply.ok) throw new Error(`errno ${reply.errno}`);
    expect(seen[0]?.cdb).toEqual(INQUIRY.cdb);
    expect(seen[0]).toMatchObject({ direction: SgDxfer.FROM_DEV, dxferLen: 96, timeoutMs: 1500 });
    // The header as received carries our pack_id at 48.
    expect(new DataView(seen[0]!.header.buffer).getInt32(48, true)).toBe(77);
    expect([...reply.data.subarray(0, 36)]).toEqual([...inquiry]);
    expect(reply.data.subarray(36).every((b) => b === 0)).toBe(true);
    const f = decodeSgIoResult(reply.header);
    expect(f).toMatchObject({ status: 0, maskedStatus: 0, msgStatus: 0, sbLenWr: 0, hostStatus: 0 });
    expect(f).toMatchObject({ driverStatus: 0, resid: 60, info: SgInfo.OK });
    expect(f.duration).toBeGreaterThanOrEqual(0);
  });

  it('writes CHECK CONDITION sense to sbp, with sb_len_wr, DRIVER_SENSE and SG_INFO_CHECK', () => {
    const sense = new Uint8Array(18);
    sense.set([0x70, 0, 0x05, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x21, 0x00]);
    const { sys } = scripted(() => ({
      kind: 'done',
      status: ScsiStatus.CHECK_CONDITION,
      sense,
      data: none,
      hostStatus: DidStatus.OK,
    }));
    const reply = sgIoctl(sys.open(SG_PATH), INQUIRY, 1, sys.ioctl);
    if (!reply.ok) throw new Error(`errno ${reply.errno}`);
    expect([...reply.sense.subarray(0, 18)]).toEqual([...sense]);
    expect(reply.sense.subarray(18).every((b) => b === 0)).toBe(true);
    expect(decodeSgIoResult(reply.header)).toMatchObject({
      status: ScsiStatus.CHECK_CONDITION,
      maskedStatus: 0x01,
      sbLenWr: 18,
      hostStatus: 0,
      driverStatus: DriverStatus.SENSE,
      resid: 96,
      info: SgInfo.CHECK,
    });
  });

  it('passes data-out from dxferp and reports RESERVATION CONFLICT as a status', () => {
    const block = new Uint8Array(512).fill(0xa5);
    const { sys, seen } = scripted(() => ({
      kind: 'done',
      status: ScsiStatus.RESERVATION_CONFLICT,
      sense: none,
      data: none,
      hostStatus: DidStatus.OK,
    }));
    const cdb = new Uint8Array(16);
    cdb[0] = 0x8a; // WRITE(16)
    cdb[13] = 1; // one block
    const write: SgRequest = {
      cdb,
      direction: SgDxfer.TO_DEV,
      dataOut: block,
      dxferLen: 512,
      timeoutMs: 2000,
    };
    const reply = sgIoctl(sys.open(SG_PATH), write, 2, sys.ioctl);
    if (!reply.ok) throw new Error(`errno ${reply.errno}`);
    expect(seen[0]?.dataOut).toEqual(block);
    expect(decodeSgIoResult(reply.header)).toMatchObject({
      status: 0x18,
      maskedStatus: 0x0c,
      sbLenWr: 0,
      driverStatus: 0,
      resid: 0,
      info: SgInfo.CHECK,
    });
  });

  it('reports an HBA failure in host_status with nothing transferred', () => {
    const { sys } = scripted(() => ({
      kind: 'done',
      status: 0,
      sense: none,
      data: new Uint8Array(96).fill(1),
      hostStatus: DidStatus.TIME_OUT,
    }));
    const reply = sgIoctl(sys.open(SG_PATH), INQUIRY, 3, sys.ioctl);
    if (!reply.ok) throw new Error(`errno ${reply.errno}`);
    expect(reply.data.every((b) => b === 0)).toBe(true);
    expect(decodeSgIoResult(reply.header)).toMatchObject({
      status: 0,
      hostStatus: DidStatus.TIME_OUT,
      resid: 96,
      info: SgInfo.CHECK,
    });
  });

  it('fails the ioctl with the errno the line gives, and open/close like the system calls', () => {
    const { sys, closed } = scripted(() => ({ kind: 'errno', errno: E.ENODEV }));
    const fd = sys.open(SG_PATH);
    expect(sgIoctl(fd, INQUIRY, 4, sys.ioctl)).toEqual({ ok: false, errno: E.ENODEV });
    expect(sgIoctl(fd + 1, INQUIRY, 5, sys.ioctl)).toEqual({ ok: false, errno: E.EBADF });
    expect(() => sys.open('/dev/sg6')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    sys.close(fd);
    expect(closed).toEqual([fd]);
    expect(() => sys.close(fd)).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });

  it('refuses, and reports, an ioctl our driver must never make', () => {
    const { sys, seen, violations } = scripted(() => ({
      kind: 'done',
      status: ScsiStatus.GOOD,
      sense: none,
      data: none,
      hostStatus: DidStatus.OK,
    }));
    const fd = sys.open(SG_PATH);
    const hdr: unknown = koffi.alloc(SgIoHdrType, 1);
    const cdb: unknown = koffi.alloc('uint8_t', 6);
    try {
      const bytes = new Uint8Array(koffi.view(hdr, 88));
      const tur = {
        direction: SgDxfer.NONE,
        cmdLen: 6,
        mxSbLen: 0,
        dxferLen: 0,
        dxferp: 0n,
        cmdp: koffi.address(cdb),
        sbp: 0n,
        timeoutMs: 100,
        flags: 0,
        packId: 0,
      } as const;
      const call = (patch: (b: Uint8Array) => void, request = SG_IO, arg: unknown = hdr): number => {
        encodeSgIoHdr(tur, bytes);
        patch(bytes);
        koffi.errno(0);
        return sys.ioctl(fd, request, null, arg) === 0 ? 0 : koffi.errno();
      };
      expect(call(() => undefined)).toBe(0);
      expect(seen).toHaveLength(1);
      expect(call((b) => (b[0] = 0x51))).toBe(E.ENOSYS);
      expect(call((b) => (b[44] = 0x04))).toBe(E.EINVAL); // SG_FLAG_MMAP_IO
      expect(call((b) => (b[10] = 2))).toBe(E.EINVAL); // iovec_count
      expect(call((b) => (b[72] = 1))).toBe(E.EINVAL); // resid not zeroed
      expect(call(() => undefined, 0x2286)).toBe(E.ENOTTY); // SG_GET_SCSI_ID, say
      expect(call(() => undefined, SG_IO, null)).toBe(E.EFAULT);
    } finally {
      koffi.free(hdr);
      koffi.free(cdb);
    }
    expect(seen).toHaveLength(1);
    expect(violations).toEqual([
      expect.stringContaining("interface_id at 0 is 0x51, not 'S'"),
      expect.stringContaining('flags at 44 are 0x4'),
      expect.stringContaining('iovec_count at 10 is 2'),
      expect.stringContaining('output fields: byte 72 is 0x1'),
      expect.stringContaining('ioctl request 0x2286 is not SG_IO'),
    ]);
  });
});
