// RAUC update bundles of a controller's root filesystem: made with `rauc
// bundle` (verity format: the payload is checked block by block when it is
// installed) and checked with `rauc extract`, which verifies the signature
// against a keyring and then every byte of the payload. A bundle that fails
// either is refused with RAUC's own reason, and nothing is kept of it.
import { mkdtempSync, rmSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tryRun } from '../lab/run.ts';

/** RAUC's `compatible`: a bundle for anything else is refused by the box (images/rauc/system.conf). */
export const COMPATIBLE = 'tandem-controller';

export class BundleError extends Error {
  override readonly name = 'BundleError';
}

export interface BundleRequest {
  /** The ext4 image of a root slot (the dev image's `rootfs.ext4`). */
  readonly rootfs: string;
  readonly version: string;
  readonly cert: string;
  readonly key: string;
  readonly out: string;
}

const VERSION = /^[0-9]+\.[0-9]+\.[0-9]+(?:[-+][0-9A-Za-z.-]{1,40})?$/;

function rauc(args: readonly string[]) {
  return tryRun('rauc', args, { timeoutMs: 900_000 });
}

/** Why RAUC refused, in its words: the last lines of what it printed. */
function reason(r: { stdout: string; stderr: string }): string {
  return (r.stderr + r.stdout)
    .split('\n')
    .map((l) => l.replace(/^rauc-Message: [0-9:.]+: /, '').trim())
    .filter((l) => l !== '')
    .slice(-2)
    .join('; ');
}

export async function makeBundle(req: BundleRequest): Promise<void> {
  if (!VERSION.test(req.version))
    throw new BundleError(`--version: ${JSON.stringify(req.version)} is not MAJOR.MINOR.PATCH`);
  for (const [what, file] of [
    ['--rootfs', req.rootfs],
    ['--cert', req.cert],
    ['--key', req.key],
  ] as const) {
    try {
      if (!statSync(file).isFile()) throw new Error('not a regular file');
    } catch (err) {
      throw new BundleError(`${what} ${file}: ${(err as Error).message}`);
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'tandem-bundle-'));
  try {
    copyFileSync(req.rootfs, join(dir, 'rootfs.ext4'));
    writeFileSync(
      join(dir, 'manifest.raucm'),
      `[update]\ncompatible=${COMPATIBLE}\nversion=${req.version}\n\n[bundle]\nformat=verity\n\n[image.rootfs]\nfilename=rootfs.ext4\n`,
    );
    rmSync(req.out, { force: true });
    const r = await rauc(['bundle', '--cert', req.cert, '--key', req.key, dir, req.out]);
    if (r.code !== 0) {
      rmSync(req.out, { force: true });
      throw new BundleError(`rauc bundle refused: ${reason(r)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Verified {
  readonly compatible: string;
  readonly version: string;
}

/** Signature against the keyring, then the whole payload; the bundle's compatible and version when both hold. */
export async function verifyBundle(bundle: string, keyring: string): Promise<Verified> {
  const info = await rauc(['info', '--keyring', keyring, '--output-format=shell', bundle]);
  if (info.code !== 0) throw new BundleError(`${bundle}: refused: ${reason(info)}`);
  const field = (name: string) => new RegExp(`^${name}='([^']*)'$`, 'm').exec(info.stdout)?.[1] ?? '';
  const found = { compatible: field('RAUC_MF_COMPATIBLE'), version: field('RAUC_MF_VERSION') };
  if (found.compatible !== COMPATIBLE)
    throw new BundleError(
      `${bundle}: refused: it is for ${JSON.stringify(found.compatible)}, not ${COMPATIBLE}`,
    );
  const dir = mkdtempSync(join(tmpdir(), 'tandem-bundle-check-'));
  try {
    // extract wants a directory that does not exist yet.
    const r = await rauc(['extract', '--keyring', keyring, bundle, join(dir, 'payload')]);
    if (r.code !== 0) throw new BundleError(`${bundle}: refused: ${reason(r)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return found;
}
