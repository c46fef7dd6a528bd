// The property suite (property-suite.ts) on the product: random fault
// schedules against both controllers as the daemon builds them.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { safetyProperty } from './property-suite.ts';

describe('failover simulation properties', () => {
  it('keeps (a) single writer, (b) availability, (c) no takeover of a live peer, (d) single holder with a watchdog, (e) nothing held without a key', async () => {
    await fc.assert(safetyProperty(), { numRuns: 300, seed: 20260105, endOnFailure: true });
  }, 600_000);
});
