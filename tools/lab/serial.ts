// Starting, stopping and steering the serial proxy (serial-proxy.ts).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { LabError } from './errors.ts';
import { labFiles } from './files.ts';
import { livePid, spawnDetached, stopPidFile } from './procs.ts';
import { waitFor } from './run.ts';
import { formatSerialMode, type SerialMode } from './serial-mode.ts';
import { CONTROLLERS } from './topology.ts';

const PROXY = fileURLToPath(new URL('./serial-proxy.ts', import.meta.url));

export async function serialUp(): Promise<void> {
  if (livePid(labFiles.serialPid) === null) {
    spawnDetached(process.execPath, [PROXY], { pidFile: labFiles.serialPid, logFile: labFiles.serialLog });
  }
  await waitFor('serial ptys', () => {
    if (livePid(labFiles.serialPid) === null)
      throw new LabError('command-failed', `serial proxy exited; see ${labFiles.serialLog}`);
    return (
      CONTROLLERS.every((c) => existsSync(labFiles.tty(c))) &&
      serialState()?.connected['A'] === true &&
      serialState()?.connected['B'] === true
    );
  });
}

export async function serialDown(): Promise<void> {
  await stopPidFile(labFiles.serialPid);
  for (const c of CONTROLLERS) {
    rmSync(labFiles.tty(c), { force: true });
    rmSync(labFiles.serialSock(c), { force: true });
  }
  rmSync(labFiles.serialCtl, { force: true });
  rmSync(labFiles.serialState, { force: true });
}

export interface SerialState {
  readonly mode: string;
  readonly connected: Record<string, boolean>;
}

export function serialState(): SerialState | null {
  try {
    return JSON.parse(readFileSync(labFiles.serialState, 'utf8')) as SerialState;
  } catch {
    return null;
  }
}

/** Sends one control line and returns the proxy's "ok ..." reply. */
export function setSerialMode(mode: SerialMode): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(labFiles.serialCtl);
    let reply = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new LabError('timeout', 'serial proxy did not answer'));
    }, 3000);
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(`mode ${formatSerialMode(mode)}\n`));
    sock.on('data', (d: string) => {
      reply += d;
      if (reply.includes('\n')) {
        clearTimeout(timer);
        sock.end();
        const line = reply.trim();
        if (line.startsWith('ok ')) resolve(line.slice(3));
        else reject(new LabError('command-failed', `serial proxy: ${line}`));
      }
    });
    sock.on('error', (err) => {
      clearTimeout(timer);
      reject(new LabError('not-up', `serial proxy not reachable at ${labFiles.serialCtl}: ${err.message}`));
    });
  });
}
