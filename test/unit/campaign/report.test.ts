// campaign.json, campaign.html and the RESULT line all come from the recorded
// steps; the page is self-contained and shows log text as text.
import { LAB_TIMING } from '../../../firmware/cluster/timing.ts';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderHtml } from '../../../tools/campaign/html.ts';
import { runCampaign } from '../../../tools/campaign/loop.ts';
import { summarize, type CampaignDoc } from '../../../tools/campaign/report.ts';
import { writeReport } from '../../../tools/campaign/write.ts';
import { FakeBox } from './fake-executor.ts';

async function badCampaign(): Promise<CampaignDoc> {
  return runCampaign(new FakeBox({ moveOnCut: true, dualMountOnMove: true, loseRow: 77 }), {
    seed: 99,
    from: 0,
    count: 25,
    groups: ['db'],
    timing: LAB_TIMING,
  });
}

describe('campaign report', () => {
  afterEach(() => vi.restoreAllMocks());

  it('computes the RESULT from the steps: counts per judge and nearest-rank outage percentiles', async () => {
    const doc = await badCampaign();
    const r = summarize(doc);
    const all = doc.steps.flatMap((s) => s.violations);
    expect(r.violations).toBe(all.length);
    expect(r.violations).toBeGreaterThan(0);
    expect(r.false_failovers).toBe(all.filter((v) => v.kind === 'false_failover').length);
    const outages = doc.steps.map((s) => s.outageMs).sort((a, b) => a - b);
    expect(r.outage_p50_ms).toBe(Math.round(outages[Math.ceil(0.5 * outages.length) - 1] ?? NaN));
    expect(r.outage_p99_ms).toBe(Math.round(outages.at(-1) ?? NaN));
    expect(summarize({ ...doc, steps: [] })).toMatchObject({ faults: 0, violations: 0, outage_p50_ms: 0 });
  });

  it('renders a page with no script, no external resource, and log text escaped', async () => {
    const doc = await badCampaign();
    const html = renderHtml(doc);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(|src=|href=/i);
    expect(html.match(/https?:\/\//g) ?? []).toEqual(
      Array.from({ length: 2 }, () => 'http://'), // the two SVGs' xmlns, which is a name, not a request
    );
    // The fake's log lines hold markup: on the page it is text.
    expect(html).toContain('&lt;b&gt;takeover&lt;/b&gt;');
    expect(html).not.toContain('<b>takeover</b>');
    expect(html).toContain('npm run campaign -- --replay 99 --from');
    expect(html.match(/<svg /g)).toHaveLength(2);
  });

  it('writes campaign.json and campaign.html and prints the RESULT line last', async () => {
    const doc = await badCampaign();
    const dir = await mkdtemp(join(tmpdir(), 'campaign-'));
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((s: string) => void printed.push(s));
    try {
      await writeReport(dir, doc);
      const json = JSON.parse(await readFile(join(dir, 'campaign.json'), 'utf8')) as CampaignDoc;
      expect(json).toEqual(doc);
      expect(await readFile(join(dir, 'campaign.html'), 'utf8')).toBe(renderHtml(doc));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const last = printed.at(-1) ?? '';
    expect(last).toMatch(
      /^RESULT \{"bench":"campaign","faults":25,"violations":\d+,"dual_vip":\d+,"dual_mount":\d+,"rows_lost":1,"unrecovered":\d+,"false_failovers":\d+,"outage_p50_ms":\d+,"outage_p99_ms":\d+,"seed":99\}$/,
    );
    expect(JSON.parse(last.slice('RESULT '.length))).toEqual(summarize(doc));
  });
});
