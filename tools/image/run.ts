// Runs one build step's program with an argument array (never a shell
// string) and fails with the program's own words when it fails.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export class StepError extends Error {
  override readonly name = 'StepError';
}

/** Runs a program; its stderr's tail becomes the error when it fails. */
export async function step(file: string, args: readonly string[], cwd?: string): Promise<string> {
  try {
    const { stdout } = await run(file, [...args], { cwd, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; code?: unknown; message: string };
    const tail = (e.stderr ?? '').trim().split('\n').slice(-15).join('\n');
    throw new StepError(
      `${file} ${args.slice(0, 6).join(' ')}… failed (${String(e.code)}):\n${tail || e.message}`,
    );
  }
}
