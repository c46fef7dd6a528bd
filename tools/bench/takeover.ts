// `npm run bench -- takeover [--trials N] [--loads 200,1000] [--writes-s 10] [--timing I/W/D]`
// (as root; takes the lab lock itself)
//
// For N trials each (default 5), with the client workload inserting through
// the VIP and the takeover probe watching from tdm-client:
//  - crash: controller A powered off (everything in it killed at once);
//  - switchover: the `switchover db` command on the controller holding the
//    group, sent on its control socket from this process (alternating A->B,
//    B->A; a `tandemctl` process would add its own start, about half a second);
// time from the fault (or command) until (a) the VIP answers ARP from the new
// holder's MAC and (b) PostgreSQL answers SELECT 1 through the VIP from a
// postmaster started after the fault, and how many acknowledged rows the
// client cannot read back. Anchor in the same run: keepalived (VRRP, advert
// 1 s) in A and B, kill -9 of A's keepalived -> the VIP answers ARP from B.
// Both clocks are this machine's CLOCK_REALTIME.
//
// Then the crash again under a background write load for each rate of
// `--loads` (pgbench through the VIP, tools/lab/client/pgbench-load.ts,
// writing for `--writes-s` seconds before the fault, 10 by default; the
// RESULT says it as `writes_s`): `crash_db_p50_ms_at_<N>tps`, the
// growth of the takeover with the WAL PostgreSQL has to replay, and
// `pgbench_tps_at_<N>tps`, the rate pgbench reached (the median trial's). The
// plain crash is the curve's 0 (no pgbench; the client workload runs in all).
//
// `--timing INTERVAL/WARNTIME/DEADTIME` runs the lab's PostgreSQL pair with
// that heartbeat (tools/lab/configs/timing.ts) instead of pg-{a,b}.json's 100/600/1000;
// the RESULT says which as `heartbeat`.
//
// A daemon trial that fails leaves its fields "unmeasured" and `daemon_error`
// says why. Never a made-up number.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { arpRepliers, lanMac } from '../lab/client/lan-view.ts';
import { GROUP, command, pgConfigFile, resetPair, startPgPair } from '../lab/client/pg-pair.ts';
import { PgbenchLoad, initPgbench } from '../lab/client/pgbench-load.ts';
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
import { LAB_TIMING } from '../../firmware/cluster/timing.ts';
import { formatTiming, parseTiming, timedConfigFile, type BeatTiming } from '../lab/configs/timing.ts';
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
  /** The pgbench rate achieved before the fault (crash under load only). */
  readonly loadTps?: number;
}

async function measured(to: Controller, fault: () => Promise<void>): Promise<Trial> {
  const r = await takeoverUnderLoad(to, fault, TAKEOVER_TIMEOUT_MS);
  if (!r.report.readback.ok) throw new Error(`workload could not read back: ${r.report.readback.error}`);
  // Where the time went, step by step on both controllers (not part of RESULT).
  const steps = new Set(['FAILOVER_TRANSITION', 'RESOURCE_STARTED', 'RESOURCE_STOPPED', 'PEER_DEAD']);
  for (const c of ['A', 'B'] as const)
    console.log(timelineSince(c, r.t0, 200, (l) => steps.has(l.code)).join('\n'));
  return {
    vipMs: r.vipMs,
    dbMs: r.dbMs,
    rowsLost: r.report.missing.length,
    acknowledged: r.report.acknowledged,
  };
}

/** The config file each controller of the pair runs. */
type PairConfig = (c: Controller) => string;

/** `tps` > 0: with pgbench writing that many transactions a second through the VIP for `writesMs` first. */
async function crashTrials(pair: PairConfig, n: number, tps = 0, writesMs = 0): Promise<Trial[]> {
  const out: Trial[] = [];
  for (let i = 0; i < n; i++) {
    await startPgPair(pair);
    if (tps > 0 && i === 0) await initPgbench();
    const load = tps > 0 ? await PgbenchLoad.start(tps, writesMs) : undefined;
    try {
      const achieved = load?.achievedTps();
      const measuredTrial = await measured('B', async () => {
        await powerOff('A');
      });
      const t = achieved === undefined ? measuredTrial : { ...measuredTrial, loadTps: achieved };
      console.log(
        `crash ${i + 1}/${n}${load ? ` at ${tps} tps (pgbench achieved ${achieved})` : ''}: ` +
          `vip ${t.vipMs} ms, db ${t.dbMs} ms, lost ${t.rowsLost}/${t.acknowledged}`,
      );
      out.push(t);
    } finally {
      await load?.stop();
    }
  }
  await resetPair();
  return out;
}

