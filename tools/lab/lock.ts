// One lab per machine: the lab tier, the VM pair, a campaign and the lab
// benches hold this lock while they use the lab's namespaces, so a second
// run fails at once with the holder's name instead of cutting the first
// one's links (a VM pair left up under a lab tier once failed 17 files with
// addresses gone and no clue why). The lock is flock(2) on a file, held by a
// `flock … cat` child: the kernel drops it when the holder dies, so a killed
// run never leaves the lab locked.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { LabError } from './errors.ts';

export const LAB_LOCK = '/tmp/tandem-lab.lock';
/** flock's exit code when the lock is taken (-E): apart from any code of cat's. */
const BUSY = 75;

export interface LabLock {
  release(): Promise<void>;
}

/** Who took the lock, for the message of the one refused (the lock file itself stays empty). */
function holderFile(lockPath: string): string {
  return `${lockPath}.holder`;
}

function holder(lockPath: string): string {
  try {
    return readFileSync(holderFile(lockPath), 'utf8').trim() || 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Takes the lab lock without waiting, for `who` (written for whoever is
 * refused). Throws LabError('lab-busy') naming the holder if it is taken.
 * `cat` echoes a line back once flock has the lock: that is how we know.
 */
export async function takeLabLock(who: string, lockPath = LAB_LOCK): Promise<LabLock> {
  const child = spawn('flock', ['--nonblock', '--conflict-exit-code', String(BUSY), lockPath, 'cat'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('error', (e) => reject(new LabError('command-failed', `flock: ${e.message}`)));
    child.once('exit', (code) => {
      if (code === BUSY)
        reject(
          new LabError(
            'lab-busy',
            `the lab is in use (${lockPath}, last taken by ${holder(lockPath)}): wait for it or stop it`,
          ),
        );
      else reject(new LabError('command-failed', `flock ${lockPath} exited ${code} before taking the lock`));
    });
    // flock refused exits at once, so this write may meet a closed pipe: the
    // exit code above says why, the pipe's EPIPE says nothing more.
    child.stdin.on('error', () => undefined);
    child.stdin.write('locked\n');
  });
  child.removeAllListeners('exit');
  writeFileSync(holderFile(lockPath), `${who} (pid ${process.pid}, since ${new Date().toISOString()})\n`);
  return { release: () => releaseLock(child) };
}

function releaseLock(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.stdin?.end();
  });
}
