// `npm run bench -- footprint` (as root; takes the lab lock itself): issue 19
// item 4, what the firmware costs as it ships, on the lab pair.
//
// 1. Builds the firmware tree once, to a temporary directory (`npm run
//    build`'s buildFirmware), before taking the lab lock: the box runs the
//    emitted JavaScript from /opt/tandem, never the TypeScript the lab
//    normally runs, whose type stripping costs some 30 MB (docs/footprint.md).
//    TANDEM_LAB_FIRMWARE_DIR (tools/lab/configs/daemons.ts) names the built
//    /opt/tandem for the run under the lock: the daemons, panels and web
//    processes are started from it by the lab's own start paths.
// 2. The PostgreSQL pair (pg-{a,b}.json) as the web test runs it, with each
//    controller's own broker, front panel and web panel: what a box runs.
//    With the firmware's default timing (_footprint-config.ts says what the
//    lab's configs set that this takes out), or with `--timing
//    INTERVAL/WARNTIME/DEADTIME` as its heartbeat (tools/lab/configs/timing.ts),
//    to see how the idle CPU follows the interval.
// 3. Once A is active with PostgreSQL and B standby, the panel (`--sim`)
//    and web processes start as the lab tests start them; then a minute of
//    idling, with nothing done to the box. The panel and web processes idle
//    through the same minute, so the daemon's CPU includes serving them, as
//    on a box (where all three always run).
//    - daemon_idle_cpu_pct: utime + stime of the daemon's own process over
//      that minute (/proc/PID/stat), percent of one core; the monitors'
//      commands (psql) are their own processes, not counted.
//    - daemon_rss_mb, panel_rss_mb, web_rss_mb: VmRSS (/proc/PID/status) at
//      the end of the minute, in MB (MiB) with one decimal.
//    Each figure is the larger of A's and B's: the goal holds for each
//    controller, and which one is heavier depends on its role (A runs the
//    group's monitors, B only heartbeats), so the worse of the two is the
//    one to compare. Both are printed.
// 4. start_to_first_heartbeat_ms: B's daemon (standby: it holds no group,
//    so its stop hands nothing over) stopped and started again as after a
//    reboot; from the process's start (/proc/PID/stat starttime, 10 ms
//    ticks, so the lab CLI's own start is not counted) to the daemon's
//    HEARTBEAT_STARTED line, logged right after its first heartbeat is sent.
//
// Fails, naming what, without root or a lab command (preflight), when a
// controller's firmware already runs (someone else's, even without the
// lock: never reset), when a piece does not start, or when the pair was not
// idle (a state change or a path down during the minute). Afterwards: panels and web processes
// stopped, the pair power-cycled to rest (no daemon, as every lab test
// leaves it; the next start is TypeScript again, the variable lives only in
// this bench's processes), the lab down again if the bench brought it up.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildFirmware } from '../image/build-firmware.ts';
import { hostArch } from '../image/firmware/node-modules.ts';
import { resetPair, startPgDaemon, started } from '../lab/client/pg-pair.ts';
import {
  FIRMWARE_DIR_ENV,
  firmwareEntry,
  labOk,
  lab,
  readLog,
  restartDaemon,
  stopDaemon,
  toState,
  waitForLine,
  type FirmwareEntry,
} from '../lab/configs/daemons.ts';
import { labFiles } from '../lab/files.ts';
import { firmwarePid } from '../lab/firmware.ts';
import { isPoweredOn } from '../lab/power.ts';
import { preflight } from '../lab/preflight.ts';
import { CONTROLLERS, lc, type Controller } from '../lab/topology.ts';
import { errorMessage } from '../../hal/errors.ts';
import { defaultConfig } from '../../firmware/config/validate.ts';
import {
  startLocalBroker,
  startPanel,
  type LabPanel,
  type LocalBroker,
} from '../../test/lab/fixtures/panel-lab.ts';
import { startWeb, webConfig, type LabWeb } from '../../test/lab/fixtures/web-lab.ts';
import { formatTiming, parseTiming, withTiming, type BeatTiming } from '../lab/configs/timing.ts';
import { withDefaultTiming } from './_footprint-config.ts';
import { isUnderLabLock, rerunUnderLabLock } from './_lab-lock.ts';
import {
  clockTicks,
  cpuPercent,
  megabytes,
  readCmdline,
  readRssKb,
  readStartedAtMs,
  readStat,
  twoDecimals,
} from './_proc.ts';

