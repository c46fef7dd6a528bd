// INQUIRY (SPC-4 6.6): CDB and standard inquiry data.
import { FieldReader, asciiField, checkUint, putU16 } from '../field-reader.ts';
import { Opcode } from './opcodes.ts';

/** Build an INQUIRY CDB; pass a page code for a VPD page (EVPD=1). */
export function inquiryCdb(allocationLength: number, vpdPage?: number): Uint8Array {
  checkUint('INQUIRY', 'allocation length', allocationLength, 0xffff);
  const cdb = new Uint8Array(6);
  cdb[0] = Opcode.INQUIRY;
  if (vpdPage !== undefined) {
    cdb[1] = 0x01;
    cdb[2] = checkUint('INQUIRY', 'page code', vpdPage, 0xff);
  }
  putU16(cdb, 3, allocationLength);
  return cdb;
}

export interface StandardInquiry {
  readonly peripheralQualifier: number;
  /** 0x00 direct-access block device, 0x0d enclosure services, ... */
  readonly deviceType: number;
  readonly removable: boolean;
  /** SPC version: 5 = SPC-3, 6 = SPC-4. */
  readonly version: number;
  readonly responseDataFormat: number;
  /** Logical unit supports protection information. */
  readonly protect: boolean;
  /** Enclosure services component present. */
  readonly encserv: boolean;
  readonly cmdque: boolean;
  readonly vendor: string;
  readonly product: string;
  readonly revision: string;
}

const WHAT = 'INQUIRY';
/** Bytes 0-35 hold every field we use; SPC-2 onwards requires at least that. */
export const STANDARD_INQUIRY_MIN = 36;

export function parseStandardInquiry(data: Uint8Array): StandardInquiry {
  const r = new FieldReader(WHAT, data);
  const additional = r.u8(4, 'additional length');
  if (5 + additional < STANDARD_INQUIRY_MIN) {
    r.fail('additional length', `${additional} declares fewer than ${STANDARD_INQUIRY_MIN} bytes`);
  }
  r.need(0, STANDARD_INQUIRY_MIN, 'standard inquiry data');
  const b0 = r.u8(0, 'peripheral device type');
  return {
    peripheralQualifier: b0 >> 5,
    deviceType: b0 & 0x1f,
    removable: (r.u8(1, 'rmb') & 0x80) !== 0,
    version: r.u8(2, 'version'),
    responseDataFormat: r.u8(3, 'response data format') & 0x0f,
    protect: (r.u8(5, 'protect') & 0x01) !== 0,
    encserv: (r.u8(6, 'encserv') & 0x40) !== 0,
    cmdque: (r.u8(7, 'cmdque') & 0x02) !== 0,
    vendor: asciiField(r.slice(8, 8, 'vendor identification')),
    product: asciiField(r.slice(16, 16, 'product identification')),
    revision: asciiField(r.slice(32, 4, 'product revision level')),
  };
}
