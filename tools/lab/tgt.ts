// The enclosure: tgtd in tdm-encl exporting one LUN to both controllers.
import { existsSync, rmdirSync, rmSync } from 'node:fs';
import { labFiles } from './files.ts';
import { netnsPath } from './netns.ts';
import { livePid, spawnDetached, stopPid } from './procs.ts';
import { run, tryRun, waitFor } from './run.ts';
import { LUN_SIZE_BYTES, PORTAL, TARGET_IQN, TARGET_LUN, TARGET_TID, TGT_CONTROL_PORT } from './topology.ts';

const C = ['-C', String(TGT_CONTROL_PORT)];
const ISCSI = [...C, '--lld', 'iscsi'];
const TID = ['--tid', String(TARGET_TID)];

function tgtadm(args: readonly string[]) {
  return run('tgtadm', [...ISCSI, ...args]);
}

async function targetExists(): Promise<boolean> {
  const r = await tryRun('tgtadm', [...ISCSI, '--op', 'show', '--mode', 'target']);
  return r.code === 0 && r.stdout.includes(TARGET_IQN);
}

export async function tgtUp(): Promise<void> {
  if (!existsSync(labFiles.lunImage))
    await run('truncate', ['-s', String(LUN_SIZE_BYTES), labFiles.lunImage]);
  if (livePid(labFiles.tgtdPid) === null) {
    // Listen only on the enclosure's SAS-path addresses.
    const portals = Object.values(PORTAL)
      .map((p) => `portal=${p}`)
      .join(',');
    spawnDetached('nsenter', [`--net=${netnsPath('encl')}`, '--', 'tgtd', '-f', ...C, '--iscsi', portals], {
      pidFile: labFiles.tgtdPid,
      logFile: labFiles.tgtdLog,
    });
    await waitFor('tgtd control socket', async () => {
      if (livePid(labFiles.tgtdPid) === null) throw new Error(`tgtd exited; see ${labFiles.tgtdLog}`);
      return (await tryRun('tgtadm', [...ISCSI, '--op', 'show', '--mode', 'sys'])).code === 0;
    });
  }
  if (!(await targetExists()))
    await exportTarget({ tid: TARGET_TID, iqn: TARGET_IQN, lun: TARGET_LUN, file: labFiles.lunImage });
}

/** One target with one LUN backed by a file, open to every initiator (the lab's, and the VM pair's beside it). */
export async function exportTarget(t: {
  tid: number;
  iqn: string;
  lun: number;
  file: string;
}): Promise<void> {
  const tid = ['--tid', String(t.tid)];
  await tgtadm(['--op', 'new', '--mode', 'target', ...tid, '-T', t.iqn]);
  await tgtadm(['--op', 'new', '--mode', 'logicalunit', ...tid, '--lun', String(t.lun), '-b', t.file]);
  await tgtadm(['--op', 'bind', '--mode', 'target', ...tid, '-I', 'ALL']);
}

/** Clean shutdown (REFERENCE section 3): offline, delete target, stop system. */
export async function tgtDown(): Promise<void> {
  const pid = livePid(labFiles.tgtdPid);
  if (pid !== null) {
    await tryRun('tgtadm', [
      ...ISCSI,
      '--op',
      'update',
      '--mode',
      'target',
      ...TID,
      '-n',
      'state',
      '-v',
      'offline',
    ]);
    await tryRun('tgtadm', [...ISCSI, '--op', 'delete', '--force', '--mode', 'target', ...TID]);
    await tryRun('tgtadm', [...C, '--op', 'delete', '--mode', 'system']);
    await waitFor('tgtd to exit', () => livePid(labFiles.tgtdPid) === null, 5000).catch(() => stopPid(pid));
  }
  rmSync(labFiles.tgtdPid, { force: true });
  // tgtd leaves its control socket and lock behind; they are ours (port 17).
  for (const f of [`/run/tgtd/socket.${TGT_CONTROL_PORT}`, `/run/tgtd/socket.${TGT_CONTROL_PORT}.lock`]) {
    rmSync(f, { force: true });
  }
  try {
    rmdirSync('/run/tgtd'); // only if empty: another tgtd may be using it
  } catch {
    // not empty, or absent
  }
}

export function tgtdPid(): number | null {
  return livePid(labFiles.tgtdPid);
}

/**
 * The enclosure's crash and restart: tgtd killed outright, then started
 * again with the same LUN file. tgt keeps reservations in memory only, so
 * every registration and the reservation are gone when it is back.
 */
export async function tgtRestart(): Promise<void> {
  const pid = livePid(labFiles.tgtdPid);
  if (pid !== null) {
    process.kill(pid, 'SIGKILL');
    await waitFor('tgtd to die', () => livePid(labFiles.tgtdPid) === null, 5000);
  }
  await tgtDown();
  await tgtUp();
}
