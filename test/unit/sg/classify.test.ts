import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ScsiStatus } from '../../../hal/scsi/device.ts';
import { DidStatus, DriverStatus, SgDxfer } from '../../../hal/scsi/sg/constants.ts';
import { errnoError, hostStatusName, interpretResult } from '../../../hal/scsi/sg/classify.ts';
import { SgError } from '../../../hal/scsi/sg/errors.ts';
import type { SgIoResultFields } from '../../../hal/scsi/sg/header.ts';
import type { SgRequest } from '../../../hal/scsi/sg/validate.ts';
import { HalError } from '../../../hal/errors.ts';

const READ: SgRequest = {
  cdb: new Uint8Array(10),
  direction: SgDxfer.FROM_DEV,
  dataOut: new Uint8Array(0),
  dxferLen: 8,
  timeoutMs: 1000,
};
const OK: SgIoResultFields = {
  status: 0,
  maskedStatus: 0,
  msgStatus: 0,
  sbLenWr: 0,
  hostStatus: 0,
  driverStatus: 0,
  resid: 0,
  duration: 1,
  info: 0,
};
const SENSE = new Uint8Array(252).fill(0xaa);
const DATA = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);

function interpret(f: Partial<SgIoResultFields>, req: SgRequest = READ) {
  return interpretResult('/dev/sg3', req, { ...OK, ...f }, SENSE, DATA);
}

function errorOf(fn: () => unknown): SgError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SgError) return err;
    throw err;
  }
  throw new Error('expected an SgError');
}

describe('interpretResult', () => {
  it('returns data trimmed by resid, and no sense for GOOD', () => {
    const r = interpret({ resid: 3, sbLenWr: 4 });
    expect(r).toEqual({
      status: ScsiStatus.GOOD,
      sense: new Uint8Array(0),
      data: DATA.slice(0, 5),
      residual: 3,
    });
  });

  it('returns CHECK CONDITION as a result carrying exactly sb_len_wr bytes of sense', () => {
    const r = interpret({ status: 0x02, sbLenWr: 18, driverStatus: DriverStatus.SENSE, info: 1 });
    expect(r.status).toBe(ScsiStatus.CHECK_CONDITION);
    expect(r.sense).toEqual(SENSE.slice(0, 18));
  });

  it('returns RESERVATION CONFLICT (0x18) as a result, not an error', () => {
    expect(interpret({ status: 0x18, info: 1 }).status).toBe(ScsiStatus.RESERVATION_CONFLICT);
  });

  it('reports host_status 0x11 (older kernels) as status RESERVATION CONFLICT', () => {
    expect(interpret({ hostStatus: DidStatus.NEXUS_FAILURE, info: 1 }).status).toBe(0x18);
  });

  it('falls back to masked_status when status is zero (pre-2.6 kernels)', () => {
    expect(interpret({ maskedStatus: 0x0c }).status).toBe(0x18);
  });

  it('gives no data for non-read directions', () => {
    const req: SgRequest = { ...READ, direction: SgDxfer.TO_DEV, dataOut: new Uint8Array(8) };
    expect(interpret({}, req).data).toHaveLength(0);
  });

  it.each([
    [DidStatus.NO_CONNECT, 'disconnected', 'DID_NO_CONNECT'],
    [DidStatus.BAD_TARGET, 'disconnected', 'DID_BAD_TARGET'],
    [DidStatus.TRANSPORT_DISRUPTED, 'disconnected', 'DID_TRANSPORT_DISRUPTED'],
    [DidStatus.TRANSPORT_FAILFAST, 'disconnected', 'DID_TRANSPORT_FAILFAST'],
    [DidStatus.BUS_BUSY, 'busy', 'DID_BUS_BUSY'],
    [DidStatus.RESET, 'busy', 'DID_RESET'],
    [DidStatus.IMM_RETRY, 'busy', 'DID_IMM_RETRY'],
    [DidStatus.REQUEUE, 'busy', 'DID_REQUEUE'],
    [DidStatus.TIME_OUT, 'timeout', 'DID_TIME_OUT'],
    [DidStatus.ERROR, 'io', 'DID_ERROR'],
    [DidStatus.ABORT, 'io', 'DID_ABORT'],
    [0x7f, 'io', 'DID_0x7f'],
  ])('host_status 0x%s -> %s', (host, code, name) => {
    const err = errorOf(() => interpret({ hostStatus: host, info: 1 }));
    expect(err).toBeInstanceOf(HalError);
    expect(err.code).toBe(code);
    expect(err.hostStatus).toBe(host);
    expect(err.message).toContain(name);
    expect(err.device).toBe('/dev/sg3');
  });

  it.each([
    [DriverStatus.TIMEOUT, 'timeout'],
    [DriverStatus.BUSY, 'busy'],
    [DriverStatus.ERROR, 'io'],
    [DriverStatus.HARD | 0x10, 'io'],
  ])('driver_status 0x%s -> %s', (driver, code) => {
    const err = errorOf(() => interpret({ driverStatus: driver, info: 1 }));
    expect(err.code).toBe(code);
    expect(err.driverStatus).toBe(driver);
  });

  it('rejects a resid outside 0..dxfer_len and an oversized sb_len_wr as protocol errors', () => {
    expect(errorOf(() => interpret({ resid: 9 })).code).toBe('protocol');
    expect(errorOf(() => interpret({ resid: -1 })).code).toBe('protocol');
    expect(
      errorOf(() => interpretResult('d', READ, { ...OK, sbLenWr: 20 }, new Uint8Array(16), DATA)).code,
    ).toBe('protocol');
  });

  it('names host statuses for logs', () => {
    expect(hostStatusName(0x01)).toBe('DID_NO_CONNECT');
  });
});

describe('errnoError', () => {
  it.each([
    ['ENOTTY', 'not-supported'],
    ['EINVAL', 'invalid-argument'],
    ['ENODEV', 'disconnected'],
    ['ENXIO', 'disconnected'],
    ['ENOENT', 'disconnected'],
    ['EBUSY', 'busy'],
    ['EINTR', 'busy'],
    ['EBADF', 'closed'],
    ['EIO', 'io'],
    ['EPERM', 'io'],
  ] as const)('%s -> %s, keeping errno and its name', (name, code) => {
    const errno = constants.errno[name];
    const err = errnoError('/dev/sg0', 'ioctl(SG_IO)', errno);
    expect(err.code).toBe(code);
    expect(err.errno).toBe(errno);
    expect(err.message).toBe(`/dev/sg0: ioctl(SG_IO) failed: ${name}`);
  });
});
