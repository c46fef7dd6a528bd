// Lab suite setup: refuse loudly unless root with every required command, then
// bring the lab up once for all lab test files and down after them, holding
// the lab lock all along.
import { fileURLToPath } from 'node:url';
import { takeLabLock } from '../../tools/lab/lock.ts';
import { formatMissing, missingCommands } from '../../tools/lab/preflight.ts';
import { tryRun } from '../../tools/lab/run.ts';

const CLI = fileURLToPath(new URL('../../tools/lab/cli.ts', import.meta.url));

async function lab(verb: string): Promise<void> {
  const r = await tryRun(process.execPath, [CLI, verb], { timeoutMs: 240_000 });
  if (r.code !== 0) throw new Error(`lab ${verb} failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
}

export default async function setup(): Promise<() => Promise<void>> {
  if (process.getuid?.() !== 0) {
    throw new Error('lab tests need root (namespaces, veths, loop devices, mounts): run them as root.');
  }
  const missing = missingCommands();
  if (missing.length > 0) throw new Error(`lab tests cannot run: ${formatMissing(missing)}`);
  const lock = await takeLabLock('the lab tests');
  try {
    await lab('up');
  } catch (e) {
    await lock.release();
    throw e;
  }
  return async () => {
    try {
      await lab('down');
    } finally {
      await lock.release();
    }
  };
}
