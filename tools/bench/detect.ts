// `npm run bench -- detect [--trials N] [--soak-min M] [--timing I/W/D]` (as root, under the
// lab lock): how fast a survivor declares its peer dead, and whether a loaded
// box ever suspects a healthy peer.
//   - N trials of kill -9 of B's daemon and N of powering B's namespace off;
//     detection = fault -> A's PEER_DEAD log line (both wall clock, one host).
//   - soak: both CPUs and the disk loaded with stress-ng (two CPU workers,
//     one writing and reading files in a temporary directory) and a 200 ms
//     event-loop stall injected into each daemon every 10 s (TANDEM_DEBUG
//     SIGUSR2 hook); false_suspects counts PEER_SUSPECT/PEER_DEAD lines on
//     either side.
//   - --timing INTERVAL/WARNTIME/DEADTIME (ms): the lab's configs with that
//     heartbeat timing (tools/lab/configs/timing.ts) instead of their 100/600/1000,
//     to measure a proposed default; deadtime_ms says which was run.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import {
  configFile,
  readLog,
  startDaemon,
  stopDaemon,
  waitForLine,
  lab,
  labOk,
  type LogLine,
} from '../lab/configs/daemons.ts';
import { firmwarePid } from '../lab/firmware.ts';
import { labFiles } from '../lab/files.ts';
import { powerOff, powerOn } from '../lab/power.ts';
import { signalGroup } from '../lab/procs.ts';
import type { Controller } from '../lab/topology.ts';
import { parseTiming, timedConfigFile } from '../lab/configs/timing.ts';
const DEBUG_ENV = { TANDEM_DEBUG: '1', TANDEM_DEBUG_STALL_MS: '200' };

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? NaN;
}

async function waitJoined(since: number): Promise<void> {
  for (const c of ['A', 'B'] as const) {
    for (const path of ['serial', 'net', 'disk']) {
      await waitForLine(
        c,
        `PATH_UP ${path}`,
        since,
        (l) => l.code === 'PATH_UP' && l.data?.['path'] === path,
        30_000,
      );
    }
  }
}

/** `config`: B's, the lab's or a copy with --timing's heartbeat. */
async function restartB(config: string): Promise<void> {
  const t = Date.now();
  await startDaemon('B', DEBUG_ENV, config);
  try {
    await waitForLine('A', 'PEER_ALIVE', t, (l) => l.code === 'PEER_ALIVE', 20_000);
  } catch (err) {
    const tail = readFileSync(labFiles.firmwareLog('B'), 'utf8').split('\n').slice(-20).join('\n');
    throw new Error(`${(err as Error).message}\nB's log:\n${tail}`, { cause: err });
  }
  await waitForLine('B', 'disk up', t, (l) => l.code === 'PATH_UP' && l.data?.['path'] === 'disk', 30_000);
  await new Promise((r) => setTimeout(r, 1500));
}

async function trial(kind: 'kill' | 'poweroff', configB: string): Promise<number> {
  const pid = firmwarePid('B');
  if (pid === null) throw new Error('B has no firmware running');
  const t0 = Date.now();
  if (kind === 'kill') signalGroup(pid, 'SIGKILL');
  else await powerOff('B');
  const dead = await waitForLine('A', 'PEER_DEAD', t0, (l) => l.code === 'PEER_DEAD', 15_000);
  if (kind === 'poweroff') await powerOn('B');
  await restartB(configB);
  return dead.ts - t0;
}

