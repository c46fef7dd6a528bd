// Periodic numbers for the NOC: event-loop lag (the first sign of a daemon
// that will miss heartbeats), memory, uptime, plus whatever counters the
// daemon supplies (heartbeats sent/received per path, ...).
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Metrics } from './topics.ts';

/** How often the event-loop lag is sampled (ms). */
export const SAMPLE_MS = 100;

export type ExtraMetrics = () => Readonly<Record<string, number>>;

export class MetricsSampler {
  private readonly histogram: IntervalHistogram;
  private readonly extra: ExtraMetrics | undefined;

  constructor(extra?: ExtraMetrics) {
    this.extra = extra;
    // The histogram is fed by a timer of its own (libuv, no JS) firing every
    // `resolution` ms and recording how late it fired. A stall shows in full
    // as the lateness of the next firing at any resolution; at 10 ms, the
    // hundred wake-ups a second were half of the idle daemon's CPU (0.8 % of
    // a core at the 1 s heartbeat; docs/footprint.md). At 100 ms, ten.
    this.histogram = monitorEventLoopDelay({ resolution: SAMPLE_MS });
  }

  start(): void {
    this.histogram.enable();
  }

  stop(): void {
    this.histogram.disable();
  }

  /** One snapshot; resets the lag histogram so each sample covers one period. */
  sample(nowMs: number, counters: Readonly<Record<string, number>>): Metrics {
    const toMs = (ns: number): number => Math.round(ns / 1e4) / 100;
    const h = this.histogram;
    const lag =
      h.count > 0
        ? { max: toMs(h.max), p99: toMs(h.percentile(99)), mean: toMs(h.mean) }
        : { max: 0, p99: 0, mean: 0 };
    h.reset();
    const mem = process.memoryUsage();
    const metrics: { name: string; value: number; unit?: string }[] = [
      { name: 'event_loop_lag_max', value: lag.max, unit: 'ms' },
      { name: 'event_loop_lag_p99', value: lag.p99, unit: 'ms' },
      { name: 'event_loop_lag_mean', value: lag.mean, unit: 'ms' },
      { name: 'rss', value: mem.rss, unit: 'B' },
      { name: 'heap_used', value: mem.heapUsed, unit: 'B' },
      { name: 'uptime', value: Math.round(process.uptime()), unit: 's' },
    ];
    for (const [name, value] of Object.entries({ ...counters, ...this.extra?.() })) {
      if (Number.isFinite(value)) metrics.push({ name, value });
    }
    return { ts: nowMs, metrics };
  }
}
