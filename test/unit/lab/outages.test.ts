// The lab client's outage bookkeeping (tools/lab/client/outages.ts): an
// outage runs from the last good statement to the next one; failures before
// the first good statement are counted, never an outage (the VM pair's
// report once showed one starting at the epoch, 1.8e9 s long).
import { describe, expect, it } from 'vitest';
import { OutageTracker } from '../../../tools/lab/client/outages.ts';

describe('OutageTracker', () => {
  it('opens at the first failure after a success and closes at the next success', () => {
    const t = new OutageTracker();
    expect(t.ok(1000)).toBeNull();
    expect(t.failed(1100, 'timeout')).toBe(true);
    expect(t.failed(1200, 'refused')).toBe(false);
    expect(t.ok(1500)).toEqual({
      lastOkAt: 1000,
      failedAt: 1100,
      recoveredAt: 1500,
      failures: 2,
      firstError: 'timeout',
    });
    expect(t.failed(2000, 'reset')).toBe(true);
    expect(t.all().map((o) => [o.lastOkAt, o.recoveredAt])).toEqual([
      [1000, 1500],
      [1500, null],
    ]);
  });

  it('counts failures before the first success without opening an outage', () => {
    const t = new OutageTracker();
    expect(t.failed(100, 'timeout expired')).toBe(false);
    expect(t.failed(200, 'timeout expired')).toBe(false);
    expect(t.ok(300)).toBeNull();
    expect(t.all()).toEqual([]);
    expect(t.failedBeforeFirstOk()).toBe(2);
  });
});
