// Every parser and the sense decoder, fed random and truncated bytes, must
// return a value or throw a typed error: never a TypeError/RangeError, never hang.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseReadCapacity16 } from '../../../hal/scsi/cdb/block.ts';
import { parseStandardInquiry } from '../../../hal/scsi/cdb/inquiry.ts';
import { parseReadKeys, parseReadReservation, parseReportCapabilities } from '../../../hal/scsi/cdb/pr-in.ts';
import { parsePrOutParameters } from '../../../hal/scsi/cdb/pr-out.ts';
import {
  parseDeviceIdentification,
  parseSupportedVpdPages,
  parseUnitSerialNumber,
} from '../../../hal/scsi/cdb/vpd.ts';
import { checkResult } from '../../../hal/scsi/check.ts';
import { ScsiError, ScsiParseError } from '../../../hal/scsi/errors.ts';
import { decodeSense } from '../../../hal/scsi/sense.ts';

const parsers: Record<string, (b: Uint8Array) => unknown> = {
  parseStandardInquiry,
  parseSupportedVpdPages,
  parseUnitSerialNumber,
  parseDeviceIdentification,
  parseReadCapacity16,
  parseReadKeys,
  parseReadReservation,
  parseReportCapabilities,
  parsePrOutParameters,
  decodeSense,
};

function parsedOrTyped(parse: (b: Uint8Array) => unknown, bytes: Uint8Array): boolean {
  try {
    parse(bytes);
    return true;
  } catch (e) {
    if (e instanceof ScsiParseError) return e.field.length > 0;
    throw e;
  }
}

/** Random bytes, biased towards plausible headers so parsers get past byte 0. */
const plausible = fc
  .tuple(
    fc.uint8Array({ maxLength: 300 }),
    fc.constantFrom(0x00, 0x70, 0x72, 0x80, 0x83, 0x71, 0x73),
    fc.nat(300),
  )
  .map(([b, first, cut]) => {
    const out = b.slice();
    if (out.length > 1) out[1] = first;
    if (out.length > 0 && (first & 0x70) === 0x70) out[0] = first;
    return out.subarray(0, cut);
  });

describe('parser fuzzing', () => {
  for (const [name, parse] of Object.entries(parsers)) {
    it(`${name}: random and truncated input gives a value or a ScsiParseError`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 300 }), (b) => parsedOrTyped(parse, b)),
        { numRuns: 500 },
      );
      fc.assert(
        fc.property(plausible, (b) => parsedOrTyped(parse, b)),
        { numRuns: 500 },
      );
    });
  }

  it('checkResult turns any status and sense into data or a ScsiError', () => {
    fc.assert(
      fc.property(fc.nat(0xff), fc.uint8Array({ maxLength: 64 }), (status, sense) => {
        try {
          checkResult({ status, sense, data: new Uint8Array(0), residual: 0 }, 'FUZZ');
          return status === 0 || status === 4;
        } catch (e) {
          return e instanceof ScsiError;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('READ KEYS never reports more keys than the bytes returned can hold', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 200 }), (b) => {
        try {
          return parseReadKeys(b).keys.length * 8 + 8 <= b.length;
        } catch (e) {
          return e instanceof ScsiParseError;
        }
      }),
    );
    expect(() => parseReadKeys(Uint8Array.from([0, 0, 0, 1, 0xff, 0xff, 0xff, 0xf8]))).toThrow(
      ScsiParseError,
    );
  });
});
