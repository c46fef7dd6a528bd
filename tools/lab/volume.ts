// The data volume: a 256 MiB ext4 image on a loop device, holding an
// initialised PostgreSQL 15 cluster in /pgdata. Nobody mounts it at rest.
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { labFiles } from './files.ts';
import { run, tryRun, waitFor } from './run.ts';
import { DATA_VOLUME_SIZE_BYTES } from './topology.ts';

const INIT = fileURLToPath(new URL('./volume-init.ts', import.meta.url));
/**
 * What volume-init.ts puts on the image; raise it when that changes, and the
 * next `up` builds the image again (2: checkpoint_timeout 30 s; 3:
 * recovery_init_sync_method syncfs).
 */
const VOLUME_VERSION = '3';
const versionFile = (): string => `${labFiles.dataImage}.version`;

function imageIsCurrent(): boolean {
  if (!existsSync(labFiles.dataImage)) return false;
  try {
    return readFileSync(versionFile(), 'utf8').trim() === VOLUME_VERSION;
  } catch {
    return false;
  }
}

/** Loop devices backed by `file`, from `losetup -j`. */
export async function loopsFor(file: string): Promise<string[]> {
  const r = await tryRun('losetup', ['-j', file]);
  if (r.code !== 0) return [];
  return r.stdout
    .split('\n')
    .map((l) => /^(\/dev\/loop[0-9]+):/.exec(l)?.[1])
    .filter((d): d is string => d !== undefined);
}

async function attach(file: string): Promise<string> {
  const dev = (await run('losetup', ['--find', '--show', file])).trim();
  if (!/^\/dev\/loop[0-9]+$/.test(dev)) throw new Error(`losetup printed ${JSON.stringify(dev)}`);
  return dev;
}

async function detachAll(file: string): Promise<void> {
  for (const dev of await loopsFor(file)) await tryRun('losetup', ['-d', dev]);
  // A device still mounted in a dying namespace detaches when that goes.
  await waitFor(`loop devices of ${file} to detach`, async () => (await loopsFor(file)).length === 0, 5000);
}

/** First `up`, or an image of another version: build it under a temporary name, then rename. */
async function createImage(): Promise<void> {
  const tmp = labFiles.dataImage + '.new';
  await detachAll(tmp);
  rmSync(tmp, { force: true });
  await run('truncate', ['-s', String(DATA_VOLUME_SIZE_BYTES), tmp]);
  await run('mkfs.ext4', ['-q', '-F', '-L', 'tandem-data', tmp], { timeoutMs: 60_000 });
  const dev = await attach(tmp);
  try {
    await run('unshare', ['--mount', '--propagation', 'private', process.execPath, INIT, dev], {
      timeoutMs: 180_000,
    });
  } finally {
    await detachAll(tmp);
  }
  renameSync(tmp, labFiles.dataImage);
  writeFileSync(versionFile(), `${VOLUME_VERSION}\n`);
}

export async function volumeUp(): Promise<string> {
  if (!imageIsCurrent()) {
    await detachAll(labFiles.dataImage);
    await createImage();
  }
  const existing = await loopsFor(labFiles.dataImage);
  const dev = existing[0] ?? (await attach(labFiles.dataImage));
  writeFileSync(labFiles.loopDevice, dev + '\n');
  return dev;
}

export async function volumeDown(): Promise<void> {
  await detachAll(labFiles.dataImage);
  rmSync(labFiles.loopDevice, { force: true });
}

export function loopDevice(): string | null {
  try {
    const dev = readFileSync(labFiles.loopDevice, 'utf8').trim();
    return /^\/dev\/loop[0-9]+$/.test(dev) ? dev : null;
  } catch {
    return null;
  }
}
