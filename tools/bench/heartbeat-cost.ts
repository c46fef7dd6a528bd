// `npm run bench -- heartbeat-cost [--interval MS] [--warntime MS]
// [--deadtime MS] [--seconds N]`: what heartbeating itself costs a
// controller, without the lab (no root, no namespaces): issue 19 wants a
// 50 ms interval by default and at most 1 % of a core idle, and this is the
// figure to move while working towards it.
//
// Builds the firmware tree to a temporary directory (as the footprint
// bench: the box runs the emitted JavaScript), then runs a pair of daemons
// on loopback (_heartbeat-cost-config.ts: the private link between
// 127.0.0.1 and 127.0.0.2, the serial path over a socat pty pair, no disk
// node, no group, no MQTT, no watchdog), each with its own TANDEM_SYSROOT
// at normal priority, with the image's node options (S95tandemd's
// NODE_ARGS). After both hear each other and 5 s more, it reads
// each daemon's utime + stime over `--seconds` (default 60) and its VmRSS at
// the end. Fails if a daemon exits or the peer is suspected or declared
// dead during the measurement. Last line:
// RESULT {"bench":"heartbeat-cost","floor":0,"interval_ms":…,"deadtime_ms":…,
//   "seconds":…,"cpu_pct":…,"cpu_pct_a":…,"cpu_pct_b":…,"rss_mb":…}
// (cpu_pct and rss_mb: the larger of A's and B's).
//
// `--floor` runs, in the daemons' place, a pair of bare node processes
// (_beat-floor.ts) that per interval only send one datagram and one serial
// frame each way, with the same options, addresses and pty pair, and no
// firmware: what the runtime costs before the daemon does anything
// (`"floor":1`; no firmware is built). The daemon's figure can come near
// this one but not under it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildFirmware } from '../image/build-firmware.ts';
import { hostArch } from '../image/firmware/node-modules.ts';
import { CONTROLLERS, lc, type Controller } from '../lab/topology.ts';
import { imageNodeArgs } from '../lab/configs/daemons.ts';
import { formatTiming, type BeatTiming } from '../lab/configs/timing.ts';
import { otherController } from '../../firmware/cluster/codes.ts';
import { heartbeatCostConfig, LOOPBACK, LOOPBACK_PORT } from './_heartbeat-cost-config.ts';
import { FLOOR_PROGRAM } from './_beat-floor.ts';
import { clockTicks, cpuPercent, megabytes, readRssKb, readStat, twoDecimals } from './_proc.ts';

const LAB_CONFIGS = new URL('../lab/configs/', import.meta.url).pathname;
const WARMUP_MS = 5000;
const HEARD_MS = 30_000;
/** Membership's codes that mean the peer was doubted: none may appear while measuring. */
const DOUBT = /"code":"(PEER_SUSPECT|PEER_DEAD)"/;
/** What each process prints once it hears its peer: the daemon's membership, or the floor's. */
const HEARD = { daemon: /"code":"PEER_ALIVE"/, floor: /^HEARD$/m } as const;
type Kind = keyof typeof HEARD;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function intArg(name: string, v: string | undefined, def: number, min: number, max: number): number {
  const n = Number(v ?? def);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`--${name} must be ${min}..${max}, got ${v}`);
  return n;
}

interface Daemon {
  readonly controller: Controller;
  readonly child: ChildProcess;
  readonly log: string[];
}

function logged(c: Controller, child: ChildProcess): Daemon {
  const log: string[] = [];
  child.stdout?.on('data', (d: Buffer) => log.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => log.push(d.toString()));
  return { controller: c, child, log };
}

