// One flash: every check first (identity and config, image layout, target
// free and empty or forced), then the copy, the read-back comparison, and
// the controller's files onto the data partition. Nothing is written until
// every check has passed.
import { statSync } from 'node:fs';
import { hashPrefix, writeImage } from './copy.ts';
import { writeDataFiles } from './data-files.ts';
import { FlashError } from './errors.ts';
import { exec } from './exec.ts';
import { readGpt, SECTOR } from './gpt.ts';
import { controllerFiles } from './identity.ts';
import { targetUses } from './in-use.ts';
import { imageLayout, requireExtFilesystem } from './layout.ts';
import { probeContents } from './probe.ts';
import type { ProgressSink } from './progress.ts';
import { inspectTarget, sameTarget } from './target.ts';

export interface FlashRequest {
  readonly image: string;
  readonly target: string;
  readonly controller: string;
  readonly box: string;
  readonly config?: string;
  /** Must name the target itself; allows overwriting a filesystem or partition table. */
  readonly force?: string;
}

export interface FlashReport {
  readonly imageSha256: string;
  readonly targetSha256: string;
  readonly bytes: number;
  readonly files: readonly string[];
}

export interface FlashOutput {
  log(line: string): void;
  readonly progress: ProgressSink;
}

async function checkImage(image: string): Promise<number> {
  let st;
  try {
    st = statSync(image);
  } catch (err) {
    throw new FlashError(`image ${image}: ${(err as Error).message}`);
  }
  if (!st.isFile()) throw new FlashError(`image ${image}: not a regular file`);
  if (st.size % SECTOR !== 0)
    throw new FlashError(`image ${image}: ${st.size} bytes is not a whole number of sectors`);
  const layout = imageLayout(await readGpt(image, st.size), `image ${image}`);
  await requireExtFilesystem(image, layout.data);
  return st.size;
}

export async function flash(req: FlashRequest, out: FlashOutput): Promise<FlashReport> {
  if (req.target.includes('?'))
    throw new FlashError(`${req.target}: a '?' in the target's path is not accepted`);
  const files = controllerFiles(req.controller, req.box, req.config);
  const bytes = await checkImage(req.image);

  const target = inspectTarget(req.target);
  if (sameTarget(req.image, req.target)) throw new FlashError(`${req.target} is the image itself`);
  if (req.force !== undefined && !sameTarget(req.force, req.target)) {
    throw new FlashError(`--force names ${req.force}, not the target ${req.target}`);
  }
  const uses = targetUses(target);
  if (uses.length > 0)
    throw new FlashError(`${req.target} is in use (refused even with --force): ${uses.join('; ')}`);
  if (target.kind === 'block' && target.bytes < bytes) {
    throw new FlashError(`${req.target}: ${target.bytes} bytes, smaller than the image's ${bytes}`);
  }
  const holds = await probeContents(target);
  if (holds.length > 0 && req.force === undefined) {
    throw new FlashError(
      `${req.target} already holds ${holds.join(' and ')}; to overwrite it, add --force ${req.target}`,
    );
  }

  out.log(
    `flashing ${req.image} (${bytes} bytes) onto ${target.path} as controller ${req.controller} of box ${req.box}`,
  );
  const kind = target.kind === 'block' ? 'block' : 'file';
  const imageSha256 = await writeImage(req.image, bytes, target.path, kind, out.progress);
  const targetSha256 = await hashPrefix(target.path, bytes, out.progress);
  out.log(`image  sha256 ${imageSha256}`);
  out.log(`target sha256 ${targetSha256} (first ${bytes} bytes)`);
  if (imageSha256 !== targetSha256) {
    throw new FlashError(`MISMATCH: ${target.path} does not read back as the image; do not use this disk`);
  }
  await writeDataFiles(target.path, files);
  for (const f of files) out.log(`wrote ${f.path} on the data partition`);
  if (target.kind === 'block') {
    // The kernel still has the old partition table of this disk in memory.
    const r = await exec('blockdev', ['--rereadpt', target.path]);
    if (r.code !== 0)
      out.log(`warning: blockdev --rereadpt ${target.path}: ${r.stderr.trim()} (re-plug or reboot)`);
  }
  return { imageSha256, targetSha256, bytes, files: files.map((f) => f.path) };
}
