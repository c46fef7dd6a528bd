// `npm run bench -- telemetry [--samples N] [--boxes N] [--seconds S]`
//
// 1. Latency: the telemetry extension runs as controller A's firmware in the
//    lab (test/lab/fixtures/telemetry-harness.ts) and changes state every
//    FLAP ms, stamping updatedAt at the change; a NOC subscriber in tdm-noc
//    notes when each state message arrives through the lab's mosquitto. Both
//    clocks are this machine's CLOCK_REALTIME, so arrival - updatedAt is the
//    change-to-NOC latency (including JSON encoding and the retained publish).
// 2. Fleet: BOXES simulated boxes, one MQTT connection each (each box needs
//    its own Last Will), publish state + metrics every second from tdm-client
//    for SECONDS; broker and publisher CPU come from /proc/<pid>/stat.
//
// Takes the lab lock itself (re-running under flock), and brings the lab up
// if it was down (and down again afterwards).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mosquittoPid } from '../lab/mqtt.ts';
import { tryRun } from '../lab/run.ts';
import {
  cred,
  harnessStartArgs,
  NOC_TOOL,
  URL_IN_LAB,
  watch,
} from '../../test/lab/fixtures/telemetry-lab.ts';
import { isUnderLabLock, rerunUnderLabLock } from './_lab-lock.ts';
import { readStat } from './_proc.ts';

const LAB = fileURLToPath(new URL('../lab/cli.ts', import.meta.url));
const FLEET = fileURLToPath(new URL('../../test/lab/fixtures/telemetry-fleet.ts', import.meta.url));
const BOX = 'benchbox';
const FLAP_MS = 40;

function opt(args: readonly string[], name: string, def: number): number {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : def;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name}: must be a positive number`);
  return v;
}

async function lab(args: string[]): Promise<string> {
  const r = await tryRun(process.execPath, [LAB, ...args], { timeoutMs: 240_000 });
  if (r.code !== 0) throw new Error(`lab ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function percentile(sorted: readonly number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round((sorted[i] ?? NaN) * 100) / 100;
}

/** utime + stime of a process, in seconds (USER_HZ is 100 on Linux). */
function cpuSeconds(pid: number): number {
  return readStat(pid).cpuTicks / 100;
}

async function latency(samples: number): Promise<{ p50: number; p99: number; max: number; n: number }> {
  const topic = `tandem/${BOX}/A/state`;
  const w = watch(topic, samples + 1, samples * FLAP_MS + 30_000);
  await w.ready;
  await lab(harnessStartArgs('A', BOX, ['--flap', String(FLAP_MS)]));
  const end = Date.now() + samples * FLAP_MS + 30_000;
  while (w.lines.filter((l) => !l.retain).length < samples && Date.now() < end)
    await new Promise((r) => setTimeout(r, 100));
  await lab(['stop', 'A']);
  w.stop();
  // Drop the first few: they include connection set-up in the harness.
  const lat = w.lines
    .filter((l) => !l.retain)
    .slice(5)
    .map((l) => l.at - (JSON.parse(l.payload) as { updatedAt: number }).updatedAt)
    .sort((a, b) => a - b);
  if (lat.length < samples / 2) throw new Error(`only ${lat.length} state messages reached the NOC`);
  for (const t of ['A/availability', 'A/state', 'status'])
    await tryRun(process.execPath, [
      LAB,
      'exec',
      'noc',
      'mosquitto_pub',
      '-h',
      '127.0.0.1',
      '-u',
      'controller',
      '-P',
      cred('controller')[3] ?? '',
      '-t',
      `tandem/${BOX}/${t}`,
      '-r',
      '-n',
    ]);
  return { p50: percentile(lat, 50), p99: percentile(lat, 99), max: percentile(lat, 100), n: lat.length };
}

