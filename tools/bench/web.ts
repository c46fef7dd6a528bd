// `npm run bench -- web [--viewers N] [--requests N] [--pushes N]` (issue #15 item 9)
//
// The real web panel process (firmware/web/main.ts) on loopback, reading a
// loopback aedes broker where the bench publishes, as the daemon does, the
// retained `availability` (online) and `report` (the daemon's own status
// report, _web-report.ts). No daemon: the web process needs it only for
// commands.
// 1. viewers, status_p99_ms: N pages' live streams (default 50) open and
//    reading; then GET /api/status (default 1000 requests after 100 of
//    warm-up, 10 at a time, kept-alive) from sending to the last byte.
//    viewers: the streams that had their first status and were still open
//    both before and after that measurement.
// 2. push_p99_ms: Debian's chromium shows the overview; each push publishes
//    a report with a new config version (Date.now() just before), and a
//    MutationObserver in the page notes Date.now() when the page shows it
//    (same machine clock; both at 1 ms resolution). The streams of 1 stay
//    open meanwhile: the web process pushes to them all.
// 3. web_rss_mb: VmRSS of the web process after both, with everything open.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { topicFor } from '../../firmware/telemetry/topics.ts';
import { getOnce, LiveViewers, statusLatencies, type WebTarget } from './_web-load.ts';
import { OverviewPage, requireChromium } from './_web-push.ts';
import { BENCH_BOX, benchReport } from './_web-report.ts';
import { cookieHeader, startWeb, TOPIC_PREFIX, type WebProcess } from './_web-process.ts';
import { p99, percentile, round1 } from '../stats/percentile.ts';

const CONCURRENCY = 10;
const WARM_UP = 100;
/** The config version the box starts with; pushes count up from PUSH_BASE (same digit count: no prefix matches). */
const FIRST_VERSION = 7;
const PUSH_BASE = 1000;
/** Between pushes: the daemon coalesces its report to at most one per 50 ms; a page sees far fewer. */
const PUSH_GAP_MS = 200;

const SCOPE = { prefix: TOPIC_PREFIX, boxId: BENCH_BOX, controller: 'A' } as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function opt(args: readonly string[], name: string, def: number): number {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : def;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${name}: must be a positive integer`);
  return v;
}

async function publishReport(pub: MqttClient, configVersion: number): Promise<number> {
  const payload = JSON.stringify(benchReport(configVersion));
  const at = Date.now();
  await pub.publishAsync(topicFor(SCOPE, 'report'), payload, { qos: 1, retain: true });
  return at;
}

/** Until the web process has the report and the daemon's availability from the broker. */
async function untilServing(t: WebTarget): Promise<void> {
  const end = Date.now() + 15_000;
  for (;;) {
    const r = await getOnce(t, '/api/status');
    const s = r.code === 200 ? (JSON.parse(r.body) as { daemon?: string; report?: unknown }) : {};
    if (s.daemon === 'online' && s.report !== null && s.report !== undefined) return;
    if (Date.now() > end)
      throw new Error(`web bench: no report in GET /api/status: ${r.code} ${r.body.slice(0, 300)}`);
    await sleep(50);
  }
}

async function statusFigures(t: WebTarget, viewers: LiveViewers, n: number, requests: number) {
  viewers.open(t, n);
  await viewers.waitLive(n, 20_000);
  await statusLatencies(t, WARM_UP, CONCURRENCY);
  const before = viewers.live;
  const ms = await statusLatencies(t, requests, CONCURRENCY);
  const open = Math.min(before, viewers.live);
  const sorted = [...ms].sort((a, b) => a - b);
  console.log(
    `web: ${requests} GET /api/status with ${open} live streams open: p50 ${round1(percentile(sorted, 50))} ms, ` +
      `p99 ${p99(ms)} ms, max ${round1(sorted.at(-1) ?? NaN)} ms`,
  );
  return { status_p99_ms: p99(ms), viewers: open };
}

async function pushFigures(web: WebProcess, pub: MqttClient, pushes: number, viewers: LiveViewers) {
  const page = await OverviewPage.open(web.port, web.cookie);
  try {
    const ms: number[] = [];
    const heardBefore = viewers.fewestStatuses;
    for (let i = 0; i < pushes; i++) {
      const n = PUSH_BASE + i;
      const at = await publishReport(pub, n);
      ms.push((await page.shownAt(n, 5000)) - at);
      await sleep(PUSH_GAP_MS);
    }
    const sorted = [...ms].sort((a, b) => a - b);
    console.log(
      `web: ${pushes} pushes to the overview: p50 ${percentile(sorted, 50)} ms, max ${sorted.at(-1)} ms; ` +
        `every open stream got at least ${viewers.fewestStatuses - heardBefore} of them`,
    );
    return { push_p99_ms: p99(ms) };
  } finally {
    await page.close();
  }
}

export async function run(args: readonly string[]): Promise<Record<string, number>> {
  const n = opt(args, '--viewers', 50);
  const requests = opt(args, '--requests', 1000);
  const pushes = opt(args, '--pushes', 50);
  requireChromium();
  const dir = mkdtempSync(join(tmpdir(), 'tandem-bench-web-'));
  const broker = await Aedes.createBroker();
  const server = createServer(broker.handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const brokerPort = (server.address() as { port: number }).port;
  const viewers = new LiveViewers();
  let pub: MqttClient | null = null;
  let web: WebProcess | null = null;
  try {
    pub = await mqtt.connectAsync(`mqtt://127.0.0.1:${brokerPort}`, { clientId: 'tandem-bench-daemon' });
    await pub.publishAsync(topicFor(SCOPE, 'availability'), 'online', { qos: 1, retain: true });
    await publishReport(pub, FIRST_VERSION);
    web = await startWeb(dir, brokerPort);
    const t: WebTarget = { port: web.port, cookie: cookieHeader(web.cookie) };
    await untilServing(t);
    const status = await statusFigures(t, viewers, n, requests);
    const push = await pushFigures(web, pub, pushes, viewers);
    const mem = web.memory();
    console.log(
      `web: process ${web.pid} VmRSS ${mem.rssKb} kB (anonymous ${mem.anonKb} kB, file ${mem.fileKb} kB) ` +
        `with ${viewers.live} streams open`,
    );
    return {
      status_p99_ms: status.status_p99_ms,
      push_p99_ms: push.push_p99_ms,
      viewers: status.viewers,
      web_rss_mb: round1(mem.rssKb / 1024),
    };
  } finally {
    viewers.close();
    await web?.stop();
    await pub?.endAsync();
    await new Promise<void>((r) => broker.close(() => r()));
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  }
}
