// Starting and stopping the watchdog stand-in daemon (watchdog.ts).
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LabError } from './errors.ts';
import { labFiles } from './files.ts';
import { livePid, spawnDetached, stopPidFile } from './procs.ts';
import { waitFor } from './run.ts';
import { CONTROLLERS } from './topology.ts';
import { existsSync } from 'node:fs';

const DAEMON = fileURLToPath(new URL('./watchdog.ts', import.meta.url));

export async function watchdogUp(): Promise<void> {
  if (livePid(labFiles.watchdogPid) === null) {
    spawnDetached(process.execPath, [DAEMON], {
      pidFile: labFiles.watchdogPid,
      logFile: labFiles.watchdogLog,
    });
  }
  await waitFor('watchdog sockets', () => {
    if (livePid(labFiles.watchdogPid) === null)
      throw new LabError('command-failed', `watchdog daemon exited; see ${labFiles.watchdogLog}`);
    return (
      CONTROLLERS.every((c) => existsSync(labFiles.watchdogSock(c))) && existsSync(labFiles.watchdogState)
    );
  });
}

export async function watchdogDown(): Promise<void> {
  await stopPidFile(labFiles.watchdogPid);
  for (const c of CONTROLLERS) rmSync(labFiles.watchdogSock(c), { force: true });
  rmSync(labFiles.watchdogState, { force: true });
}

export interface DogState {
  readonly armed: boolean;
  readonly timeoutS: number;
  readonly connected: boolean;
  readonly fired: number;
  readonly lastFired: string | null;
}

export function watchdogState(): Record<string, DogState> | null {
  try {
    const s = JSON.parse(readFileSync(labFiles.watchdogState, 'utf8')) as { dogs?: Record<string, DogState> };
    return s.dogs ?? null;
  } catch {
    return null;
  }
}
