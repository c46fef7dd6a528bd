// campaign.html: the campaign for a human, self-contained (inline CSS and
// SVG, no script, no external font or request), every text from the run
// escaped. Built from the CampaignDoc alone, like the RESULT line.
import { escapeHtml } from './escape.ts';
import { replayCommand, summarize, type CampaignDoc, type StepRecord } from './report.ts';
import { outageByKindSvg, outageOverRunSvg } from './svg.ts';

const STYLE = `body{font:13px sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:2px 6px;vertical-align:top;text-align:left}
.bad{background:#fdd}pre{margin:0;font-size:11px;white-space:pre-wrap}code{font-size:12px}`;

function iso(t: number): string {
  return Number.isFinite(t) ? new Date(t).toISOString() : String(t);
}

function stepRow(doc: CampaignDoc, s: StepRecord, end: number): string {
  const faults = s.faults
    .map((f) => `<code>${escapeHtml(JSON.stringify(f.fault))}</code><br>heal: ${escapeHtml(f.heal)}`)
    .join('<hr>');
  const timeline = s.timeline.map((e) => `${e.t - s.injectedAt} ms ${escapeHtml(e.what)}`).join('<br>');
  const violations = s.violations
    .map(
      (v) =>
        `<details><summary>${escapeHtml(v.kind)}: ${escapeHtml(v.detail)}</summary>` +
        `<div>replay: <code>${escapeHtml(replayCommand(doc.seed, s.index, end))}</code></div><pre>` +
        v.logs.map((l) => `${iso(l.t)} ${escapeHtml(l.source)} ${escapeHtml(l.text)}`).join('\n') +
        `</pre></details>`,
    )
    .join('');
  return (
    `<tr${s.violations.length > 0 ? ' class="bad"' : ''}><td>${s.index}</td><td>${escapeHtml(s.overlap)}</td>` +
    `<td>${faults}</td><td>${s.holdMs}</td><td>${s.boundMs}</td><td>${escapeHtml(s.takeover)}</td>` +
    `<td>${timeline}</td><td>${s.recoveryMs ?? 'not within bound'}</td><td>${s.outageMs}</td><td>${violations}</td></tr>`
  );
}

export function renderHtml(doc: CampaignDoc): string {
  const r = summarize(doc);
  const end = doc.from + doc.steps.length;
  const summary = Object.entries(r)
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(String(v))}</td></tr>`)
    .join('');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Tandem fault campaign, seed ${doc.seed}</title>
<style>${STYLE}</style></head><body>
<h1>Fault campaign, seed ${doc.seed}</h1>
<p>Steps ${doc.from} to ${end - 1}, ${iso(doc.startedAt)} to ${iso(doc.endedAt)}.</p>
<table>${summary}</table>
<h2>Client-seen outage per kind of fault</h2>
${outageByKindSvg(doc.steps)}
<h2>Client-seen outage over the run</h2>
${outageOverRunSvg(doc.steps)}
<h2>Steps</h2>
<table><tr><th>step</th><th>overlap</th><th>faults</th><th>hold ms</th><th>bound ms</th><th>takeover</th>
<th>timeline</th><th>recovery ms</th><th>outage ms</th><th>violations</th></tr>
${doc.steps.map((s) => stepRow(doc, s, end)).join('\n')}
</table></body></html>
`;
}
