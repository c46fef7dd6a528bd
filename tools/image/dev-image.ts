// `npm run image`: the dev image for the VM pair (docs/image.md). The same
// layout as the product's Buildroot image (images/genimage.cfg), its root
// filesystem from Debian's packages instead of Buildroot's sources, with the
// same staged firmware, init scripts and inittab. Needs root (mmdebstrap in
// root mode, chroot, mke2fs -d keeps owners).
import { mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { makeEfiTree } from './efi.ts';
import { DEV_IMAGE, IMAGE_DIR, REPO, ROOT_SLOT_MB } from './layout.ts';
import { customize, debootstrap } from './rootfs.ts';
import { run } from '../lab/run.ts';

const NODE = join(REPO, 'node_modules', 'node', 'bin', 'node');

function mb(path: string): string {
  return `${(statSync(path).size / 1048576).toFixed(0)} MiB`;
}

async function main(argv: readonly string[]): Promise<void> {
  // --version V: the firmware's version in this image (the upgrade tests' N+1).
  const { values } = parseArgs({ args: [...argv], options: { version: { type: 'string' } }, strict: true });
  if (process.getuid?.() !== 0) throw new Error('npm run image: must run as root (mmdebstrap, chroot)');
  const t0 = Date.now();
  const lap = (what: string) =>
    process.stderr.write(`image: ${what} (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
  const version = values.version !== undefined ? ['--version', values.version] : [];
  await run(NODE, [join(REPO, 'tools', 'image', 'build-firmware.ts'), ...version], { timeoutMs: 600_000 });
  lap('firmware built');

  const work = join(IMAGE_DIR, 'work');
  const root = join(work, 'root');
  const input = join(work, 'input');
  rmSync(input, { recursive: true, force: true });
  mkdirSync(input, { recursive: true });
  await debootstrap(root, join(IMAGE_DIR, 'debian'));
  lap('Debian root filesystem made');
  await customize(root, NODE);
  const rootfs = join(input, 'rootfs.ext4');
  await run('mke2fs', ['-q', '-t', 'ext4', '-L', 'rootfs', '-d', root, rootfs, `${ROOT_SLOT_MB}M`], {
    timeoutMs: 300_000,
  });
  lap(`rootfs.ext4 made`);
  await makeEfiTree(input);

  const empty = join(work, 'empty');
  rmSync(join(work, 'tmp'), { recursive: true, force: true });
  mkdirSync(empty, { recursive: true });
  await run(
    'genimage',
    [
      '--config',
      join(REPO, 'images', 'genimage.cfg'),
      '--inputpath',
      input,
      '--outputpath',
      IMAGE_DIR,
      '--tmppath',
      join(work, 'tmp'),
      '--rootpath',
      empty,
    ],
    { timeoutMs: 300_000 },
  );
  renameSync(join(IMAGE_DIR, 'disk.img'), DEV_IMAGE);
  rmSync(root, { recursive: true, force: true });
  lap(`${DEV_IMAGE}: ${mb(DEV_IMAGE)}`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`npm run image: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
