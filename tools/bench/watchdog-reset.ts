// `npm run bench -- watchdog-reset [--trials N] [--stress]` (as root; takes
// the lab lock itself)
//
// How late the lab's watchdog "resets" a controller: from its timeout after
// the last pet until the service address is gone from the controller's LAN
// port. That lateness is the lab board's `failover.watchdog.marginMs`
// (pg-{a,b}.json): the takeover wait adds it to the timeout (docs/failover.md,
// Lease timing), so a stalled active surely answers ARP no more when the
// survivor adds the address.
//
// Each trial powers controller A on with no daemon, puts the VIP on its lan0
// (as a running group would), opens A's watchdog as the daemon does, sets a
// 1 s timeout, pets it once and stops: the lab's watchdog (tools/lab/
// watchdog.ts) then powers A off; polling A's addresses times the
// address's removal. `--stress` runs stress-ng on both CPUs
// meanwhile, as the campaign's starve faults do. Last line:
//   RESULT {"bench":"watchdog-reset","trials":N,"stress":0|1,"late_p50_ms":N,"late_max_ms":N}
import { spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { parseArgs } from 'node:util';
import { watchdogPowerOffAt } from '../lab/client/pg-pair.ts';
import { labFiles } from '../lab/files.ts';
import { isPoweredOn, powerOff, powerOn } from '../lab/power.ts';
import { run as runCommand, tryRun } from '../lab/run.ts';
import { ADDR, NETNS } from '../lab/topology.ts';
import { isUnderLabLock, rerunUnderLabLock } from './_lab-lock.ts';

const LAB_CLI = new URL('../lab/cli.ts', import.meta.url).pathname;
const TIMEOUT_S = 1;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Opens A's watchdog, sets the timeout and pets once; resolves with the pet's time (epoch ms). */
async function petOnce(): Promise<number> {
  const sock = createConnection(labFiles.watchdogSock('A'));
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', reject);
  });
  sock.on('error', () => undefined); // the power-off closes it
  const ok = new Promise<void>((resolve, reject) => {
    sock.once('data', (d: Buffer) =>
      d.toString().startsWith(`ok ${TIMEOUT_S}`)
        ? resolve()
        : reject(new Error(`watchdog said ${d.toString()}`)),
    );
  });
  sock.write(`timeout ${TIMEOUT_S}\n`);
  await ok;
  sock.write('keepalive\n');
  return Date.now();
}

/**
 * When the VIP is gone from A's lan0 (epoch ms), polled from outside A: a
 * watcher inside A's namespace (ip monitor) would die with the power-off it
 * is meant to time. Each poll is a short `ip -n` run; one caught by the
 * power-off fails and the next one answers.
 */
async function removedAt(fromMs: number, untilMs: number): Promise<number> {
  while (Date.now() < fromMs) await sleep(5);
  while (Date.now() < untilMs) {
    const r = await tryRun('ip', ['-n', NETNS.A, '-o', 'address', 'show', 'dev', 'lan0']);
    if (r.code === 0 && !r.stdout.includes(`${ADDR.lanVip}/`)) return Date.now();
    await sleep(2);
  }
  throw new Error('the address was still on A 10 s after its watchdog timeout');
}

async function trial(): Promise<number> {
  if (isPoweredOn('A')) await powerOff('A');
  await powerOn('A');
  await runCommand('ip', ['-n', NETNS.A, 'address', 'add', `${ADDR.lanVip}/24`, 'dev', 'lan0']);
  const pet = await petOnce();
  const due = pet + TIMEOUT_S * 1000;
  // Polling starts a little before the timeout, so an early reset shows too.
  const late = (await removedAt(due - 100, due + 10_000)) - due;
  // The watchdog's power-off goes on after the address (the mount namespace):
  // the next trial's power cycle must not overlap it.
  const limit = Date.now() + 10_000;
  while ((await watchdogPowerOffAt('A', pet)) === null) {
    if (Date.now() > limit) throw new Error("the lab's watchdog did not finish powering A off within 10 s");
    await sleep(20);
  }
  return late;
}

async function measure(trials: number, stress: boolean): Promise<Record<string, number | string>> {
  const load = stress
    ? spawn('stress-ng', ['--cpu', '2', '--timeout', `${trials * 5 + 30}s`, '--quiet'], { stdio: 'ignore' })
    : undefined;
  const late: number[] = [];
  try {
    if (load !== undefined) {
      load.on('error', () => undefined);
      await sleep(1000);
      if (load.exitCode !== null || load.pid === undefined)
        throw new Error('stress-ng did not start (apt-get install stress-ng)');
    }
    for (let i = 0; i < trials; i++) {
      late.push(await trial());
      console.log(`trial ${i + 1}/${trials}: address gone ${late.at(-1)} ms after the timeout`);
    }
  } finally {
    load?.kill('SIGTERM');
    if (!isPoweredOn('A')) await powerOn('A');
  }
  const sorted = [...late].sort((a, b) => a - b);
  return {
    trials,
    stress: stress ? 1 : 0,
    late_p50_ms: sorted[Math.ceil(sorted.length / 2) - 1] ?? NaN,
    late_max_ms: sorted.at(-1) ?? NaN,
  };
}

export async function run(args: readonly string[]): Promise<Record<string, number | string>> {
  const { values } = parseArgs({
    args: [...args],
    options: { trials: { type: 'string' }, stress: { type: 'boolean' } },
  });
  const trials = Number(values.trials ?? 10);
  if (!Number.isInteger(trials) || trials < 1 || trials > 1000)
    throw new Error('--trials: must be an integer 1..1000');
  if (process.getuid?.() !== 0) throw new Error('bench watchdog-reset needs root (the lab)');
  if (!isUnderLabLock()) return rerunUnderLabLock('watchdog-reset', args, 1800);
  const up = await tryRun(process.execPath, [LAB_CLI, 'status', '--json']);
  const wasUp = (JSON.parse(up.stdout || '{}') as { up?: boolean }).up === true;
  if (!wasUp) await runCommand(process.execPath, [LAB_CLI, 'up']);
  try {
    return await measure(trials, values.stress === true);
  } finally {
    if (!wasUp) await runCommand(process.execPath, [LAB_CLI, 'down']);
  }
}