async function fleet(boxes: number, seconds: number): Promise<Record<string, number>> {
  const broker = mosquittoPid();
  if (broker === null) throw new Error('mosquitto is not running');
  // The NOC's view: how many of the fleet's messages actually arrive.
  const counter = spawn(
    process.execPath,
    [
      LAB,
      'exec',
      'noc',
      process.execPath,
      NOC_TOOL,
      'count',
      URL_IN_LAB,
      'tandem/+/A/+',
      String((seconds + 60) * 1000),
      ...cred('noc'),
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let nocLatest = { received: 0, at: 0 };
  let nocStart = nocLatest;
  let nocEnd = nocLatest;
  counter.stdout.setEncoding('utf8').on('data', (c: string) => {
    const last = c.trim().split('\n').at(-1);
    if (last !== undefined && last !== '') nocLatest = JSON.parse(last) as typeof nocLatest;
  });
  await new Promise((r) => setTimeout(r, 1500));
  const child = spawn(
    process.execPath,
    [
      LAB,
      'exec',
      'client',
      process.execPath,
      FLEET,
      URL_IN_LAB,
      String(boxes),
      String(seconds),
      '1000',
      'controller',
      cred('controller')[3] ?? '',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let pid = 0;
  let t0 = { wall: 0, broker: 0, fleet: 0 };
  let result = { published: 0, seconds: 0, brokerCpu: 0, fleetCpu: 0, connectMs: 0 };
  const started = performance.now();
  let buf = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      buf += c;
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const line of lines) {
        const m = JSON.parse(line) as {
          pid?: number;
          connected?: number;
          published?: number;
          seconds?: number;
        };
        if (m.pid !== undefined) pid = m.pid;
        if (m.connected !== undefined) {
          t0 = { wall: performance.now(), broker: cpuSeconds(broker), fleet: cpuSeconds(pid) };
          result.connectMs = Math.round(t0.wall - started);
          nocStart = nocLatest;
        }
        if (m.published !== undefined) {
          nocEnd = nocLatest;
          const wall = (performance.now() - t0.wall) / 1000;
          result = {
            ...result,
            published: m.published,
            seconds: m.seconds ?? wall,
            brokerCpu: ((cpuSeconds(broker) - t0.broker) / wall) * 100,
            fleetCpu: ((cpuSeconds(pid) - t0.fleet) / wall) * 100,
          };
        }
      }
    });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`fleet exited ${code}`))));
  });
  counter.kill('SIGTERM');
  const r1 = (n: number): number => Math.round(n * 10) / 10;
  return {
    fleet_boxes: boxes,
    fleet_seconds: r1(result.seconds),
    fleet_connect_ms: result.connectMs,
    fleet_msgs_per_s: Math.round(result.published / result.seconds),
    noc_received_per_s: Math.round(
      (nocEnd.received - nocStart.received) / ((nocEnd.at - nocStart.at) / 1000 || 1),
    ),
    broker_cpu_pct: r1(result.brokerCpu),
    publisher_cpu_pct: r1(result.fleetCpu),
  };
}

export async function run(args: readonly string[]): Promise<Record<string, number | string>> {
  if (!isUnderLabLock()) return rerunUnderLabLock('telemetry', args, 900);
  const samples = opt(args, '--samples', 500);
  const boxes = opt(args, '--boxes', 500);
  const seconds = opt(args, '--seconds', 20);
  const wasUp = (JSON.parse(await lab(['status', '--json'])) as { up?: boolean }).up === true;
  if (!wasUp) await lab(['up']);
  try {
    console.log(`latency: ${samples} state changes every ${FLAP_MS} ms, A -> mosquitto -> NOC`);
    const l = await latency(samples);
    console.log(`latency: n=${l.n} p50=${l.p50} ms p99=${l.p99} ms max=${l.max} ms`);
    console.log(`fleet: ${boxes} boxes for ${seconds} s`);
    const f = await fleet(boxes, seconds);
    return { p50_ms: l.p50, p99_ms: l.p99, max_ms: l.max, samples: l.n, ...f };
  } finally {
    if (!wasUp) await lab(['down']);
  }
}
