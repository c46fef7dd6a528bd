// One worker of the simulate bench: draws its schedules from its own seed
// and runs each against a fresh simulated box, counting every breach.
import fc from 'fast-check';
import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage } from '../../hal/errors.ts';
import { runScenario, scenario, type RunStats } from '../../test/unit/failover/property-suite.ts';

export interface SimulateTask {
  readonly worker: number;
  readonly seed: number;
  readonly schedules: number;
}

export interface SimulateReport {
  readonly schedules: number;
  readonly steps: number;
  readonly violations: { readonly seed: number; readonly index: number; readonly error: string }[];
}

async function main(task: SimulateTask): Promise<SimulateReport> {
  const stats: RunStats = { schedules: 0, steps: 0 };
  const violations: SimulateReport['violations'][number][] = [];
  const drawn = fc.sample(scenario, { seed: task.seed, numRuns: task.schedules });
  for (const [index, s] of drawn.entries()) {
    try {
      await runScenario(s, stats);
    } catch (err) {
      // A breach still counts as a schedule run, with its steps.
      stats.schedules++;
      stats.steps += s.steps.length;
      violations.push({ seed: task.seed, index, error: errorMessage(err).split('\n')[0] ?? '' });
    }
    if ((index + 1) % 250 === 0) parentPort?.postMessage({ progress: index + 1 });
  }
  return { schedules: stats.schedules, steps: stats.steps, violations };
}

main(workerData as SimulateTask).then(
  (report) => parentPort?.postMessage({ report }),
  (err: unknown) => {
    throw err;
  },
);
