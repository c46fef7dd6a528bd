// What a kernel-tier guest is made of, found on this machine: QEMU, a static
// busybox, and Debian's bookworm kernel and open-iscsi unpacked (not
// installed) into a cache by tools/setup.sh. A missing piece is an error that
// names it and the command that installs it: the tier never skips.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The repository: the guest sees the host's tree at the same path through 9p. */
export const REPO = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

export const KERNEL_CACHE = process.env['TANDEM_KERNEL_CACHE'] ?? '/var/cache/tandem-kernel';

export interface GuestPieces {
  readonly qemu: string;
  readonly busybox: string;
  /** The kernel release, e.g. 6.1.0-57-amd64. */
  readonly release: string;
  /** The compressed kernel from the .deb (bzImage). */
  readonly bzImage: string;
  /** The unpacked kernel's lib/modules (depmod already run). */
  readonly modulesRoot: string;
  /** open-iscsi and its libraries, unpacked: sbin/iscsid, sbin/iscsiadm, usr/lib/x86_64-linux-gnu. */
  readonly iscsiRoot: string;
  readonly cacheDir: string;
}

export class MissingPieceError extends Error {
  override readonly name = 'MissingPieceError';
}

function missing(what: string): never {
  throw new MissingPieceError(
    `kernel tier: ${what} is missing; run tools/setup.sh as root (it installs qemu-system-x86, ` +
      `busybox-static, kmod and sg3-utils, and unpacks the bookworm kernel and open-iscsi into ${KERNEL_CACHE})`,
  );
}

export function findGuestPieces(cacheDir: string = KERNEL_CACHE): GuestPieces {
  const qemu = '/usr/bin/qemu-system-x86_64';
  if (!existsSync(qemu)) missing(`${qemu} (Debian package qemu-system-x86)`);
  const busybox = '/bin/busybox';
  if (!existsSync(busybox)) missing(`${busybox} (Debian package busybox-static)`);
  // Host tools the guest borrows from the shared root, and xz for the vmlinux.
  for (const [tool, pkg] of [
    ['/usr/bin/xz', 'xz-utils'],
    ['/usr/sbin/modprobe', 'kmod'],
    ['/usr/bin/sg_persist', 'sg3-utils'],
  ] as const) {
    if (!existsSync(tool)) missing(`${tool} (Debian package ${pkg})`);
  }
  const modulesDir = join(cacheDir, 'root/lib/modules');
  const releases = existsSync(modulesDir) ? readdirSync(modulesDir).sort() : [];
  const release = releases.at(-1);
  if (release === undefined) missing(`the unpacked kernel (${modulesDir}/<release>)`);
  if (!existsSync(join(modulesDir, release, 'modules.dep')))
    missing(`modules.dep of ${release} (depmod -b ${join(cacheDir, 'root')} ${release})`);
  const bzImage = join(cacheDir, 'root/boot', `vmlinuz-${release}`);
  if (!existsSync(bzImage)) missing(bzImage);
  const iscsiRoot = join(cacheDir, 'iscsi');
  if (!existsSync(join(iscsiRoot, 'sbin/iscsiadm'))) missing(`open-iscsi unpacked in ${iscsiRoot}`);
  return { qemu, busybox, release, bzImage, modulesRoot: modulesDir, iscsiRoot, cacheDir };
}
