import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HalError } from '../../../hal/errors.ts';
import { decodeTargetPdu } from '../../../hal/scsi/iscsi/decode.ts';
import { PduFramer } from '../../../hal/scsi/iscsi/framer.ts';
import { TARGET_OPCODES } from '../../../hal/scsi/iscsi/pdu.ts';
import { decodeText } from '../../../hal/scsi/iscsi/text.ts';

const OPTS = { device: 'fuzz', maxDataSegmentLength: 65536 };

/** Feed chunks, decode everything; returns PDU count, or the typed error. Anything else escapes and fails. */
function run(chunks: Uint8Array[], end: boolean): number | HalError {
  const f = new PduFramer(OPTS);
  let n = 0;
  try {
    for (const c of chunks) {
      for (const raw of f.push(Buffer.from(c))) {
        decodeTargetPdu(raw, 'fuzz');
        n++;
      }
    }
    if (end) f.end();
    return n;
  } catch (err) {
    if (err instanceof HalError && err.code === 'protocol') return err;
    throw err;
  }
}

/** A header that mostly passes the framer's checks, so decoders get exercised. */
const plausiblePdu = fc
  .tuple(
    fc.constantFrom(...TARGET_OPCODES),
    fc.uint8Array({ minLength: 47, maxLength: 47 }),
    fc.uint8Array({ maxLength: 300 }),
  )
  .map(([op, rest, data]) => {
    const bhs = Buffer.concat([Buffer.of(op), rest]);
    bhs[4] = bhs[4]! & 1;
    bhs[5] = 0;
    bhs[6] = data.length >> 8;
    bhs[7] = data.length & 0xff;
    const pad = (4 - (data.length % 4)) % 4;
    return Buffer.concat([bhs, Buffer.alloc(bhs[4] * 4), data, Buffer.alloc(pad)]);
  });

describe('fuzzing the framer and decoders', () => {
  it('random bytes give PDUs or a typed protocol error, never another exception', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 8 }),
        fc.boolean(),
        (chunks, end) => {
          const r = run(chunks, end);
          expect(typeof r === 'number' || r instanceof HalError).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('plausible PDUs, truncated anywhere and split anywhere, never escape as untyped errors', () => {
    fc.assert(
      fc.property(
        fc.array(plausiblePdu, { minLength: 1, maxLength: 4 }),
        fc.nat(),
        fc.nat(),
        (pdus, cutA, cutB) => {
          const all = Buffer.concat(pdus);
          const len = cutA % (all.length + 1);
          const split = cutB % (len + 1);
          const r = run([all.subarray(0, split), all.subarray(split, len)], true);
          if (len === all.length && typeof r === 'number') expect(r).toBe(pdus.length);
          if (len < all.length && typeof r === 'number') expect(r).toBeLessThan(pdus.length);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('text decoding of random bytes is a map or a typed error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        try {
          expect(decodeText(bytes)).toBeInstanceOf(Map);
        } catch (err) {
          expect(err).toBeInstanceOf(HalError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
