// Drives the real controller daemons in the lab for lab tests and the detect
// bench: start each with its lab config and own state dir, read the JSON
// lines it logs, and forge heartbeats from inside a namespace.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tryRun, type RunResult } from '../run.ts';
import { labFiles } from '../files.ts';
import type { INIT_SCRIPTS } from '../../image/firmware/system-files.ts';
import { lc, type Controller } from '../topology.ts';

const CLI = fileURLToPath(new URL('../cli.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const FORGER = fileURLToPath(new URL('./forge-heartbeat.ts', import.meta.url));

/**
 * Where the lab runs the firmware from. Unset: this checkout's TypeScript
 * source. Set: a built /opt/tandem (`npm run build -- --out DIR` makes
 * DIR/opt/tandem), its emitted JavaScript and production node_modules, as
 * the image runs them; the footprint bench sets it, since stripping types
 * costs some 30 MB the box never pays (docs/footprint.md).
 */
export const FIRMWARE_DIR_ENV = 'TANDEM_LAB_FIRMWARE_DIR';

export type FirmwareEntry = 'firmware/daemon' | 'firmware/panel/main' | 'firmware/web/main';

/** The file node runs for `entry`, read from the environment at each start. */
export function firmwareEntry(entry: FirmwareEntry): string {
  const built = process.env[FIRMWARE_DIR_ENV];
  if (built === undefined || built === '') return resolve(REPO, `${entry}.ts`);
  const file = resolve(built, `${entry}.js`);
  if (!existsSync(file))
    throw new Error(`${FIRMWARE_DIR_ENV}=${built}: ${file} is missing (not a built /opt/tandem?)`);
  return file;
}

/** Which of the image's init scripts starts each entry, with the script's NODE_ARGS. */
const ENTRY_SCRIPTS: Record<FirmwareEntry, (typeof INIT_SCRIPTS)[number]> = {
  'firmware/daemon': 'S95tandemd',
  'firmware/panel/main': 'S96tandem-panel',
  'firmware/web/main': 'S97tandem-web',
};

/** The node options the image starts `entry` with: its init script's NODE_ARGS line. */
export function imageNodeArgs(entry: FirmwareEntry): string[] {
  const script = fileURLToPath(
    new URL(`../../../buildroot/package/tandem/${ENTRY_SCRIPTS[entry]}`, import.meta.url),
  );
  const line = /^NODE_ARGS="([^"]*)"$/m.exec(readFileSync(script, 'utf8'));
  if (line === null) throw new Error(`${script}: no NODE_ARGS="..." line`);
  return (line[1] ?? '').split(' ').filter((a) => a !== '');
}

/**
 * What node runs for `entry` in the lab, after its own path: the image's
 * node options and the built file for a built tree; the TypeScript source
 * alone otherwise, since its type stripping needs what the options may turn
 * off (WebAssembly, under --lite-mode).
 */
export function firmwareCommand(entry: FirmwareEntry): string[] {
  const built = process.env[FIRMWARE_DIR_ENV];
  const args = built === undefined || built === '' ? [] : imageNodeArgs(entry);
  return [...args, firmwareEntry(entry)];
}

export function configFile(c: Controller): string {
  return fileURLToPath(new URL(`./${lc(c)}.json`, import.meta.url));
}

export function stateDir(c: Controller): string {
  return `${labFiles.runDir}/state-${lc(c)}`;
}

/**
 * The config file the daemon runs with: a copy of the lab config in its state
 * dir, because an import or a replicated config rewrites it (never the repo's).
 */
export function liveConfigFile(c: Controller): string {
  return `${stateDir(c)}/tandem.json`;
}

/** What the daemon writes to its serial console, in the lab. */
export function consoleFile(c: Controller): string {
  return `${stateDir(c)}/console`;
}

/** Each controller's own tandemctl socket: /run is shared by the lab's namespaces. */
export function controlSocket(c: Controller): string {
  return `${labFiles.runDir}/ctl-${lc(c)}/tandemctl.sock`;
}