/** The floor process in controller `c`'s place (_beat-floor.ts). */
function startFloor(dir: string, c: Controller, timing: BeatTiming): Daemon {
  const child = spawn(
    process.execPath,
    [
      ...imageNodeArgs('firmware/daemon'),
      '--input-type=module',
      '--eval',
      FLOOR_PROGRAM,
      LOOPBACK[c],
      LOOPBACK[otherController(c)],
      String(LOOPBACK_PORT),
      String(timing.intervalMs),
      join(dir, `tty-${lc(c)}`),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return logged(c, child);
}

function startDaemon(dir: string, app: string, c: Controller, timing: BeatTiming): Daemon {
  const root = join(dir, `root-${lc(c)}`);
  for (const d of ['etc/tandem', 'run/tandem', 'var/lib/tandem', 'var/run', 'dev'])
    mkdirSync(join(root, d), { recursive: true });
  const base = JSON.parse(readFileSync(join(LAB_CONFIGS, `${lc(c)}.json`), 'utf8')) as Record<
    string,
    unknown
  >;
  writeFileSync(join(root, 'etc/tandem/tandem.json'), JSON.stringify(heartbeatCostConfig(base, c, timing)));
  const child = spawn(
    process.execPath,
    [...imageNodeArgs('firmware/daemon'), join(app, 'firmware', 'daemon.js')],
    {
      env: {
        ...process.env,
        TANDEM_SYSROOT: root,
        TANDEM_CONTROLLER_ID: c,
        TANDEM_REALTIME: 'off',
        TANDEM_SERIAL_TTY: join(dir, `tty-${lc(c)}`),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return logged(c, child);
}

function pidOf(d: Daemon): number {
  if (d.child.pid === undefined || d.child.exitCode !== null || d.child.signalCode !== null)
    throw new Error(`controller ${d.controller}'s daemon exited:\n${d.log.join('').slice(-2000)}`);
  return d.child.pid;
}

async function waitUntil(what: string, ok: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`heartbeat-cost: ${what} within ${ms} ms`);
    await sleep(100);
  }
}

/** `app` is the built /opt/tandem for the daemons; undefined: the floor processes. */
async function measure(dir: string, app: string | undefined, timing: BeatTiming, seconds: number) {
  const kind: Kind = app === undefined ? 'floor' : 'daemon';
  const socat = spawn(
    'socat',
    ['pty,raw,echo=0,link=' + join(dir, 'tty-a'), 'pty,raw,echo=0,link=' + join(dir, 'tty-b')],
    { stdio: 'ignore' },
  );
  const daemons: Daemon[] = [];
  try {
    await waitUntil('socat made its pty pair', () => existsSync(join(dir, 'tty-b')), 10_000);
    for (const c of CONTROLLERS)
      daemons.push(app === undefined ? startFloor(dir, c, timing) : startDaemon(dir, app, c, timing));
    await waitUntil(
      `both ${kind} processes heard their peer`,
      () => daemons.every((d) => pidOf(d) > 0 && HEARD[kind].test(d.log.join(''))),
      HEARD_MS,
    );
    await sleep(WARMUP_MS);
    const tck = await clockTicks();
    const logged = daemons.map((d) => d.log.length);
    const before = daemons.map((d) => readStat(pidOf(d)).cpuTicks);
    const t0 = Date.now();
    await sleep(seconds * 1000);
    const wall = Date.now() - t0;
    const cpu = daemons.map((d, i) =>
      twoDecimals(cpuPercent(before[i] ?? 0, readStat(pidOf(d)).cpuTicks, tck, wall)),
    );
    const rss = daemons.map((d) => megabytes(readRssKb(pidOf(d))));
    daemons.forEach((d, i) => {
      const doubt = d.log
        .slice(logged[i])
        .join('')
        .split('\n')
        .find((l) => DOUBT.test(l));
      if (doubt !== undefined)
        throw new Error(`controller ${d.controller} doubted its peer while idle: ${doubt}`);
    });
    return { cpu, rss };
  } finally {
    for (const d of daemons) d.child.kill('SIGTERM');
    socat.kill('SIGTERM');
    await sleep(500);
  }
}

export async function run(args: readonly string[]): Promise<Record<string, number | string>> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      interval: { type: 'string' },
      warntime: { type: 'string' },
      deadtime: { type: 'string' },
      seconds: { type: 'string' },
      floor: { type: 'boolean', default: false },
    },
  });
  const floor = values.floor === true;
  const intervalMs = intArg('interval', values.interval, 50, 10, 10_000);
  const deadtimeMs = intArg('deadtime', values.deadtime, intervalMs * 10, intervalMs * 2, 600_000);
  const warntimeMs = intArg(
    'warntime',
    values.warntime,
    Math.round(deadtimeMs * 0.6),
    intervalMs,
    deadtimeMs,
  );
  const seconds = intArg('seconds', values.seconds, 60, 5, 3600);
  const dir = mkdtempSync(join(tmpdir(), 'tandem-heartbeat-cost-'));
  try {
    if (!floor) {
      console.log(`building the firmware tree in ${dir}`);
      await buildFirmware({ out: join(dir, 'fw'), arch: hostArch(), log: (l) => console.log(`build: ${l}`) });
    }
    const what = floor ? 'the floor (no firmware)' : 'a loopback pair';
    const timing = { intervalMs, warntimeMs, deadtimeMs };
    console.log(`measuring ${what} at ${formatTiming(timing)} ms for ${seconds} s`);
    const { cpu, rss } = await measure(
      dir,
      floor ? undefined : join(dir, 'fw', 'opt', 'tandem'),
      timing,
      seconds,
    );
    console.log(`A: ${cpu[0]} % CPU, ${rss[0]} MB; B: ${cpu[1]} % CPU, ${rss[1]} MB`);
    return {
      floor: floor ? 1 : 0,
      interval_ms: intervalMs,
      deadtime_ms: deadtimeMs,
      seconds,
      cpu_pct: Math.max(...cpu),
      cpu_pct_a: cpu[0] ?? NaN,
      cpu_pct_b: cpu[1] ?? NaN,
      rss_mb: Math.max(...rss),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
