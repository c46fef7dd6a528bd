// Running external programs: always execFile with an argument array (never a
// shell), with a timeout so a wedged tool cannot hang the lab.
import { execFile } from 'node:child_process';
import { LabError } from './errors.ts';

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly timeoutMs?: number;
  readonly input?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** Runs and reports the exit code; never throws for a non-zero exit. */
export function tryRun(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      cmd,
      args,
      { timeout: opts.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024, env: opts.env ?? process.env },
      (err, stdout, stderr) => {
        let code = 0;
        if (err !== null) {
          const c = (err as { code?: unknown }).code;
          code = typeof c === 'number' ? c : 127;
          if (err.killed) stderr += `\n(killed after timeout)`;
          if (typeof c === 'string') stderr += `\n${err.message}`;
        }
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Runs and throws LabError('command-failed') naming the command on failure. */
export async function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<string> {
  const r = await tryRun(cmd, args, opts);
  if (r.code !== 0) {
    throw new LabError('command-failed', `${cmd} ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
  }
  return r.stdout;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns true or the deadline passes. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline)
      throw new LabError('timeout', `timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}
