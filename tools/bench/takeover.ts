// `npm run bench -- takeover [--trials N]` (as root; takes the lab lock itself)
//
// For N trials each (default 5), with the client workload inserting through
// the VIP and the takeover probe watching from tdm-client:
//  - crash: controller A powered off (everything in it killed at once);
//  - switchover: `tandemctl switchover db` on the controller holding the group
//    (alternating A->B, B->A);
// time from the fault (or command) until (a) the VIP answers ARP from the new
// holder's MAC and (b) PostgreSQL answers SELECT 1 through the VIP from a
// postmaster started after the fault, and how many acknowledged rows the
// client cannot read back. Anchor in the same run: keepalived (VRRP, advert
// 1 s) in A and B, kill -9 of A's keepalived -> the VIP answers ARP from B.
// Both clocks are this machine's CLOCK_REALTIME.
//
// A daemon trial that fails leaves its fields "unmeasured" and `daemon_error`
// says why. Never a made-up number.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { arpRepliers, lanMac } from '../lab/client/lan-view.ts';
import { GROUP, resetPair, startPgPair, tandemctl } from '../lab/client/pg-pair.ts';
import { TakeoverProbe } from '../lab/client/probe-driver.ts';
import { takeoverUnderLoad } from '../lab/client/takeover-run.ts';
import { timelineSince } from '../lab/client/timeline.ts';
import {
  crashKeepalived,
  dropVip,
  killAllSync,
  startKeepalived,
  stopAll as stopKeepalivedEverywhere,
} from '../lab/keepalived.ts';
import { powerOff } from '../lab/power.ts';
import { tryRun } from '../lab/run.ts';
import type { Controller } from '../lab/topology.ts';
import { isUnderLabLock, rerunUnderLabLock } from './_lab-lock.ts';
import { errorMessage } from '../../hal/errors.ts';

const LAB = fileURLToPath(new URL('../lab/cli.ts', import.meta.url));
const TAKEOVER_TIMEOUT_MS = 60_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? NaN;
}