async function switchoverTrials(pair: PairConfig, n: number): Promise<Trial[]> {
  const out: Trial[] = [];
  await startPgPair(pair);
  let holder: Controller = 'A';
  for (let i = 0; i < n; i++) {
    const from: Controller = holder;
    const to: Controller = from === 'A' ? 'B' : 'A';
    const t = await measured(to, async () => {
      await command(from, 'switchover', { group: GROUP });
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

/** `--loads 200,1000`: the pgbench rates of the crash curve (none: ""). */
export function parseLoads(text: string): number[] {
  if (text.trim() === '') return [];
  const out = text.split(',').map((v) => Number(v.trim()));
  for (const v of out)
    if (!Number.isInteger(v) || v < 1 || v > 100_000)
      throw new Error(`--loads: each rate must be an integer 1..100000 tps, got ${JSON.stringify(text)}`);
  return out;
}

/**
 * `--writes-s`: seconds of pgbench writes before each loaded crash (the WAL
 * recovery replays); pgbench itself runs 600 s, which leaves a minute for the crash.
 */
export function parseWritesS(text: string): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < 1 || v > 540)
    throw new Error(`--writes-s: must be an integer 1..540 seconds, got ${JSON.stringify(text)}`);
  return v;
}

/** pg-{a,b}.json, or copies with `timing` in the lab's run directory (it exists once the lab is up). */
function pairConfig(timing: BeatTiming | undefined): PairConfig {
  if (timing === undefined) return pgConfigFile;
  const files: Record<Controller, string> = {
    A: timedConfigFile(pgConfigFile('A'), timing, 'takeover'),
    B: timedConfigFile(pgConfigFile('B'), timing, 'takeover'),
  };
  return (c) => files[c];
}

async function inLab(
  pair: PairConfig,
  trials: number,
  loads: readonly number[],
  writesS: number,
): Promise<Record<string, number | string>> {
  const ka = await keepalivedTrials(trials);
  const result: Record<string, number | string> = { trials };
  const unmeasured = (why: string): Record<string, number | string> => ({
    crash_vip_p50_ms: 'unmeasured',
    crash_db_p50_ms: 'unmeasured',
    crash_db_p99_ms: 'unmeasured',
    switchover_db_p50_ms: 'unmeasured',
    ...Object.fromEntries(loads.map((tps) => [`crash_db_p50_ms_at_${tps}tps`, 'unmeasured'])),
    rows_lost: 'unmeasured',
    daemon_error: why.split('\n')[0]?.slice(0, 300) ?? why,
  });
  try {
    const crash = await crashTrials(pair, trials);
    const sw = await switchoverTrials(pair, trials);
    const loaded: Trial[] = [];
    const curve: Record<string, number | string> = {};
    for (const tps of loads) {
      // One rate that fails (pgbench could not keep up) leaves the others measured.
      try {
        const t = await crashTrials(pair, trials, tps, writesS * 1000);
        loaded.push(...t);
        curve[`crash_db_p50_ms_at_${tps}tps`] = percentileOf(t, 'dbMs', 50);
        curve[`pgbench_tps_at_${tps}tps`] = percentile(
          t.map((x) => x.loadTps ?? NaN),
          50,
        );
      } catch (err) {
        console.error(`crash at ${tps} tps failed: ${errorMessage(err)}`);
        await resetPair().catch(() => undefined);
        curve[`crash_db_p50_ms_at_${tps}tps`] = 'unmeasured';
        curve[`load_error_at_${tps}tps`] = errorMessage(err).split('\n')[0]?.slice(0, 200) ?? '';
      }
    }
    Object.assign(result, {
      crash_vip_p50_ms: percentileOf(crash, 'vipMs', 50),
      crash_db_p50_ms: percentileOf(crash, 'dbMs', 50),
      crash_db_p99_ms: percentileOf(crash, 'dbMs', 99),
      switchover_vip_p50_ms: percentileOf(sw, 'vipMs', 50),
      switchover_db_p50_ms: percentileOf(sw, 'dbMs', 50),
      ...curve,
      ...(loads.length > 0 ? { writes_s: writesS } : {}),
      rows_lost: [...crash, ...sw, ...loaded].reduce((s, t) => s + t.rowsLost, 0),
      rows_acknowledged: [...crash, ...sw, ...loaded].reduce((s, t) => s + t.acknowledged, 0),
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
    options: {
      trials: { type: 'string' },
      loads: { type: 'string' },
      'writes-s': { type: 'string' },
      timing: { type: 'string' },
    },
    allowPositionals: true,
  });
  const trials = Number(values.trials ?? positionals[0] ?? 5);
  if (!Number.isInteger(trials) || trials < 1) throw new Error('--trials: must be a positive integer');
  const loads = parseLoads(values.loads ?? '200,1000');
  const writesS = parseWritesS(values['writes-s'] ?? '10');
  const timing = values.timing === undefined ? undefined : parseTiming(values.timing);
  if (!isUnderLabLock()) return rerunUnderLabLock('takeover', args, 3600);

  process.on('exit', killAllSync); // never leave a keepalived behind, whatever happens
  const wasUp = (JSON.parse(await lab(['status', '--json'])) as { up?: boolean }).up === true;
  if (!wasUp) await lab(['up']);
  try {
    return {
      heartbeat: formatTiming(timing ?? LAB_TIMING),
      ...(await inLab(pairConfig(timing), trials, loads, writesS)),
    };
  } finally {
    if (!wasUp) await lab(['down']);
  }
}