export function lab(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<RunResult> {
  return tryRun(process.execPath, [CLI, ...args], { timeoutMs: 120_000, env });
}

export async function labOk(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<void> {
  const r = await lab(args, env);
  if (r.code !== 0) throw new Error(`lab ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
}

/**
 * Start the daemon as controller `c`'s firmware, with a fresh log and state
 * dir, running a copy of `config` (default: the lab config of `c`).
 */
export async function startDaemon(
  c: Controller,
  extraEnv: Record<string, string> = {},
  config: string = configFile(c),
): Promise<void> {
  rmSync(stateDir(c), { recursive: true, force: true });
  mkdirSync(stateDir(c), { recursive: true });
  copyFileSync(config, liveConfigFile(c));
  writeFileSync(labFiles.firmwareLog(c), '');
  await restartDaemon(c, extraEnv);
}

/**
 * Starts the daemon again as after a reboot: its state dir, live config and
 * log kept (the log appended to), as a controller's disk keeps them.
 */
export async function restartDaemon(c: Controller, extraEnv: Record<string, string> = {}): Promise<void> {
  await labOk(['start', c, '--', process.execPath, ...firmwareCommand('firmware/daemon')], {
    ...process.env,
    TANDEM_CONFIG_FILE: liveConfigFile(c),
    TANDEM_STATE_DIR: stateDir(c),
    TANDEM_CONTROL_SOCKET: controlSocket(c),
    // The controller's serial console (the web panel's initial password goes there): a file, not the host's.
    TANDEM_CONSOLE: consoleFile(c),
    ...extraEnv,
  });
}

export async function stopDaemon(c: Controller): Promise<void> {
  await lab(['stop', c]);
}

export interface LogLine {
  readonly ts: number;
  readonly code: string;
  readonly severity: string;
  readonly message: string;
  readonly data: Record<string, unknown> | null;
}

/** Every JSON line the controller's firmware has logged (non-JSON lines skipped). */
export function readLog(c: Controller): LogLine[] {
  const file = labFiles.firmwareLog(c);
  if (!existsSync(file)) return [];
  const out: LogLine[] = [];
  for (const text of readFileSync(file, 'utf8').split('\n')) {
    if (!text.startsWith('{')) continue;
    try {
      const v = JSON.parse(text) as Partial<LogLine>;
      if (typeof v.code === 'string' && typeof v.ts === 'number') out.push(v as LogLine);
    } catch {
      // a line cut short by a kill: ignore
    }
  }
  return out;
}

export function pathOf(l: LogLine): unknown {
  return l.data?.['path'];
}

/** Wait until `pick` finds a line logged at or after `sinceTs`; returns it. */
export async function waitForLine(
  c: Controller,
  what: string,
  sinceTs: number,
  pick: (l: LogLine) => boolean,
  timeoutMs: number,
): Promise<LogLine> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hit = readLog(c).find((l) => l.ts >= sinceTs && pick(l));
    if (hit !== undefined) return hit;
    if (Date.now() > deadline) {
      const tail = readLog(c)
        .slice(-15)
        .map((l) => `${l.code} ${l.message}`)
        .join('\n');
      throw new Error(`controller ${c}: no ${what} within ${timeoutMs} ms. Last lines:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The latest HB_REJECTIONS summary's counters, or undefined. */
export function latestRejections(c: Controller): Record<string, unknown> | undefined {
  const lines = readLog(c).filter((l) => l.code === 'HB_REJECTIONS');
  return lines.at(-1)?.data ?? undefined;
}

/** A transition into `to` (the daemon's STATE_CHANGED line). */
export const toState =
  (to: string) =>
  (l: LogLine): boolean =>
    l.code === 'STATE_CHANGED' && l.data?.['to'] === to;

/**
 * Both daemons restarted, A first: B joins once A's witness I/O works (a
 * peer whose heartbeat says "no disk" is no candidate, and B would rightly
 * take the group itself). Resolves with the time A became active.
 */
export async function startPair(config: (c: Controller) => string = configFile): Promise<number> {
  await stopDaemon('A');
  await stopDaemon('B');
  const t0 = Date.now();
  await startDaemon('A', {}, config('A'));
  await waitForLine('A', 'A registered', t0, (l) => l.code === 'PR_REGISTERED', 10_000);
  await waitForLine(
    'A',
    'A disk up',
    t0,
    (l) => l.code === 'TRANSPORT_UP' && l.data?.['path'] === 'disk',
    10_000,
  );
  await new Promise((r) => setTimeout(r, 500));
  await startDaemon('B', {}, config('B'));
  const active = await waitForLine('A', 'A active', t0, toState('active'), 20_000);
  await waitForLine('B', 'B standby', t0, toState('standby'), 20_000);
  return active.ts;
}
