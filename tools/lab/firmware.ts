// Each controller's "firmware" process: started detached inside the
// controller's namespaces, so fault verbs can kill or stall it.
import { spawn } from 'node:child_process';
import { LabError } from './errors.ts';
import { envNameFor } from '../../hal/paths.ts';
import { labFiles } from './files.ts';
import { controllerNsenterArgs } from './mountns.ts';
import { requirePoweredOn } from './power.ts';
import { livePid, signalGroup, spawnDetached, stopPidFile } from './procs.ts';
import { sleep } from './run.ts';
import type { Controller } from './topology.ts';

export function firmwareEnv(c: Controller): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TANDEM_CONTROLLER_ID: c,
    [envNameFor('watchdogDev')]: labFiles.watchdogSock(c),
    [envNameFor('serialTty')]: labFiles.tty(c),
  };
}

export function firmwarePid(c: Controller): number | null {
  return livePid(labFiles.firmwarePid(c));
}

export function startFirmware(c: Controller, cmd: readonly string[]): number {
  requirePoweredOn(c);
  if (cmd.length === 0) throw new LabError('usage', 'lab start NODE -- CMD...: CMD is missing');
  const running = firmwarePid(c);
  if (running !== null)
    throw new LabError('bad-state', `controller ${c} firmware already runs as pid ${running}`);
  return spawnDetached('nsenter', [...controllerNsenterArgs(c), '--', ...cmd], {
    pidFile: labFiles.firmwarePid(c),
    logFile: labFiles.firmwareLog(c),
    env: firmwareEnv(c),
  });
}

export async function stopFirmware(c: Controller): Promise<void> {
  await stopPidFile(labFiles.firmwarePid(c), 3000);
}

function requireFirmware(c: Controller): number {
  const pid = firmwarePid(c);
  if (pid === null) throw new LabError('bad-state', `controller ${c} has no firmware running`);
  return pid;
}

export function killFirmware(c: Controller): number {
  const pid = requireFirmware(c);
  signalGroup(pid, 'SIGKILL');
  return pid;
}

export async function stallFirmware(c: Controller, ms: number): Promise<void> {
  const pid = requireFirmware(c);
  signalGroup(pid, 'SIGSTOP');
  try {
    await sleep(ms);
  } finally {
    signalGroup(pid, 'SIGCONT');
  }
}

/** `lab exec`: runs CMD in the node's namespaces with stdio inherited. */
export function execIn(
  nsenterArgs: readonly string[],
  cmd: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('nsenter', [...nsenterArgs, '--', ...cmd], { stdio: 'inherit', env });
    child.on('error', () => resolve(127));
    child.on('exit', (code, sig) => resolve(code ?? (sig !== null ? 128 + 9 : 1)));
  });
}
