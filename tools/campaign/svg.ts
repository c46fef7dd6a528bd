// The report's two charts as inline SVG strings (no script, no font, no
// network: the page must open from a CI artifact or a mail attachment).
// Every label passes through escapeHtml.
import { escapeHtml } from './escape.ts';
import type { StepRecord } from './report.ts';
import type { FaultKind } from './menu.ts';
import { percentile } from '../stats/percentile.ts';

const W = 760;
const ROW = 22;
const LEFT = 130;

function scale(max: number): (v: number) => number {
  const top = max > 0 ? max : 1;
  return (v) => LEFT + ((W - LEFT - 20) * Math.min(v, top)) / top;
}

/** Each kind's outages as dots on one row, its median as a bar; a step of two faults counts under both kinds. */
export function outageByKindSvg(steps: readonly StepRecord[]): string {
  const byKind = new Map<FaultKind, number[]>();
  for (const s of steps)
    for (const { fault } of s.faults) {
      const list = byKind.get(fault.kind) ?? [];
      list.push(s.outageMs);
      byKind.set(fault.kind, list);
    }
  const kinds = [...byKind.keys()].sort();
  const max = Math.max(0, ...steps.map((s) => s.outageMs));
  const x = scale(max);
  const h = ROW * kinds.length + 40;
  const rows = kinds.map((k, i) => {
    const y = 20 + i * ROW + ROW / 2;
    const vs = (byKind.get(k) ?? []).sort((a, b) => a - b);
    const dots = vs
      .map((v) => `<circle cx="${x(v).toFixed(1)}" cy="${y}" r="3" fill="#3366aa" fill-opacity="0.5"/>`)
      .join('');
    const med = x(percentile(vs, 50));
    return (
      `<text x="${LEFT - 6}" y="${y + 4}" text-anchor="end">${escapeHtml(k)} (${vs.length})</text>` +
      `<line x1="${LEFT}" x2="${W - 20}" y1="${y}" y2="${y}" stroke="#ddd"/>${dots}` +
      `<line x1="${med.toFixed(1)}" x2="${med.toFixed(1)}" y1="${y - 8}" y2="${y + 8}" stroke="#c33" stroke-width="2"/>`
    );
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h}" font-size="11" font-family="sans-serif">` +
    rows.join('') +
    `<text x="${LEFT}" y="${h - 6}">0 ms</text><text x="${W - 20}" y="${h - 6}" text-anchor="end">${max} ms</text>` +
    `</svg>`
  );
}

/** One bar per step in run order, red where the step had a violation. */
export function outageOverRunSvg(steps: readonly StepRecord[]): string {
  const h = 180;
  const max = Math.max(1, ...steps.map((s) => s.outageMs));
  const bw = (W - 60) / Math.max(1, steps.length);
  const bars = steps.map((s, i) => {
    const bh = ((h - 40) * s.outageMs) / max;
    const colour = s.violations.length > 0 ? '#c33' : '#3366aa';
    return (
      `<rect x="${(50 + i * bw).toFixed(2)}" y="${(h - 20 - bh).toFixed(1)}" width="${Math.max(1, bw - 1).toFixed(2)}" ` +
      `height="${bh.toFixed(1)}" fill="${colour}"><title>step ${s.index}: ${s.outageMs} ms</title></rect>`
    );
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h}" font-size="11" font-family="sans-serif">` +
    `<text x="46" y="24" text-anchor="end">${max} ms</text><text x="46" y="${h - 20}" text-anchor="end">0</text>` +
    `<line x1="50" x2="${W - 10}" y1="${h - 20}" y2="${h - 20}" stroke="#999"/>${bars.join('')}` +
    `<text x="50" y="${h - 4}">step ${steps[0]?.index ?? 0}</text>` +
    `<text x="${W - 10}" y="${h - 4}" text-anchor="end">step ${steps.at(-1)?.index ?? 0}</text></svg>`
  );
}