export async function run(args: readonly string[]): Promise<Record<string, number | string>> {
  const { values } = parseArgs({
    args: [...args],
    options: { trials: { type: 'string' }, 'soak-min': { type: 'string' }, timing: { type: 'string' } },
    allowPositionals: true,
  });
  const trials = Number(values.trials ?? '10');
  const soakMin = Number(values['soak-min'] ?? '10');
  if (!Number.isInteger(trials) || trials < 1 || trials > 1000)
    throw new Error(`--trials must be 1..1000, got ${values.trials}`);
  if (!(soakMin >= 0 && soakMin <= 24 * 60))
    throw new Error(`--soak-min must be 0..1440, got ${values['soak-min']}`);
  if (process.getuid?.() !== 0) throw new Error('bench detect needs root (the lab)');
  const timing = values.timing === undefined ? undefined : parseTiming(values.timing);

  const wasUp = existsSync(labFiles.upMarker);
  await labOk(['up']);
  // The config each controller runs: the lab's, or a copy with --timing's
  // heartbeat in the lab's run directory, which exists once the lab is up.
  const configs: Record<Controller, string> = { A: configFile('A'), B: configFile('B') };
  if (timing !== undefined)
    for (const c of ['A', 'B'] as const) configs[c] = timedConfigFile(configFile(c), timing, 'detect');
  const deadtimeMs = configuredDeadtime(configs.A);
  await lab(['serial-mode', 'pass']);
  for (const c of ['A', 'B'] as const) await stopDaemon(c);
  const t0 = Date.now();
  await startDaemon('A', DEBUG_ENV, configs.A);
  await startDaemon('B', DEBUG_ENV, configs.B);
  const kills: number[] = [];
  const powers: number[] = [];
  let falseSuspects = 0;
  let falsePathDowns = 0;
  try {
    await waitJoined(t0);
    for (let i = 0; i < trials; i++) {
      kills.push(await trial('kill', configs.B));
      console.log(`kill -9 trial ${i + 1}/${trials}: ${kills.at(-1)} ms`);
    }
    for (let i = 0; i < trials; i++) {
      powers.push(await trial('poweroff', configs.B));
      console.log(`poweroff trial ${i + 1}/${trials}: ${powers.at(-1)} ms`);
    }
    if (soakMin > 0) {
      const soak = await soakRun(soakMin * 60_000);
      falseSuspects = soak.suspects;
      falsePathDowns = soak.pathDowns;
    }
  } finally {
    for (const c of ['A', 'B'] as const) await stopDaemon(c);
    if (!wasUp) await lab(['down']);
  }
  const all = [...kills, ...powers].sort((a, b) => a - b);
  return {
    deadtime_ms: deadtimeMs,
    p50_ms: percentile(all, 50),
    p99_ms: percentile(all, 99),
    false_suspects: falseSuspects,
    kill_p50_ms: percentile(
      [...kills].sort((a, b) => a - b),
      50,
    ),
    poweroff_p50_ms: percentile(
      [...powers].sort((a, b) => a - b),
      50,
    ),
    max_ms: all.at(-1) ?? NaN,
    trials: all.length,
    soak_min: soakMin,
    false_path_downs: falsePathDowns,
  };
}

function configuredDeadtime(file: string): number {
  const config = JSON.parse(readFileSync(file, 'utf8')) as {
    cluster?: { heartbeat?: { deadtimeMs?: unknown } };
  };
  const v = config.cluster?.heartbeat?.deadtimeMs;
  if (typeof v !== 'number') throw new Error(`${file}: no cluster.heartbeat.deadtimeMs`);
  return v;
}

async function soakRun(ms: number): Promise<{ suspects: number; pathDowns: number }> {
  const start = Date.now();
  console.log(
    `soak: ${ms / 60_000} min, stress-ng on 2 CPUs and the disk, 200 ms stall every 10 s in each daemon`,
  );
  const scratch = mkdtempSync(join(tmpdir(), 'tandem-detect-io-'));
  const stress = spawn(
    'stress-ng',
    [
      '--cpu',
      '2',
      '--hdd',
      '1',
      '--hdd-bytes',
      '256M',
      '--temp-path',
      scratch,
      '--timeout',
      `${Math.ceil(ms / 1000)}s`,
      '--quiet',
    ],
    { stdio: 'ignore' },
  );
  const stressDone = new Promise<void>((resolve, reject) => {
    stress.on('error', (e) =>
      reject(new Error(`stress-ng could not start (apt-get install stress-ng): ${e.message}`)),
    );
    stress.on('exit', () => resolve());
  });
  const stall = setInterval(() => {
    for (const c of ['A', 'B'] as Controller[]) {
      const pid = firmwarePid(c);
      if (pid !== null) process.kill(pid, 'SIGUSR2');
    }
  }, 10_000);
  try {
    await Promise.race([stressDone, new Promise((r) => setTimeout(r, ms + 5000))]);
  } finally {
    clearInterval(stall);
    stress.kill('SIGTERM');
    await stressDone.catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
  }
  const bad = (l: LogLine) => l.ts >= start && (l.code === 'PEER_SUSPECT' || l.code === 'PEER_DEAD');
  const suspects = readLog('A').filter(bad).length + readLog('B').filter(bad).length;
  const down = (l: LogLine) => l.ts >= start && l.code === 'PATH_DOWN';
  const pathDowns = readLog('A').filter(down).length + readLog('B').filter(down).length;
  const stalls = readLog('A').filter((l) => l.ts >= start && l.code === 'DEBUG_STALL').length;
  console.log(
    `soak done: ${stalls} stalls injected into A, ${suspects} false suspicions, ${pathDowns} path-downs`,
  );
  return { suspects, pathDowns };
}
