// Crash-safe replacement of a small file: write a temporary file beside it,
// fsync it, rename it over the target, then fsync the directory so the
// rename itself is durable. At every instant the target holds either the
// whole old content or the whole new content, never a mix or nothing.
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

let counter = 0;

function tmpPrefix(target: string): string {
  return `.${basename(target)}.tmp-`;
}

export async function writeFileAtomic(target: string, content: string | Uint8Array): Promise<void> {
  const dir = dirname(target);
  const tmp = join(dir, `${tmpPrefix(target)}${process.pid}-${++counter}`);
  try {
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(content);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, target);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fsyncDir(dir);
}

/**
 * The same, synchronously: for a state change that must be on disk before
 * the caller goes on (a few bytes, written rarely).
 */
export function writeFileAtomicSync(target: string, content: string): void {
  const dir = dirname(target);
  const tmp = join(dir, `${tmpPrefix(target)}${process.pid}-${++counter}`);
  try {
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // the temporary was never created
    }
    throw err;
  }
  const dh = openSync(dir, 'r');
  try {
    fsyncSync(dh);
  } finally {
    closeSync(dh);
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const dh = await open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}

/** Remove temporaries left by writes that were cut off by a crash. */
export async function removeStrayTemps(target: string): Promise<string[]> {
  const dir = dirname(target);
  const prefix = tmpPrefix(target);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const stray = names.filter((n) => n.startsWith(prefix));
  await Promise.all(stray.map((n) => unlink(join(dir, n)).catch(() => undefined)));
  return stray;
}