async function lab(args: readonly string[]): Promise<string> {
  const r = await tryRun(process.execPath, [LAB, ...args], { timeoutMs: 300_000 });
  if (r.code !== 0) throw new Error(`lab ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

function percentileOf(trials: readonly Trial[], field: 'vipMs' | 'dbMs', p: number): number {
  return percentile(
    trials.map((t) => t[field]),
    p,
  );
}

interface Trial {
  readonly vipMs: number;
  readonly dbMs: number;
  readonly rowsLost: number;
  readonly acknowledged: number;
}

async function measured(to: Controller, fault: () => Promise<void>): Promise<Trial> {
  const r = await takeoverUnderLoad(to, fault, TAKEOVER_TIMEOUT_MS);
  if (!r.report.readback.ok) throw new Error(`workload could not read back: ${r.report.readback.error}`);
  // Where the time went, step by step on the new holder (not part of RESULT).
  const steps = new Set(['FAILOVER_TRANSITION', 'RESOURCE_STARTED', 'PEER_DEAD']);
  console.log(timelineSince(to, r.t0, 200, (l) => steps.has(l.code)).join('\n'));
  return {
    vipMs: r.vipMs,
    dbMs: r.dbMs,
    rowsLost: r.report.missing.length,
    acknowledged: r.report.acknowledged,
  };
}

async function crashTrials(n: number): Promise<Trial[]> {
  const out: Trial[] = [];
  for (let i = 0; i < n; i++) {
    await startPgPair();
    const t = await measured('B', async () => {
      await powerOff('A');
    });
    console.log(
      `crash ${i + 1}/${n}: vip ${t.vipMs} ms, db ${t.dbMs} ms, lost ${t.rowsLost}/${t.acknowledged}`,
    );
    out.push(t);
  }
  await resetPair();
  return out;
}

async function switchoverTrials(n: number): Promise<Trial[]> {
  const out: Trial[] = [];
  await startPgPair();
  let holder: Controller = 'A';
  for (let i = 0; i < n; i++) {
    const from: Controller = holder;
    const to: Controller = from === 'A' ? 'B' : 'A';
    const t = await measured(to, async () => {
      await tandemctl(from, 'switchover', GROUP);
    });
    console.log(
      `switchover ${from}->${to} ${i + 1}/${n}: vip ${t.vipMs} ms, db ${t.dbMs} ms, lost ${t.rowsLost}/${t.acknowledged}`,
    );
    out.push(t);
    holder = to;
  }
  await resetPair();
  return out;
}

async function keepalivedTrials(n: number): Promise<number[]> {
  const [macA, macB] = [await lanMac('A'), await lanMac('B')];
  const holders = await arpRepliers();
  if (holders.length > 0) throw new Error(`the VIP is already answered by ${holders.join(', ')}`);
  const out: number[] = [];
  const probe = await (async () => {
    await startKeepalived('A');
    await startKeepalived('B');
    return TakeoverProbe.start(false, 20_000);
  })();
  try {
    for (let i = 0; i < n; i++) {
      // A (priority 150) preempts: wait until it answers and B has let go.
      const since = Date.now();
      await probe.arpFrom(macA, i === 0 ? 0 : since, 20_000);
      await sleep(2000);
      const t0 = Date.now();
      crashKeepalived('A');
      // A crashed box answers nothing: the killed keepalived left the VIP on lan0.
      await dropVip('A');
      const arp = await probe.arpFrom(macB, t0, 20_000);
      console.log(`keepalived ${i + 1}/${n}: vip ${arp.t - t0} ms`);
      out.push(arp.t - t0);
      await startKeepalived('A');
    }
  } finally {
    await probe.stop();
    await stopKeepalivedEverywhere();
  }
  return out;
}

async function inLab(trials: number): Promise<Record<string, number | string>> {
  const ka = await keepalivedTrials(trials);
  const result: Record<string, number | string> = { trials };
  const unmeasured = (why: string): Record<string, number | string> => ({
    crash_vip_p50_ms: 'unmeasured',
    crash_db_p50_ms: 'unmeasured',
    crash_db_p99_ms: 'unmeasured',
    switchover_db_p50_ms: 'unmeasured',
    rows_lost: 'unmeasured',
    daemon_error: why.split('\n')[0]?.slice(0, 300) ?? why,
  });
  try {
    const crash = await crashTrials(trials);
    const sw = await switchoverTrials(trials);
    Object.assign(result, {
      crash_vip_p50_ms: percentileOf(crash, 'vipMs', 50),
      crash_db_p50_ms: percentileOf(crash, 'dbMs', 50),
      crash_db_p99_ms: percentileOf(crash, 'dbMs', 99),
      switchover_vip_p50_ms: percentileOf(sw, 'vipMs', 50),
      switchover_db_p50_ms: percentileOf(sw, 'dbMs', 50),
      rows_lost: [...crash, ...sw].reduce((s, t) => s + t.rowsLost, 0),
      rows_acknowledged: [...crash, ...sw].reduce((s, t) => s + t.acknowledged, 0),
    });
  } catch (err) {
    console.error(`daemon trials failed: ${errorMessage(err)}`);
    await resetPair().catch(() => undefined);
    Object.assign(result, unmeasured(errorMessage(err)));
  }
  result['keepalived_vip_p50_ms'] = percentile(ka, 50);
  result['keepalived_vip_max_ms'] = Math.max(...ka);
  return result;
}

export async function run(args: readonly string[]): Promise<Record<string, number | string>> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { trials: { type: 'string' } },
    allowPositionals: true,
  });
  const trials = Number(values.trials ?? positionals[0] ?? 5);
  if (!Number.isInteger(trials) || trials < 1) throw new Error('--trials: must be a positive integer');
  if (!isUnderLabLock()) return rerunUnderLabLock('takeover', args, 3600);

  process.on('exit', killAllSync); // never leave a keepalived behind, whatever happens
  const wasUp = (JSON.parse(await lab(['status', '--json'])) as { up?: boolean }).up === true;
  if (!wasUp) await lab(['up']);
  try {
    return await inLab(trials);
  } finally {
    if (!wasUp) await lab(['down']);
  }
}
