// The campaign command's body, minus the lab: parse the arguments (a bad one
// is named, exit 2), run the plan through the executor it is given, print
// each violation with its seed, step and replay command as it is found, write
// the report and print the RESULT line last. `npm run campaign` (cli.ts)
// gives it the lab's executor; the unit test a fake box.
import { USAGE, UsageError, parseCampaignArgs } from './args.ts';
import { formatTiming, type BeatTiming } from '../lab/configs/timing.ts';
import type { Executor } from './executor.ts';
import { runCampaign } from './loop.ts';
import { SEED_MAX } from './plan.ts';
import { formatViolation, summarize, type StepRecord } from './report.ts';
import { writeReport } from './write.ts';

export interface MainDeps {
  /** The box to run on: the lab's executor (later), or a fake in the unit test. */
  readonly executor: (timing: BeatTiming) => Promise<Executor>;
  readonly groups: readonly string[];
  /** The clock, for a seed when none is given. */
  readonly now: () => number;
  /** Progress after each step (the lab's command prints a line per step). */
  readonly onStep?: (record: StepRecord) => void;
  /** True once the run should end after the step under way (the lab's command: SIGINT or SIGTERM). */
  readonly stopRequested?: () => boolean;
}

/** Returns the exit code: 0 clean, 1 with violations, 2 on a bad argument. */
export async function campaignMain(argv: readonly string[], deps: MainDeps): Promise<number> {
  let args;
  try {
    args = parseCampaignArgs(argv, deps.now() % (SEED_MAX + 1));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`campaign: ${err.message}\n${USAGE}`);
    return 2;
  }
  const end = args.from + args.count;
  console.log(
    `campaign: seed ${args.seed}, steps ${args.from}..${end - 1}${args.replay ? ' (replay)' : ''}, ` +
      `heartbeat ${formatTiming(args.timing)} ms`,
  );
  const executor = await deps.executor(args.timing);
  let doc;
  try {
    doc = await runCampaign(executor, {
      seed: args.seed,
      from: args.from,
      count: args.count,
      groups: deps.groups,
      timing: args.timing,
      onViolation: (step, v) => console.log(formatViolation(args.seed, step, end, v)),
      onStep: deps.onStep,
      stopRequested: deps.stopRequested,
    });
  } finally {
    await executor.close();
  }
  await writeReport(args.outDir, doc);
  return summarize(doc).violations > 0 ? 1 : 0;
}
