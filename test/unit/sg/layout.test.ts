// struct sg_io_hdr and the SG constants, checked three ways: against
// <scsi/sg.h> compiled and run natively (x86_64), against the aarch64 headers
// (the controller's CPU) via the cross compiler, and against koffi's layout
// of the struct the worker hands to ioctl. Reuses the shared probe helper.
import koffi from 'koffi';
import { describe, expect, it } from 'vitest';
import { SG_IO, SG_IO_HDR_SIZE, SgDxfer, SgInfo, SgIoHdrOffset } from '../../../hal/scsi/sg/constants.ts';
import { SgIoHdrType } from '../../../hal/scsi/sg/ffi.ts';
import { asSortedRecord, probeAssembly, probeNative } from '../hal/headers/probe.ts';
import type { ProbeValues } from '../hal/headers/probe.ts';

// probe.ts resolves probe files against its own directory.
const PROBE_FILE = '../../sg/sg_io_hdr.c';

/** What our TypeScript claims, keyed as the probe names them (negatives as the C cast makes them). */
function claimed(): Record<string, string> {
  const values: ProbeValues = new Map();
  values.set('size__sg_io_hdr', BigInt(SG_IO_HDR_SIZE));
  for (const [field, off] of Object.entries(SgIoHdrOffset))
    values.set(`off__sg_io_hdr__${field}`, BigInt(off));
  const constants: Record<string, number> = {
    SG_IO,
    SG_DXFER_NONE: SgDxfer.NONE,
    SG_DXFER_TO_DEV: SgDxfer.TO_DEV,
    SG_DXFER_FROM_DEV: SgDxfer.FROM_DEV,
    SG_INFO_OK_MASK: SgInfo.OK_MASK,
    SG_INFO_OK: SgInfo.OK,
    SG_INFO_CHECK: SgInfo.CHECK,
    SG_INFO_DIRECT_IO_MASK: SgInfo.DIRECT_IO_MASK,
    SG_INFO_INDIRECT_IO: SgInfo.INDIRECT_IO,
    SG_INFO_DIRECT_IO: SgInfo.DIRECT_IO,
    SG_INFO_MIXED_IO: SgInfo.MIXED_IO,
  };
  for (const [name, v] of Object.entries(constants))
    values.set(`const__${name}`, BigInt.asUintN(64, BigInt(v)));
  return asSortedRecord(values);
}

describe('struct sg_io_hdr layout', () => {
  it('our constants are the REFERENCE §5 figures (88 bytes, SG_IO 0x2285)', () => {
    expect(SG_IO_HDR_SIZE).toBe(88);
    expect(SG_IO).toBe(0x2285);
    expect(SgIoHdrOffset.info).toBe(80);
    expect(Object.keys(SgIoHdrOffset)).toHaveLength(22);
  });

  it('matches the native kernel headers (cc, run)', async () => {
    if (process.arch !== 'x64')
      throw new Error(`native layout test expects x86_64, running on ${process.arch}`);
    expect(asSortedRecord(await probeNative(PROBE_FILE))).toEqual(claimed());
  });

  it('matches the aarch64 kernel headers (cross-compiled, read from assembly)', async () => {
    const values = await probeAssembly(
      'aarch64-linux-gnu-gcc',
      'gcc-aarch64-linux-gnu (and libc6-dev-arm64-cross)',
      PROBE_FILE,
    );
    expect(asSortedRecord(values)).toEqual(claimed());
  });

  it('matches koffi’s layout of the struct passed to ioctl', () => {
    expect(koffi.sizeof(SgIoHdrType)).toBe(SG_IO_HDR_SIZE);
    const koffiOffsets = Object.fromEntries(
      Object.keys(SgIoHdrOffset).map((field) => [field, koffi.offsetof(SgIoHdrType, field)]),
    );
    expect(koffiOffsets).toEqual({ ...SgIoHdrOffset });
    // and koffi declares no field we do not know about
    expect(Object.keys(koffi.type(SgIoHdrType).members ?? {}).sort()).toEqual(
      Object.keys(SgIoHdrOffset).sort(),
    );
  });
});
