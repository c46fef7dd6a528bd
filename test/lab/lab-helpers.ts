// Helpers for lab tests: drive the lab through its real CLI, as a user would.
import { fileURLToPath } from 'node:url';
import { tryRun, type RunResult } from '../../tools/lab/run.ts';
import type { LabStatus } from '../../tools/lab/status.ts';

export const CLI = fileURLToPath(new URL('../../tools/lab/cli.ts', import.meta.url));

export function lab(args: readonly string[], timeoutMs = 120_000): Promise<RunResult> {
  return tryRun(process.execPath, [CLI, ...args], { timeoutMs });
}

/** Runs a lab verb and throws with its output if it fails. */
export async function labOk(args: readonly string[], timeoutMs?: number): Promise<string> {
  const r = await lab(args, timeoutMs);
  if (r.code !== 0) throw new Error(`lab ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

export async function labStatus(): Promise<LabStatus> {
  return JSON.parse(await labOk(['status', '--json'])) as LabStatus;
}

/** Exit code of one ping from NODE to ADDR (0 = reply). */
export async function ping(node: string, addr: string): Promise<number> {
  return (await lab(['exec', node, 'ping', '-c', '1', '-W', '1', addr])).code;
}
