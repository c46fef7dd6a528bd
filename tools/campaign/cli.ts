// `npm run campaign -- --faults N [--seed S]`: the fault campaign on the lab
// (issue 18). Brings the lab up if it is not, starts the PostgreSQL pair
// under the client's inserts, runs the plan, prints a line per step, writes
// campaign.json and campaign.html and prints the RESULT line last. Exit 0
// clean, 1 with violations, 2 on a bad argument.
import { labUp } from '../lab/lab.ts';
import { takeLabLock } from '../lab/lock.ts';
import { GROUP } from '../lab/client/pg-pair.ts';
import { LabExecutor } from './lab/executor.ts';
import { campaignMain } from './main.ts';
import type { StepRecord } from './report.ts';

function progress(r: StepRecord): void {
  const kinds = r.faults.map((f) => f.fault.kind).join(' + ');
  const s = (ms: number | null): string => (ms === null ? '-' : `${(ms / 1000).toFixed(1)} s`);
  console.log(
    `step ${r.index} ${r.overlap} ${kinds}: outage ${s(r.outageMs)}, recovered ${s(r.recoveryMs)}, ` +
      `violations ${r.violations.length}`,
  );
}

// The first SIGINT or SIGTERM ends the run after the step under way, with its
// report (hours of faults are not thrown away); a second one is not caught.
let stop = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.once(sig, () => {
    stop = true;
    console.log(`campaign: ${sig}: stopping after the step under way`);
  });

const lock = await takeLabLock(`npm run campaign -- ${process.argv.slice(2).join(' ')}`);
process.exitCode = await campaignMain(process.argv.slice(2), {
  executor: async (timing) => {
    await labUp();
    return LabExecutor.create(timing);
  },
  groups: [GROUP],
  now: Date.now,
  onStep: progress,
  stopRequested: () => stop,
});
await lock.release();
