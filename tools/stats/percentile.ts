// Small figures shared by benches and the fault campaign: the nearest-rank percentile the issue's
// goals are stated in, and the one-decimal rounding of the RESULT lines.

/** Nearest-rank percentile of ascending `sorted`; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

export function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

/** The 99th percentile of `values` in any order, to 0.1. */
export function p99(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return round1(percentile(sorted, 99));
}
