import { describe, expect, it } from 'vitest';
import { LAB_TIMING, validateTiming } from '../../../firmware/cluster/timing.ts';

describe('heartbeat timing', () => {
  it('defaults are valid and detect death within one second', () => {
    expect(validateTiming(LAB_TIMING)).toEqual({ ok: true, value: LAB_TIMING });
    expect(LAB_TIMING.deadtimeMs).toBeLessThanOrEqual(1000);
    // The benchmark budget: interval + 200 ms stall + 100 ms jitter stays below warntime.
    expect(LAB_TIMING.intervalMs + 200 + 100).toBeLessThan(LAB_TIMING.warntimeMs);
  });

  it.each([
    [{ intervalMs: 0 }, 'intervalMs'],
    [{ intervalMs: 1.5 }, 'intervalMs'],
    [{ intervalMs: 5, warntimeMs: 10, deadtimeMs: 20 }, 'intervalMs'],
    [{ warntimeMs: 150 }, 'warntimeMs'],
    [{ deadtimeMs: 650 }, 'deadtimeMs'],
    [{ initdeadMs: 999 }, 'initdeadMs'],
    [{ deadtimeMs: Number.NaN }, 'deadtimeMs'],
  ])('rejects %o naming %s', (over, field) => {
    expect(validateTiming({ ...LAB_TIMING, ...over })).toMatchObject({ ok: false, error: { field } });
  });
});
