// The sim kernel's header check (hal/scsi/sg/sim-check.ts) against headers
// built by the driver's own encoder: a good one passes with every field read
// back at its REFERENCE section 5 offset, and a change to any byte that is
// not a free value (pointers, lengths, timeout, pack_id) is refused with the
// errno sg.c would give, so a layout slip in header.ts cannot go unnoticed.
import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { SG_IO_HDR_SIZE, SgDxfer, SgIoHdrOffset as O } from '../../../hal/scsi/sg/constants.ts';
import { encodeSgIoHdr, type SgIoRequestFields } from '../../../hal/scsi/sg/header.ts';
import { checkSgIoHdr } from '../../../hal/scsi/sg/sim-check.ts';

const E = constants.errno;

const READ: SgIoRequestFields = {
  direction: SgDxfer.FROM_DEV,
  cmdLen: 16,
  mxSbLen: 252,
  dxferLen: 2048,
  dxferp: 0x7f00_1234_5000n,
  cmdp: 0x7f00_1234_6000n,
  sbp: 0x7f00_1234_7000n,
  timeoutMs: 3000,
  flags: 0,
  packId: 0x1234_5678,
};

function mutated(base: Uint8Array, at: number, value: number): Uint8Array {
  const copy = base.slice();
  copy[at] = value;
  return copy;
}

describe('checkSgIoHdr', () => {
  it('reads a good header field by field, at the documented offsets', () => {
    const raw = encodeSgIoHdr(READ);
    // The bytes themselves, little-endian as on x86_64 and aarch64.
    expect([...raw.subarray(0, 16)]).toEqual([
      0x53, 0, 0, 0, 0xfd, 0xff, 0xff, 0xff, 16, 252, 0, 0, 0x00, 0x08, 0, 0,
    ]);
    expect([...raw.subarray(40, 52)]).toEqual([0xb8, 0x0b, 0, 0, 0, 0, 0, 0, 0x78, 0x56, 0x34, 0x12]);
    expect(checkSgIoHdr(raw)).toEqual({
      ok: true,
      fields: {
        direction: SgDxfer.FROM_DEV,
        cmdLen: 16,
        mxSbLen: 252,
        dxferLen: 2048,
        dxferp: READ.dxferp,
        cmdp: READ.cmdp,
        sbp: READ.sbp,
        timeoutMs: 3000,
        packId: 0x1234_5678,
      },
    });
  });

  it('accepts NONE with no buffer and TO_DEV with one', () => {
    const none = encodeSgIoHdr({ ...READ, direction: SgDxfer.NONE, dxferLen: 0, dxferp: 0n });
    expect(checkSgIoHdr(none).ok).toBe(true);
    expect(checkSgIoHdr(encodeSgIoHdr({ ...READ, direction: SgDxfer.TO_DEV })).ok).toBe(true);
  });

  it.each([
    ['interface_id not S', O.interface_id, 0x51, E.ENOSYS],
    ['dxfer_direction -4 (TO_FROM_DEV)', O.dxfer_direction, 0xfc, E.EINVAL],
    ['cmd_len 5', O.cmd_len, 5, E.EMSGSIZE],
    ['cmd_len 253', O.cmd_len, 253, E.EMSGSIZE],
    ['iovec_count 1', O.iovec_count, 1, E.EINVAL],
    ['iovec_count high byte', O.iovec_count + 1, 1, E.EINVAL],
    ['flags: direct I/O', O.flags, 1, E.EINVAL],
    ['flags: high byte', O.flags + 3, 0x80, E.EINVAL],
  ])('refuses %s', (_name, at, value, errno) => {
    const check = checkSgIoHdr(mutated(encodeSgIoHdr(READ), at, value));
    expect(check).toMatchObject({ ok: false, errno });
  });

  it('refuses NULL pointers and impossible lengths', () => {
    const refuse = (f: Partial<SgIoRequestFields>) => {
      // The encoder itself refuses a NULL cmdp, so that one is patched in afterwards.
      const raw = encodeSgIoHdr({ ...READ, ...f, cmdp: READ.cmdp });
      if (f.cmdp === 0n) new DataView(raw.buffer).setBigUint64(O.cmdp, 0n, true);
      const c = checkSgIoHdr(raw);
      return c.ok ? 'ok' : c.errno;
    };
    expect(refuse({ cmdp: 0n })).toBe(E.EMSGSIZE);
    expect(refuse({ dxferp: 0n })).toBe(E.EFAULT);
    expect(refuse({ dxferLen: 0 })).toBe(E.EINVAL);
    expect(refuse({ dxferLen: 16 * 1024 * 1024 + 1 })).toBe(E.EINVAL);
    expect(refuse({ direction: SgDxfer.NONE })).toBe(E.EINVAL); // NONE with a buffer
    expect(refuse({ sbp: 0n })).toBe(E.EFAULT);
    expect(refuse({ mxSbLen: 0 })).toBe(E.EINVAL); // a sense pointer with no room
    expect(refuse({ timeoutMs: 0 })).toBe(E.EINVAL); // the kernel would wait 60 s
  });

  it('refuses a set bit in every byte that must be zero: padding, usr_ptr and all outputs', () => {
    const raw = encodeSgIoHdr(READ);
    const mustBeZero = [52, 53, 54, 55];
    for (let i = O.usr_ptr; i < SG_IO_HDR_SIZE; i++) mustBeZero.push(i);
    for (const at of mustBeZero) {
      const check = checkSgIoHdr(mutated(raw, at, 0x01));
      expect(check, `byte ${at}`).toMatchObject({ ok: false, errno: E.EINVAL });
    }
  });

  it('refuses a header of the wrong size', () => {
    expect(checkSgIoHdr(new Uint8Array(80))).toMatchObject({ ok: false, errno: E.EINVAL });
  });
});
