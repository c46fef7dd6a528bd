import { describe, expect, it } from 'vitest';
import type { ScsiCommand } from '../../../hal/scsi/device.ts';
import { SgDxfer, SgLimits } from '../../../hal/scsi/sg/constants.ts';
import { validateCommand } from '../../../hal/scsi/sg/validate.ts';
import { isHalError } from '../../../hal/errors.ts';
import type { HalError } from '../../../hal/errors.ts';

const TUR: ScsiCommand = { cdb: new Uint8Array(6), direction: 'none', timeoutMs: 1000 };

function rejects(cmd: unknown, what: RegExp): void {
  let caught: unknown;
  try {
    validateCommand('/dev/sg9', cmd as ScsiCommand);
  } catch (err) {
    caught = err;
  }
  expect(isHalError(caught, 'invalid-argument')).toBe(true);
  expect((caught as HalError).device).toBe('/dev/sg9');
  expect((caught as HalError).message).toMatch(what);
}

describe('validateCommand', () => {
  it('maps directions and lengths to the SG_IO header values', () => {
    expect(validateCommand('d', TUR)).toMatchObject({ direction: SgDxfer.NONE, dxferLen: 0 });
    expect(
      validateCommand('d', { cdb: new Uint8Array(10), direction: 'in', dataInLength: 96, timeoutMs: 5 }),
    ).toMatchObject({
      direction: SgDxfer.FROM_DEV,
      dxferLen: 96,
    });
    const out = validateCommand('d', {
      cdb: new Uint8Array(10),
      direction: 'out',
      dataOut: new Uint8Array(24),
      timeoutMs: 5,
    });
    expect(out).toMatchObject({ direction: SgDxfer.TO_DEV, dxferLen: 24 });
    expect(out.dataOut).toHaveLength(24);
  });

  it('copies the CDB and data so later caller mutation cannot change what is sent', () => {
    const cdb = new Uint8Array([0x5f, 1, 0, 0, 0, 0, 0, 0, 24, 0]);
    const data = new Uint8Array(24).fill(7);
    const req = validateCommand('d', { cdb, direction: 'out', dataOut: data, timeoutMs: 5 });
    cdb[0] = 0;
    data[0] = 0;
    expect(req.cdb[0]).toBe(0x5f);
    expect(req.dataOut[0]).toBe(7);
  });

  it('accepts CDBs from 6 to 252 bytes and nothing outside', () => {
    expect(validateCommand('d', { ...TUR, cdb: new Uint8Array(16) }).cdb).toHaveLength(16);
    expect(validateCommand('d', { ...TUR, cdb: new Uint8Array(SgLimits.MAX_CDB) }).cdb).toHaveLength(252);
    rejects({ ...TUR, cdb: new Uint8Array(5) }, /cdb is 5 bytes/);
    rejects({ ...TUR, cdb: new Uint8Array(253) }, /cdb is 253 bytes/);
    rejects({ ...TUR, cdb: [0, 0, 0, 0, 0, 0] }, /cdb must be a Uint8Array/);
  });

  it('rejects timeouts that are not whole milliseconds in range', () => {
    rejects({ ...TUR, timeoutMs: 0 }, /timeoutMs/);
    rejects({ ...TUR, timeoutMs: 2.5 }, /timeoutMs/);
    rejects({ ...TUR, timeoutMs: SgLimits.MAX_TIMEOUT_MS + 1 }, /timeoutMs/);
    rejects({ ...TUR, timeoutMs: '1000' }, /timeoutMs/);
  });

  it('rejects data that does not fit the direction', () => {
    rejects({ ...TUR, dataOut: new Uint8Array(1) }, /'none' takes no dataOut/);
    rejects({ ...TUR, dataInLength: 8 }, /'none' takes no dataInLength/);
    rejects({ ...TUR, direction: 'in' }, /dataInLength must be/);
    rejects({ ...TUR, direction: 'in', dataInLength: 0 }, /dataInLength must be/);
    rejects({ ...TUR, direction: 'in', dataInLength: SgLimits.MAX_TRANSFER + 1 }, /dataInLength must be/);
    rejects(
      { ...TUR, direction: 'in', dataInLength: 8, dataOut: new Uint8Array(8) },
      /'in' takes no dataOut/,
    );
    rejects({ ...TUR, direction: 'out' }, /needs dataOut/);
    rejects({ ...TUR, direction: 'out', dataOut: new Uint8Array(0) }, /dataOut.length must be/);
    rejects(
      { ...TUR, direction: 'out', dataOut: new Uint8Array(4), dataInLength: 4 },
      /'out' takes no dataInLength/,
    );
    rejects({ ...TUR, direction: 'both' }, /direction must be/);
  });
});