const IDLE_MS = 60_000;
const DEFAULT_BEAT = defaultConfig().cluster.heartbeat;
/** The lab up, the pair (PostgreSQL's start), a minute, a restart: well under this. */
const LIMIT_S = 1200;
/** Generous: pg-pair.ts's 30 s waits are sized for the lab's timing, and initdead here is the default 30 s. */
const PAIR_MS = 180_000;
const PANEL_MS = 60_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Held {
  brokers: LocalBroker[];
  panels: Partial<Record<Controller, LabPanel>>;
  webs: Partial<Record<Controller, LabWeb>>;
}

/** Outside the lock: build, then run again under it with the tree named; the tree goes afterwards. */
async function buildThenRerun(args: readonly string[]): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-footprint-'));
  try {
    console.log(`building the firmware tree in ${dir}`);
    await buildFirmware({ out: dir, arch: hostArch(), log: (l) => console.log(`build: ${l}`) });
    // Inherited by the run under the lock (and only by it).
    process.env[FIRMWARE_DIR_ENV] = join(dir, 'opt', 'tandem');
    return await rerunUnderLabLock('footprint', args, LIMIT_S);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function footprintConfig(c: Controller, timing: BeatTiming | undefined): string {
  const base = withDefaultTiming(JSON.parse(readFileSync(webConfig(c), 'utf8')) as Record<string, unknown>);
  const file = `${labFiles.runDir}/footprint-config-${lc(c)}.json`;
  writeFileSync(file, JSON.stringify(timing === undefined ? base : withTiming(base, timing)));
  return file;
}

/** Fails unless `pid` is node running `entry` (not nsenter, not some other process). */
function requireRuns(pid: number, entry: FirmwareEntry, what: string): number {
  const file = firmwareEntry(entry);
  const cmd = readCmdline(pid);
  if (!cmd.includes(file)) throw new Error(`${what}: pid ${pid} runs ${cmd.join(' ')}, not ${file}`);
  return pid;
}

function daemonPid(c: Controller): number {
  const pid = firmwarePid(c);
  if (pid === null) throw new Error(`controller ${c}: no daemon running (${labFiles.firmwareLog(c)})`);
  return requireRuns(pid, 'firmware/daemon', `controller ${c}'s daemon`);
}

/** As startPgPair, with the local brokers, and waits sized for the default timing. */
async function startPair(config: (c: Controller) => string, held: Held): Promise<void> {
  await resetPair();
  held.brokers.push(await startLocalBroker('A'), await startLocalBroker('B'));
  const t0 = Date.now();
  await startPgDaemon('A', config('A'));
  await startPgDaemon('B', config('B'));
  await waitForLine('A', 'A active', t0, toState('active'), PAIR_MS);
  await waitForLine('A', 'PostgreSQL started on A', t0, started('pg'), PAIR_MS);
  await waitForLine('B', 'B standby', t0, toState('standby'), PAIR_MS);
}

async function startFrontEnds(held: Held, box: string): Promise<void> {
  for (const c of CONTROLLERS) held.panels[c] = startPanel(c);
  for (const c of CONTROLLERS) held.webs[c] = await startWeb(c);
  const end = Date.now() + PANEL_MS;
  for (const c of CONTROLLERS) {
    const p = held.panels[c];
    while (p !== undefined && !p.looks.some((l) => l.lcd[0]?.startsWith(box) === true)) {
      if (Date.now() > end)
        throw new Error(`controller ${c}'s panel shows no summary:\n${p.logs.slice(-10).join('\n')}`);
      await sleep(100);
    }
  }
}

/** The larger of A's and B's, both printed. */
function worse(what: string, per: Record<Controller, number>, unit: string): number {
  console.log(`${what}: A ${per.A} ${unit}, B ${per.B} ${unit}`);
  return Math.max(per.A, per.B);
}

async function idleMinute(
  tck: number,
  held: Held,
): Promise<{ cpu: number; daemon: number; panel: number; web: number }> {
  const pids = { A: daemonPid('A'), B: daemonPid('B') };
  const since = Date.now();
  const before = { A: readStat(pids.A).cpuTicks, B: readStat(pids.B).cpuTicks };
  const t0 = performance.now();
  console.log(`idling ${IDLE_MS / 1000} s: daemons A ${pids.A}, B ${pids.B}`);
  await sleep(IDLE_MS);
  const wall = performance.now() - t0;
  const cpu = { A: 0, B: 0 };
  for (const c of CONTROLLERS) {
    if (firmwarePid(c) !== pids[c])
      throw new Error(`controller ${c}'s daemon (pid ${pids[c]}) did not last the minute`);
    cpu[c] = twoDecimals(cpuPercent(before[c], readStat(pids[c]).cpuTicks, tck, wall));
    const busy = readLog(c).filter(
      (l) => l.ts >= since && (l.code === 'STATE_CHANGED' || l.code === 'PATH_DOWN'),
    );
    if (busy.length > 0)
      throw new Error(
        `controller ${c} was not idle: ${busy.map((l) => `${l.code} ${l.message}`).join('; ')}`,
      );
  }
  const rss = (pid: (c: Controller) => number) => ({
    A: megabytes(readRssKb(pid('A'))),
    B: megabytes(readRssKb(pid('B'))),
  });
  const frontEnd = (p: { pid: number } | undefined, entry: FirmwareEntry, c: Controller): number => {
    if (p === undefined) throw new Error(`controller ${c}: ${entry} was not started`);
    return requireRuns(p.pid, entry, `controller ${c}'s ${entry}`);
  };
  return {
    cpu: worse('daemon idle CPU', cpu, '%'),
    daemon: worse(
      'daemon RSS',
      rss((c) => pids[c]),
      'MB',
    ),
    panel: worse(
      'panel RSS',
      rss((c) => frontEnd(held.panels[c], 'firmware/panel/main', c)),
      'MB',
    ),
    web: worse(
      'web RSS',
      rss((c) => frontEnd(held.webs[c], 'firmware/web/main', c)),
      'MB',
    ),
  };
}

/** B's daemon restarted: its process start to its HEARTBEAT_STARTED line. */
async function startToFirstHeartbeat(tck: number): Promise<number> {
  await stopDaemon('B');
  const stopped = Date.now();
  if (!isPoweredOn('B'))
    throw new Error('controller B was powered off (its watchdog?) when its daemon stopped');
  await restartDaemon('B');
  const spawned = readStartedAtMs(daemonPid('B'), tck);
  const hb = await waitForLine(
    'B',
    'HEARTBEAT_STARTED',
    stopped,
    (l) => l.code === 'HEARTBEAT_STARTED',
    30_000,
  );
  const ms = Math.round(hb.ts - spawned);
  if (ms <= 0) throw new Error(`HEARTBEAT_STARTED at ${hb.ts}, before the process started (${spawned})`);
  console.log(`B: ${ms} ms from its start to the first heartbeat`);
  return ms;
}

/** Everything the bench started, stopped; each failure printed. Returns how many failed. */
async function cleanUp(held: Held, wasUp: boolean): Promise<number> {
  let failed = 0;
  const step = async (what: string, f: () => Promise<unknown>): Promise<void> => {
    try {
      await f();
    } catch (err) {
      failed++;
      console.error(`footprint clean-up: ${what} failed: ${errorMessage(err)}`);
    }
  };
  for (const p of Object.values(held.panels)) await step('a panel stop', () => p.stop());
  for (const w of Object.values(held.webs)) await step('a web process stop', () => w.stop());
  // Both controllers power-cycled: the daemons, PostgreSQL, the brokers, the VIP gone.
  await step('the pair reset', () => resetPair());
  for (const b of held.brokers) await step('a broker stop', () => b.stop());
  for (const c of CONTROLLERS) rmSync(`${labFiles.runDir}/footprint-config-${lc(c)}.json`, { force: true });
  if (!wasUp) await step('lab down', () => labOk(['down']));
  return failed;
}

async function underLock(timing: BeatTiming | undefined): Promise<Record<string, number>> {
  if (process.env[FIRMWARE_DIR_ENV] === undefined)
    throw new Error(
      `footprint: ${FIRMWARE_DIR_ENV} is unset: run it as \`npm run bench -- footprint\`, which builds the tree`,
    );
  const tck = await clockTicks();
  const status = await lab(['status', '--json']);
  if (status.code !== 0) throw new Error(`lab status exited ${status.code}: ${status.stderr}`);
  const wasUp = (JSON.parse(status.stdout) as { up?: boolean }).up === true;
  if (!wasUp) await labOk(['up']);
  // A firmware already running means someone else uses the lab, maybe
  // without the lock (an older checkout's campaign did): refuse, never reset it.
  for (const c of CONTROLLERS) {
    const pid = firmwarePid(c);
    if (pid !== null)
      throw new Error(`the lab is in use: controller ${c}'s firmware runs as pid ${pid}; stop it first`);
  }
  const held: Held = { brokers: [], panels: {}, webs: {} };
  let result: Record<string, number>;
  try {
    const files = { A: footprintConfig('A', timing), B: footprintConfig('B', timing) };
    const box = (JSON.parse(readFileSync(files.A, 'utf8')) as { box: { id: string } }).box.id;
    const beat = timing === undefined ? 'default timing' : `timing ${formatTiming(timing)}`;
    console.log(`the pair from ${process.env[FIRMWARE_DIR_ENV]}, ${beat}`);
    await startPair((c) => files[c], held);
    await startFrontEnds(held, box);
    const idle = await idleMinute(tck, held);
    result = {
      daemon_rss_mb: idle.daemon,
      daemon_idle_cpu_pct: idle.cpu,
      panel_rss_mb: idle.panel,
      web_rss_mb: idle.web,
      start_to_first_heartbeat_ms: await startToFirstHeartbeat(tck),
      // The heartbeat the figures were measured at (the defaults' without --timing).
      interval_ms: timing?.intervalMs ?? DEFAULT_BEAT.intervalMs,
      deadtime_ms: timing?.deadtimeMs ?? DEFAULT_BEAT.deadtimeMs,
    };
  } catch (err) {
    await cleanUp(held, wasUp);
    throw err;
  }
  if ((await cleanUp(held, wasUp)) > 0)
    throw new Error('footprint: measured, but the clean-up failed (above)');
  return result;
}

/** `--timing I/W/D` or nothing: parseArgs refuses anything else, naming it. */
function parseFootprintArgs(args: readonly string[]): BeatTiming | undefined {
  const { values } = parseArgs({ args: [...args], options: { timing: { type: 'string' } } });
  return values.timing === undefined ? undefined : parseTiming(values.timing);
}

export async function run(args: readonly string[]): Promise<Record<string, number | string>> {
  const timing = parseFootprintArgs(args);
  // Root and every command the lab runs, named, before a 25 s build.
  preflight();
  return isUnderLabLock() ? underLock(timing) : buildThenRerun(args);
}
