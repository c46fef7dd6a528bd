// `npm run campaign -- --faults N [--seed S] [--timing I/W/D]` and `--replay
// SEED --from STEP [--faults N]`. Arguments are outside input: each is bounded and checked,
// and a bad one is named in the error (the command exits 2 on it).
import { LAB_TIMING } from '../../firmware/cluster/timing.ts';
import { formatTiming, parseTiming, type BeatTiming } from '../lab/configs/timing.ts';
import { SEED_MAX, STEPS_MAX } from './plan.ts';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `usage: npm run campaign -- --faults N [--seed S] [--timing I/W/D] [--out DIR]
       npm run campaign -- --replay SEED --from STEP [--faults N] [--timing I/W/D] [--out DIR]
  --faults N     steps to run, 1..${STEPS_MAX} (a replay: from STEP on; 1 if not given)
  --seed S       the plan's seed, 0..${SEED_MAX} (drawn from the clock if not given; printed)
  --replay SEED  draw the plan of SEED again ...
  --from STEP    ... and run it from STEP (0-based), exactly the steps the original run had there
  --timing I/W/D the pair's heartbeat interval/warntime/deadtime in ms (default the lab's ${formatTiming(LAB_TIMING)})
  --out DIR      where campaign.json and campaign.html go (default campaign-report)`;

export interface CampaignArgs {
  readonly seed: number;
  readonly from: number;
  readonly count: number;
  readonly replay: boolean;
  readonly outDir: string;
  /** The pair's heartbeat (tools/lab/configs/timing.ts): the lab's unless --timing says otherwise. */
  readonly timing: BeatTiming;
}

const FLAGS = ['--faults', '--seed', '--replay', '--from', '--out', '--timing'] as const;
type Flag = (typeof FLAGS)[number];

function isFlag(s: string): s is Flag {
  return (FLAGS as readonly string[]).includes(s);
}

function intArg(flag: Flag, v: string, min: number, max: number): number {
  // Decimal digits only: no signs, exponents, hex or blanks that Number() would accept.
  if (!/^[0-9]{1,10}$/.test(v))
    throw new UsageError(`${flag} needs an integer ${min}..${max}, got ${JSON.stringify(v)}`);
  const n = Number(v);
  if (n < min || n > max) throw new UsageError(`${flag} must be ${min}..${max}, got ${n}`);
  return n;
}

/** `clockSeed` is the seed when none is given (the caller passes one from the clock, tests a constant). */
export function parseCampaignArgs(argv: readonly string[], clockSeed: number): CampaignArgs {
  if (argv.length > 2 * FLAGS.length) throw new UsageError(`too many arguments (${argv.length})`);
  const seen = new Map<Flag, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i] ?? '';
    if (!isFlag(flag)) throw new UsageError(`unknown argument ${JSON.stringify(flag.slice(0, 64))}`);
    if (seen.has(flag)) throw new UsageError(`${flag} given twice`);
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    seen.set(flag, value);
  }
  const out = seen.get('--out') ?? 'campaign-report';
  if (out.length === 0 || out.length > 4096 || out.includes('\0'))
    throw new UsageError(`--out needs a directory path`);
  const timingArg = seen.get('--timing');
  let timing: BeatTiming = LAB_TIMING;
  try {
    if (timingArg !== undefined) timing = parseTiming(timingArg);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const replay = seen.get('--replay');
  const from = seen.get('--from');
  const faults = seen.get('--faults');
  if (replay !== undefined) {
    if (seen.has('--seed')) throw new UsageError('--seed and --replay both name the seed: give one');
    if (from === undefined) throw new UsageError('--replay needs --from STEP');
    const step = intArg('--from', from, 0, STEPS_MAX - 1);
    const count = faults === undefined ? 1 : intArg('--faults', faults, 1, STEPS_MAX - step);
    const seed = intArg('--replay', replay, 0, SEED_MAX);
    return { seed, from: step, count, replay: true, outDir: out, timing };
  }
  if (from !== undefined) throw new UsageError('--from is only for --replay');
  if (faults === undefined) throw new UsageError('--faults N is required');
  const seedArg = seen.get('--seed');
  if (!Number.isSafeInteger(clockSeed) || clockSeed < 0 || clockSeed > SEED_MAX)
    throw new RangeError(`clock seed out of range: ${clockSeed}`);
  return {
    seed: seedArg === undefined ? clockSeed : intArg('--seed', seedArg, 0, SEED_MAX),
    from: 0,
    count: intArg('--faults', faults, 1, STEPS_MAX),
    replay: false,
    outDir: out,
    timing,
  };
}
