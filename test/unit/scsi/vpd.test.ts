import { describe, expect, it } from 'vitest';
import {
  parseDeviceIdentification,
  parseSupportedVpdPages,
  parseUnitSerialNumber,
} from '../../../hal/scsi/cdb/vpd.ts';
import { ScsiParseError } from '../../../hal/scsi/errors.ts';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
const ascii = (s: string): number[] => [...new TextEncoder().encode(s)];

describe('VPD pages', () => {
  it('supported pages', () => {
    expect(parseSupportedVpdPages(bytes(0, 0x00, 0, 3, 0x00, 0x80, 0x83))).toEqual([0x00, 0x80, 0x83]);
  });

  it('unit serial number, trimmed', () => {
    expect(parseUnitSerialNumber(bytes(0, 0x80, 0, 6, ...ascii('SN42  ')))).toBe('SN42');
  });

  it('rejects the wrong page code and a lying page length', () => {
    expect(() => parseUnitSerialNumber(bytes(0, 0x83, 0, 0))).toThrow(/page code/);
    expect(() => parseUnitSerialNumber(bytes(0, 0x80, 0, 9, 0x41))).toThrow(/page length/);
  });

  it('parses designation descriptors into typed records', () => {
    const naa = [0x01, 0x03, 0x00, 0x08, 0x60, 0x01, 0x40, 0x50, 0x11, 0x22, 0x33, 0x44];
    const t10 = [0x02, 0x01, 0x00, 12, ...ascii('TANDEM  '), ...ascii('abcd')];
    const relPort = [0x51, 0x94, 0x00, 0x04, 0, 0, 0x00, 0x01];
    const name = [0x53, 0xa8, 0x00, 0x08, ...ascii('iqn.x'), 0, 0, 0];
    const body = [...naa, ...t10, ...relPort, ...name];
    const page = bytes(0, 0x83, 0, body.length, ...body);
    const ds = parseDeviceIdentification(page);
    expect(ds).toHaveLength(4);
    expect(ds[0]).toMatchObject({
      type: 'naa',
      naa: 6,
      id: '6001405011223344',
      association: 'logical-unit',
      codeSet: 'binary',
    });
    expect(ds[1]).toMatchObject({
      type: 't10-vendor-id',
      vendor: 'TANDEM',
      specific: 'abcd',
      codeSet: 'ascii',
    });
    expect(ds[2]).toMatchObject({
      type: 'relative-target-port',
      number: 1,
      association: 'target-port',
      protocolIdentifier: 5,
    });
    expect(ds[3]).toMatchObject({
      type: 'scsi-name-string',
      name: 'iqn.x',
      association: 'target-device',
      codeSet: 'utf8',
    });
  });

  it('rejects a designator that runs past the page', () => {
    const page = bytes(0, 0x83, 0, 6, 0x01, 0x03, 0x00, 0x08, 0x60, 0x01);
    const err = (() => {
      try {
        parseDeviceIdentification(page);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ScsiParseError);
    expect((err as ScsiParseError).field).toBe('designator');
  });
});
