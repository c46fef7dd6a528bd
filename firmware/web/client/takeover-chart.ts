// The Takeovers page's geometry: where each phase bar and each duration
// point goes. Pure (no DOM), so the maths is unit-tested in Node; takeovers.ts
// only turns these numbers into SVG. Every record comes from the daemon
// and is checked here before use: a missing or negative duration is drawn
// as zero, never as NaN.
import type { TakeoverHistoryRecord } from '../../status/takeover-phases.ts';

export type TakeoverRecord = TakeoverHistoryRecord;

export const TIMELINE = { width: 900, labelWidth: 290, rowHeight: 34, barHeight: 22, top: 24, right: 90 };
export const DURATIONS = { width: 900, height: 260, left: 56, right: 16, top: 16, bottom: 40 };

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);

/** Only records with the fields the page draws (the rest is dropped, not guessed). */
export function checkedRecords(data: unknown): TakeoverRecord[] {
  const list = (data as { takeovers?: unknown } | null)?.takeovers;
  if (!Array.isArray(list)) return [];
  return list.filter((r): r is TakeoverRecord => {
    const x = r as Partial<Record<keyof TakeoverRecord, unknown>> | null;
    return (
      typeof x === 'object' &&
      x !== null &&
      typeof x.at === 'number' &&
      typeof x.kind === 'string' &&
      typeof x.totalMs === 'number' &&
      Array.isArray(x.phases)
    );
  });
}

export interface Bar {
  readonly name: string;
  readonly ms: number;
  readonly x: number;
  readonly width: number;
}

export interface TimelineRow {
  readonly index: number;
  readonly y: number;
  readonly bars: readonly Bar[];
  readonly totalMs: number;
  /** Where the total's label starts: after the longer of the bars and the total. */
  readonly totalX: number;
}

/**
 * One row per record, in the order given; one scale for all rows (the
 * longest total fills the plot), so rows compare at a glance. A phase
 * starts where the one before it ends; the phases add up to the total.
 */
export function timelineLayout(records: readonly TakeoverRecord[]): {
  rows: TimelineRow[];
  height: number;
  scaleMs: number;
} {
  const t = TIMELINE;
  const plot = t.width - t.labelWidth - t.right;
  const sums = records.map((r) => r.phases.reduce((s, p) => s + num(p.ms), 0));
  const scaleMs = Math.max(1, ...records.map((r, i) => Math.max(num(r.totalMs), sums[i] ?? 0)));
  const px = (ms: number) => (ms / scaleMs) * plot;
  const rows = records.map((r, index) => {
    let at = 0;
    const bars = r.phases.map((p) => {
      const ms = num(p.ms);
      const bar = { name: String(p.name), ms, x: t.labelWidth + px(at), width: px(ms) };
      at += ms;
      return bar;
    });
    const totalMs = num(r.totalMs);
    return {
      index,
      y: t.top + index * t.rowHeight,
      bars,
      totalMs,
      totalX: t.labelWidth + px(Math.max(totalMs, at)) + 6,
    };
  });
  return { rows, height: t.top + records.length * t.rowHeight + 8, scaleMs };
}

/** A round step (1, 2 or 5 times a power of ten) giving at most `maxTicks` intervals up to `max`. */
export function niceStep(max: number, maxTicks = 5): number {
  if (!(max > 0)) return 1;
  const raw = max / maxTicks;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * power >= raw) return m * power;
  return 10 * power;
}

export interface Point {
  readonly x: number;
  readonly y: number;
  readonly seconds: number;
  readonly at: number;
  readonly kind: string;
}

/**
 * The last `limit` durations in time order (oldest left), x by time, y in
 * seconds from zero; the ticks of the seconds axis. Records all at the
 * same moment are spread evenly instead of stacked.
 */
export function durationLayout(
  records: readonly TakeoverRecord[],
  limit = 50,
): { points: Point[]; ticks: { y: number; seconds: number }[]; maxSeconds: number } {
  const d = DURATIONS;
  const chosen = [...records]
    .sort((a, b) => b.at - a.at)
    .slice(0, limit)
    .reverse();
  const seconds = chosen.map((r) => num(r.totalMs) / 1000);
  const step = niceStep(Math.max(0, ...seconds));
  const maxSeconds = Math.max(step, Math.ceil(Math.max(0, ...seconds) / step) * step);
  const plotW = d.width - d.left - d.right;
  const plotH = d.height - d.top - d.bottom;
  const first = chosen[0]?.at ?? 0;
  const span = (chosen.at(-1)?.at ?? 0) - first;
  const yOf = (s: number) => d.top + plotH - (s / maxSeconds) * plotH;
  const points = chosen.map((r, i) => {
    const share = span > 0 ? (r.at - first) / span : chosen.length > 1 ? i / (chosen.length - 1) : 0.5;
    const s = seconds[i] ?? 0;
    return { x: d.left + share * plotW, y: yOf(s), seconds: s, at: r.at, kind: r.kind };
  });
  const ticks: { y: number; seconds: number }[] = [];
  // Rounded so 0.1 + 0.2 labels as 0.3, not 0.30000000000000004.
  for (let i = 0; i * step <= maxSeconds + 1e-9; i++) {
    const s = Math.round(i * step * 1000) / 1000;
    ticks.push({ y: yOf(s), seconds: s });
  }
  return { points, ticks, maxSeconds };
}
