// Runs one step of the firmware build: a program with an argument array
// (never a shell string), failing with the program's own last words.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export class BuildError extends Error {
  override readonly name = 'BuildError';
}

/** The program's stdout; its output's tail becomes the error when it fails. */
export async function exec(file: string, args: readonly string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await run(file, [...args], { cwd, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: unknown; message: string };
    // tsc reports its errors on stdout, npm on stderr.
    const said = `${e.stdout ?? ''}\n${e.stderr ?? ''}`.trim().split('\n').slice(-20).join('\n');
    throw new BuildError(`${file} ${args.join(' ')} failed (${String(e.code)}):\n${said || e.message}`);
  }
}
