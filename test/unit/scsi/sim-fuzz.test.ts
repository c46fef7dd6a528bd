// The sim target must answer any CDB a buggy initiator sends with a status
// (or a typed HalError for transport-level nonsense), never crash.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { HalError } from '../../../hal/errors.ts';
import { resultError } from '../../../hal/scsi/check.ts';
import { SimScsiTarget } from '../../../hal/scsi/sim.ts';

describe('sim target fuzzing', () => {
  it('random CDBs get a SCSI status or a HalError', async () => {
    const opcodes = fc.constantFrom(0x00, 0x12, 0x35, 0x5e, 0x5f, 0x88, 0x8a, 0x91, 0x9e, 0x28, 0xff);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('spc4' as const, 'tgt' as const),
        opcodes,
        fc.uint8Array({ minLength: 5, maxLength: 31 }),
        fc.constantFrom('none' as const, 'in' as const, 'out' as const),
        fc.nat(600),
        fc.uint8Array({ maxLength: 600 }),
        async (quirks, op, rest, direction, dataInLength, dataOut) => {
          const dev = new SimScsiTarget({ quirks, blocks: 8 }).connect('fuzz');
          const cdb = Uint8Array.from([op, ...rest]);
          try {
            const res = await dev.execute({ cdb, direction, dataInLength, dataOut, timeoutMs: 100 });
            resultError(res, 'FUZZ');
            return res.data.length <= dataInLength || direction !== 'in';
          } catch (e) {
            return e instanceof HalError;
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
