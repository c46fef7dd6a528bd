// `npm run bench -- simulate [--schedules N] [--seed S] [--workers W]`: the
// property suite's random fault schedules (test/unit/failover/property-suite.ts)
// against the simulated box, N of them (default 5,000), spread over W worker
// threads (default: one per core). Unlike the CI test, it does not stop at
// the first breach: it counts them, and prints the first few.
// RESULT {"bench":"simulate","schedules":N,"steps":N,"violations":N,"seconds":N}
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import type { SimulateReport, SimulateTask } from './_simulate-worker.ts';

const WORKER = new URL('./_simulate-worker.ts', import.meta.url);

function count(name: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new RangeError(`--${name} must be 1..${max}, got ${raw}`);
  return n;
}

function runWorker(task: SimulateTask): Promise<SimulateReport> {
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER, { workerData: task });
    w.on('message', (m: { progress?: number; report?: SimulateReport }) => {
      if (m.progress !== undefined) console.error(`worker ${task.worker}: ${m.progress}/${task.schedules}`);
      if (m.report !== undefined) resolve(m.report);
    });
    w.on('error', reject);
    w.on('exit', (code) => {
      if (code !== 0) reject(new Error(`worker ${task.worker} exited with ${code}`));
    });
  });
}

export async function run(args: readonly string[]): Promise<Record<string, number | string>> {
  const { values } = parseArgs({
    args: [...args],
    options: { schedules: { type: 'string' }, seed: { type: 'string' }, workers: { type: 'string' } },
  });
  const schedules = count('schedules', values.schedules, 5000, 1_000_000);
  const seed = count('seed', values.seed, 20261202, 2 ** 31 - 1);
  const workers = Math.min(schedules, count('workers', values.workers, availableParallelism(), 64));
  const started = performance.now();
  const share = (w: number): number => Math.floor(schedules / workers) + (w < schedules % workers ? 1 : 0);
  const reports = await Promise.all(
    Array.from({ length: workers }, (_, w) => runWorker({ worker: w, seed: seed + w, schedules: share(w) })),
  );
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  const violations = reports.flatMap((r) => r.violations);
  for (const v of violations.slice(0, 5)) console.error(`violation (seed ${v.seed} #${v.index}): ${v.error}`);
  return {
    schedules: reports.reduce((s, r) => s + r.schedules, 0),
    steps: reports.reduce((s, r) => s + r.steps, 0),
    violations: violations.length,
    seconds,
    seed,
    workers,
  };
}
