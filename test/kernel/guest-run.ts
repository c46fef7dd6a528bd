// What the kernel-tier tests share: run a job in a guest and fail with the
// guest's own words (job log, console tail) when it did not finish cleanly.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runGuest } from '../../tools/kernel/guest.ts';
import type { GuestOptions, GuestRun } from '../../tools/kernel/guest.ts';

export function explain(run: GuestRun): string {
  return `job log:\n${run.jobLog}\nconsole (tail):\n${run.console.slice(-4000)}`;
}

/** Boot, run the job, expect exit 0; prints the timings the README quotes. */
export async function runJob(opts: GuestOptions): Promise<GuestRun> {
  const run = await runGuest(opts);
  console.log(
    `kernel tier: ${opts.name}: guest ${run.elapsedMs} ms, root ready at ${run.bootSeconds ?? '?'} s guest time`,
  );
  expect(run.timedOut, explain(run)).toBe(false);
  expect(run.jobExitCode, explain(run)).toBe(0);
  return run;
}

export function outFile(run: GuestRun, name: string): string {
  return readFileSync(join(run.outDir, name), 'utf8');
}

/** The 0x... lines sg_persist prints under its header (keys, or the reservation's Key=). */
export function sgPersistKeys(text: string): string[] {
  return [...text.matchAll(/0x[0-9a-f]{16}\b|Key=0x([0-9a-f]+)/g)].map((m) =>
    m[1] === undefined ? m[0] : `0x${m[1].padStart(16, '0')}`,
  );
}
