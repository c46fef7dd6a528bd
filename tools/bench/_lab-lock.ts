// Benches that use the lab run themselves again under the lab lock, so they
// never overlap a lab test or another bench, and relay the child's output.
// (The leading underscore keeps this helper out of `npm run bench`'s list.)
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LAB_LOCK } from '../lab/lock.ts';

const LOCKED_ENV = 'TANDEM_LAB_LOCKED';
const BENCH_CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));

export function isUnderLabLock(): boolean {
  return process.env[LOCKED_ENV] === '1';
}

/**
 * Runs `npm run bench -- NAME ARGS` again under flock and returns its RESULT
 * fields (without `bench`). `timeout` runs inside the lock, so a wedged run
 * can never hold the lab for more than limitS.
 */
export async function rerunUnderLabLock(
  name: string,
  args: readonly string[],
  limitS: number,
): Promise<Record<string, number | string>> {
  const limit = ['timeout', '--kill-after=10', String(limitS)];
  const child = spawn('flock', [LAB_LOCK, ...limit, process.execPath, BENCH_CLI, name, ...args], {
    env: { ...process.env, [LOCKED_ENV]: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let result: Record<string, number | string> | null = null;
  let buf = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    buf += c;
    const lines = buf.split('\n');
    buf = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('RESULT ')) {
        const { bench: _bench, ...rest } = JSON.parse(line.slice(7)) as Record<string, number | string>;
        result = rest;
      } else console.log(line);
    }
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', resolve);
  });
  if (code !== 0 || result === null) throw new Error(`${name} bench under ${LAB_LOCK} exited ${code}`);
  return result;
}
