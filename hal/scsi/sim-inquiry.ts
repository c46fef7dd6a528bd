// INQUIRY answers of the sim target: standard data and VPD 0x00/0x80/0x83.
import { Opcode } from './cdb/opcodes.ts';
import { VpdPage } from './cdb/vpd.ts';
import { illegal } from './sim-pr.ts';
import type { SimQuirks, SimReply } from './sim-pr.ts';

const ascii = (s: string, width: number): number[] =>
  [...s.padEnd(width, ' ').slice(0, width)].map((c) => c.charCodeAt(0));

export function simInquiry(cdb: Uint8Array, serial: string, quirks: SimQuirks): SimReply {
  if (cdb.length < 6 || cdb[0] !== Opcode.INQUIRY) return illegal();
  const evpd = ((cdb[1] ?? 0) & 0x01) !== 0;
  const page = cdb[2] ?? 0;
  if (!evpd) {
    if (page !== 0) return illegal();
    // tgt reports its own vendor strings; handy for telling the modes apart in logs.
    const [vendor, product] = quirks === 'tgt' ? ['IET', 'VIRTUAL-DISK'] : ['TANDEM', 'SIM DISK'];
    const data = [
      0x00,
      0x00,
      0x06,
      0x02,
      31,
      0x00,
      0x00,
      0x02,
      ...ascii(vendor, 8),
      ...ascii(product, 16),
      ...ascii('0001', 4),
    ];
    return { status: 0, data: Uint8Array.from(data) };
  }
  switch (page) {
    case VpdPage.SUPPORTED_PAGES:
      return vpdPage(page, [0x00, 0x80, 0x83]);
    case VpdPage.UNIT_SERIAL_NUMBER:
      return vpdPage(page, ascii(serial, serial.length));
    case VpdPage.DEVICE_IDENTIFICATION: {
      const naa = [0x60, 0x01, 0x40, 0x50, ...hash8(serial), 0, 0, 0, 0];
      const t10 = [...ascii('TANDEM', 8), ...ascii(serial, serial.length)];
      return vpdPage(page, [
        ...[0x01, 0x03, 0x00, naa.length, ...naa], // NAA, binary, logical unit
        ...[0x02, 0x01, 0x00, t10.length, ...t10], // T10 vendor id, ascii, logical unit
        ...[0x51, 0x94, 0x00, 0x04, 0, 0, 0x00, 0x01], // iSCSI relative target port 1
      ]);
    }
    default:
      return illegal();
  }
}

function vpdPage(page: number, body: number[]): SimReply {
  return { status: 0, data: Uint8Array.from([0x00, page, body.length >> 8, body.length & 0xff, ...body]) };
}

/** Eight stable bytes from the serial, so NAA ids differ between sim LUNs. */
function hash8(s: string): number[] {
  let h = 0x811c9dc5;
  const out: number[] = [];
  for (let i = 0; i < 8; i++) {
    for (const c of s) h = Math.imul(h ^ c.charCodeAt(0) ^ i, 0x01000193) >>> 0;
    out.push(h & 0xff);
  }
  return out;
}
