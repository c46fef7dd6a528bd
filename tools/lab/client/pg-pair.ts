// Both lab controllers running the real daemon with the PostgreSQL group
// (tools/lab/configs/pg-{a,b}.json: reservation on LUN 1, the data volume,
// the VIP, PostgreSQL; watchdog on, 1 s), preferred on A. Used by the
// takeover tests and the takeover bench. `resetPair` puts the lab back the
// way it was: no daemon, nothing mounted, no PostgreSQL, no VIP.
import { chmodSync, copyFileSync, existsSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sendRequest } from '../../../firmware/console/client.ts';
import type { CommandName } from '../../../firmware/core/envelope.ts';
import { controlSocket, lab, readLog, startDaemon, waitForLine, type LogLine } from '../configs/daemons.ts';
import { labFiles } from '../files.ts';
import { isPoweredOn, powerOff, powerOn } from '../power.ts';
import { tryRun } from '../run.ts';
import { loopDevice } from '../volume.ts';
import { ADDR, NETNS, lc, type Controller } from '../topology.ts';
import { errorMessage } from '../../../hal/errors.ts';

export const GROUP = 'db';
/** Where pg-{a,b}.json expect the data volume: a stable name for the loop device `lab up` picked. */
export const DATA_VOLUME_LINK = join(labFiles.runDir, 'data-volume');
export const PG_MOUNT = join(labFiles.runDir, 'pg-mnt');
const TANDEMCTL = fileURLToPath(new URL('../../../firmware/console/tandemctl.ts', import.meta.url));

export function pgConfigFile(c: Controller): string {
  return fileURLToPath(new URL(`../configs/pg-${lc(c)}.json`, import.meta.url));
}

/** Where pg-{a,b}.json name their hook script (hooks need an absolute path; the checkout may be anywhere). */
export const LAB_HOOK = join(labFiles.runDir, 'lab-hook');
/** What the hook script appends to: "event action group from to controller" per run. */
export const HOOK_LOG = join(labFiles.runDir, 'hooks.log');
const HOOK_SOURCE = fileURLToPath(new URL('../configs/hooks/record', import.meta.url));

function installLabHook(): void {
  copyFileSync(HOOK_SOURCE, LAB_HOOK);
  chmodSync(LAB_HOOK, 0o755);
}

/** The hook runs logged since the pair started (oldest first). */
export function hookRuns(): string[] {
  return existsSync(HOOK_LOG)
    ? readFileSync(HOOK_LOG, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
    : [];
}

function linkDataVolume(): void {
  const dev = loopDevice();
  if (dev === null) throw new Error('the lab has no data volume: is it up?');
  rmSync(DATA_VOLUME_LINK, { force: true });
  symlinkSync(dev, DATA_VOLUME_LINK);
}

/** `config`: the file to start with (default pg-{a,b}.json; the web tests add their sections to it). */
export async function startPgDaemon(c: Controller, config: string = pgConfigFile(c)): Promise<void> {
  // Every daemon start needs the link and the hook its config names, whichever test starts it.
  linkDataVolume();
  installLabHook();
  await startDaemon(c, {}, config);
}

export const started = (resource: string) => (l: LogLine) =>
  l.code === 'RESOURCE_STARTED' && l.data?.['resource'] === resource;
export const toState = (to: string) => (l: LogLine) => l.code === 'STATE_CHANGED' && l.data?.['to'] === to;

/** Fresh pair: A active running the group (PostgreSQL answering), B standby. */
export async function startPgPair(
  config: (c: Controller) => string = pgConfigFile,
  /** Runs after the power cycle, before the daemons (a power cycle ends what runs in a controller's namespace). */
  afterReset: () => Promise<void> = () => Promise.resolve(),
): Promise<number> {
  await resetPair();
  await afterReset();
  const t0 = Date.now();
  await startPgDaemon('A', config('A'));
  await startPgDaemon('B', config('B'));
  try {
    await waitForLine('A', 'A active', t0, toState('active'), 30_000);
    await waitForLine('A', 'PostgreSQL started on A', t0, started('pg'), 90_000);
    await waitForLine('B', 'B standby', t0, toState('standby'), 30_000);
  } catch (err) {
    // The other controller's view is half the story of a pair that did not settle.
    const tailB = readLog('B')
      .slice(-25)
      .map((l) => `  ${l.code} ${l.message}`)
      .join('\n');
    throw new Error(`${errorMessage(err)}\nB:\n${tailB}`, { cause: err });
  }
  return t0;
}

/** tandemctl against controller `c`'s control socket; returns its output (throws on failure). */
export async function tandemctl(c: Controller, ...args: string[]): Promise<string> {
  const r = await lab(['exec', c, process.execPath, TANDEMCTL, '--socket', controlSocket(c), ...args]);
  if (r.code !== 0)
    throw new Error(`tandemctl ${args.join(' ')} on ${c} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/**
 * One command on controller `c`'s control socket, from this process: the
 * daemon is asked at once, without the seconds' worth of a `tandemctl`
 * process starting (the takeover bench times a switchover from here).
 */
export async function command(
  c: Controller,
  name: CommandName,
  args: Record<string, unknown>,
): Promise<unknown> {
  const r = await sendRequest(controlSocket(c), name, args, 10_000);
  if (r.status !== 'ok') throw new Error(`${name} on ${c}: ${JSON.stringify(r)}`);
  return r;
}

/**
 * Back to rest: both controllers power-cycled (kills the daemons and any
 * PostgreSQL, drops their mounts and, like every power-off, the VIP on the
 * LAN port), and the VIP out of the client's ARP cache. Not a daemon stop: a
 * clean stop hands the groups to the peer first (FailoverHost.shutdown),
 * which would only slow the reset down.
 */
export async function resetPair(): Promise<void> {
  for (const c of ['A', 'B'] as const) if (isPoweredOn(c)) await powerOff(c);
  for (const c of ['A', 'B'] as const) await powerOn(c);
  await tryRun('ip', ['-n', NETNS.client, 'neigh', 'del', ADDR.lanVip, 'dev', 'lan0']);
}

/** When the lab's watchdog stand-in powered `c` off at or after `since` (epoch ms), from its log. */
export async function watchdogPowerOffAt(c: Controller, since: number): Promise<number | null> {
  const r = await tryRun('cat', [labFiles.watchdogLog]);
  for (const line of r.stdout.split('\n')) {
    const m = new RegExp(`^(\\S+) controller ${c} powered off`).exec(line);
    const t = m?.[1] === undefined ? NaN : Date.parse(m[1]);
    if (t >= since) return t;
  }
  return null;
}
