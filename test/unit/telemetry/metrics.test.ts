// The lag metrics sample the event loop every SAMPLE_MS, not every 10 ms
// (docs/footprint.md: that timer was half the idle daemon's CPU). A stall
// must still show in full: it is the lateness of the next sample.
import { describe, expect, it } from 'vitest';
import { MetricsSampler, SAMPLE_MS } from '../../../firmware/telemetry/metrics.ts';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function value(m: ReturnType<MetricsSampler['sample']>, name: string): number {
  const v = m.metrics.find((x) => x.name === name)?.value;
  if (v === undefined) throw new Error(`no ${name} metric`);
  return v;
}

describe('MetricsSampler', () => {
  it(`reports a 300 ms stall as lag of at least 300 ms, sampling every ${SAMPLE_MS} ms`, async () => {
    const sampler = new MetricsSampler(() => ({ extra_counter: 7 }));
    sampler.start();
    try {
      await sleep(SAMPLE_MS * 3);
      const stallFrom = performance.now();
      while (performance.now() - stallFrom < 300) {
        // the event loop is blocked, as by a synchronous burst of work
      }
      await sleep(SAMPLE_MS * 2);
      const m = sampler.sample(Date.now(), { sent: 3 });
      const stalled = value(m, 'event_loop_lag_max');
      expect(stalled).toBeGreaterThanOrEqual(300 - SAMPLE_MS);
      expect(value(m, 'sent')).toBe(3);
      expect(value(m, 'extra_counter')).toBe(7);
      // Each sample covers one period: the stall is not reported again.
      await sleep(SAMPLE_MS * 3);
      expect(value(sampler.sample(Date.now(), {}), 'event_loop_lag_max')).toBeLessThan(stalled);
    } finally {
      sampler.stop();
    }
  });
});
