// Vital product data pages (SPC-4 7.8): supported pages (0x00), unit serial
// number (0x80) and device identification (0x83).
import { FieldReader, asciiField, hex } from '../field-reader.ts';

export const VpdPage = {
  SUPPORTED_PAGES: 0x00,
  UNIT_SERIAL_NUMBER: 0x80,
  DEVICE_IDENTIFICATION: 0x83,
} as const;

/** The 4-byte page header: checks the page code and the page length against the data. */
function pageBody(what: string, data: Uint8Array, page: number): FieldReader {
  const r = new FieldReader(what, data);
  const code = r.u8(1, 'page code');
  if (code !== page) r.fail('page code', `expected 0x${page.toString(16)}, got 0x${code.toString(16)}`);
  const length = r.u16(2, 'page length');
  if (4 + length > data.length)
    r.fail('page length', `${length} exceeds the ${data.length - 4} bytes returned`);
  return new FieldReader(what, data.subarray(4, 4 + length));
}

/** Total length a VPD page says it has (header included), for re-asking with a bigger allocation. */
export function vpdPageTotalLength(data: Uint8Array): number {
  return 4 + new FieldReader('VPD page', data).u16(2, 'page length');
}

export function parseSupportedVpdPages(data: Uint8Array): number[] {
  return [...pageBody('VPD supported pages', data, VpdPage.SUPPORTED_PAGES).bytes];
}

export function parseUnitSerialNumber(data: Uint8Array): string {
  return asciiField(pageBody('VPD unit serial number', data, VpdPage.UNIT_SERIAL_NUMBER).bytes);
}

export type DesignatorAssociation = 'logical-unit' | 'target-port' | 'target-device' | 'reserved';
export type DesignatorCodeSet = 'binary' | 'ascii' | 'utf8' | 'reserved';
export type DesignatorType =
  | 'vendor-specific'
  | 't10-vendor-id'
  | 'eui-64'
  | 'naa'
  | 'relative-target-port'
  | 'target-port-group'
  | 'logical-unit-group'
  | 'md5-logical-unit'
  | 'scsi-name-string'
  | 'protocol-specific'
  | 'reserved';

interface DesignatorBase {
  readonly association: DesignatorAssociation;
  readonly codeSet: DesignatorCodeSet;
  /** SCSI transport protocol (5 = iSCSI, 6 = SAS), only when PIV says it is valid. */
  readonly protocolIdentifier: number | undefined;
  readonly raw: Uint8Array;
}

export type Designator = DesignatorBase &
  (
    | { readonly type: 't10-vendor-id'; readonly vendor: string; readonly specific: string }
    | { readonly type: 'naa'; readonly naa: number; readonly id: string }
    | { readonly type: 'eui-64' | 'md5-logical-unit'; readonly id: string }
    | {
        readonly type: 'relative-target-port' | 'target-port-group' | 'logical-unit-group';
        readonly number: number;
      }
    | { readonly type: 'scsi-name-string'; readonly name: string }
    | { readonly type: 'vendor-specific' | 'protocol-specific' | 'reserved'; readonly id: string }
  );

const ASSOCIATIONS: readonly DesignatorAssociation[] = [
  'logical-unit',
  'target-port',
  'target-device',
  'reserved',
];
const TYPES: readonly DesignatorType[] = [
  'vendor-specific',
  't10-vendor-id',
  'eui-64',
  'naa',
  'relative-target-port',
  'target-port-group',
  'logical-unit-group',
  'md5-logical-unit',
  'scsi-name-string',
  'protocol-specific',
];

function codeSetOf(n: number): DesignatorCodeSet {
  return n === 1 ? 'binary' : n === 2 ? 'ascii' : n === 3 ? 'utf8' : 'reserved';
}

export function parseDeviceIdentification(data: Uint8Array): Designator[] {
  const WHAT = 'VPD device identification';
  const body = pageBody(WHAT, data, VpdPage.DEVICE_IDENTIFICATION);
  const out: Designator[] = [];
  for (let off = 0; off < body.length;) {
    const b0 = body.u8(off, 'designation descriptor header');
    const b1 = body.u8(off + 1, 'designation descriptor header');
    const len = body.u8(off + 3, 'designator length');
    const raw = body.slice(off + 4, len, 'designator');
    const piv = (b1 & 0x80) !== 0;
    const association = ASSOCIATIONS[(b1 >> 4) & 0x3] ?? 'reserved';
    const base: DesignatorBase = {
      association,
      codeSet: codeSetOf(b0 & 0x0f),
      // PIV is meaningful only for port and device associations (SPC-4 7.8.6.1).
      protocolIdentifier: piv && association !== 'logical-unit' ? b0 >> 4 : undefined,
      raw,
    };
    out.push(parseDesignator(new FieldReader(WHAT, raw), base, TYPES[b1 & 0x0f] ?? 'reserved'));
    off += 4 + len;
  }
  return out;
}

function parseDesignator(r: FieldReader, base: DesignatorBase, type: DesignatorType): Designator {
  switch (type) {
    case 't10-vendor-id':
      return {
        ...base,
        type,
        vendor: asciiField(r.slice(0, 8, 'T10 vendor id')),
        specific: asciiField(r.bytes.subarray(8)),
      };
    case 'naa':
      return { ...base, type, naa: r.u8(0, 'NAA') >> 4, id: hex(r.bytes) };
    case 'relative-target-port':
    case 'target-port-group':
    case 'logical-unit-group':
      // 4-byte designator: two reserved bytes, then the number.
      if (r.length !== 4) r.fail(type, `designator length ${r.length}, expected 4`);
      return { ...base, type, number: r.u16(2, type) };
    case 'scsi-name-string': {
      const nul = r.bytes.indexOf(0);
      return { ...base, type, name: new TextDecoder().decode(nul < 0 ? r.bytes : r.bytes.subarray(0, nul)) };
    }
    case 'eui-64':
    case 'md5-logical-unit':
    case 'vendor-specific':
    case 'protocol-specific':
    case 'reserved':
      return { ...base, type, id: base.codeSet === 'binary' ? hex(r.bytes) : asciiField(r.bytes) };
  }
}
