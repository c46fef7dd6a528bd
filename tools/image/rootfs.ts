// The dev image's root filesystem: Debian bookworm (minbase) with the
// packages of layout.ts from mmdebstrap, trimmed to what a controller runs,
// then the staged firmware tree laid over it. apt's downloads are kept in
// APT_CACHE, so a second build fetches nothing.
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { APT_CACHE, FIRMWARE_ROOT, MIRROR, PACKAGES, POSTGRES_ID, SUITE } from './layout.ts';
import { run } from '../lab/run.ts';

/**
 * The Debian tree as mmdebstrap made it, kept beside the image with a stamp
 * of what it was made from: the next build copies it instead of installing
 * again (delete dist/image to take Debian's newest packages).
 */
export async function debootstrap(root: string, cache: string): Promise<void> {
  const stamp = join(cache, '.tandem-stamp');
  const want = JSON.stringify({ SUITE, MIRROR, PACKAGES });
  const have = existsSync(stamp) ? readFileSync(stamp, 'utf8') : '';
  if (have !== want) {
    rmSync(cache, { recursive: true, force: true });
    mkdirSync(APT_CACHE, { recursive: true });
    await run(
      'mmdebstrap',
      [
        '--mode=root',
        '--variant=minbase',
        '--format=directory',
        `--include=${PACKAGES.join(',')}`,
        // Keep the downloaded .debs: they are copied in before apt runs and
        // out again after, so the next build downloads nothing.
        '--skip=essential/unlink',
        '--skip=download/empty',
        `--setup-hook=mkdir -p "$1"/var/cache/apt/archives/`,
        `--setup-hook=sync-in ${APT_CACHE} /var/cache/apt/archives/`,
        `--customize-hook=sync-out /var/cache/apt/archives ${APT_CACHE}`,
        SUITE,
        cache,
        MIRROR,
      ],
      { timeoutMs: 900_000 },
    );
    writeFileSync(stamp, want);
  }
  rmSync(root, { recursive: true, force: true });
  // cp keeps owners, modes, links and device nodes as they are.
  await run('cp', ['-a', cache, root], { timeoutMs: 300_000 });
  rmSync(join(root, '.tandem-stamp'), { force: true });
}

/** Kernel module trees a controller never loads (the initramfs, made by Debian's hook, keeps its own copy). */
const UNUSED_MODULES = [
  'sound',
  'drivers/gpu',
  'drivers/media',
  'drivers/net/wireless',
  'drivers/net/ethernet',
  'drivers/net/usb',
  'drivers/net/can',
  'drivers/infiniband',
  'drivers/staging',
  'drivers/bluetooth',
  'drivers/iio',
  'drivers/hid',
  'drivers/usb',
  'drivers/input',
  'drivers/isdn',
  'drivers/mtd',
  'drivers/video',
  'drivers/thunderbolt',
  'drivers/nfc',
  'drivers/comedi',
  'net/wireless',
  'net/mac80211',
  'net/bluetooth',
];

/** Trims the tree, lays the firmware over it and makes it boot with BusyBox init. */
export async function customize(root: string, nodeBinary: string): Promise<void> {
  for (const release of readdirSync(join(root, 'lib', 'modules'))) {
    for (const dir of UNUSED_MODULES)
      rmSync(join(root, 'lib', 'modules', release, 'kernel', dir), { recursive: true, force: true });
    await run('depmod', ['-b', root, release]);
  }
  for (const dir of [
    'usr/share/doc',
    'usr/share/man',
    'usr/share/info',
    'usr/share/locale',
    'var/cache/apt',
    'var/lib/apt/lists',
  ])
    rmSync(join(root, dir), { recursive: true, force: true });
  // The firmware runs PostgreSQL on the shared LUN; Debian's default
  // cluster is never used. PostgreSQL's JIT (LLVM and z3, 130 MB) is left
  // out: without its provider PostgreSQL runs with jit off. udev's hardware
  // database serves only the initramfs's udev.
  for (const dir of [
    'var/lib/postgresql/15/main',
    'etc/postgresql/15/main',
    'usr/share/postgresql/15/man',
    'usr/lib/postgresql/15/lib/llvmjit.so',
    'usr/lib/postgresql/15/lib/llvmjit_types.bc',
    'usr/lib/postgresql/15/lib/bitcode',
    'usr/lib/x86_64-linux-gnu/libLLVM-14.so.1',
    'usr/lib/x86_64-linux-gnu/libz3.so.4',
    'usr/lib/udev/hwdb.bin',
    'usr/lib/udev/hwdb.d',
  ])
    rmSync(join(root, dir), { recursive: true, force: true });

  if (!existsSync(FIRMWARE_ROOT)) throw new Error(`${FIRMWARE_ROOT} is missing: run npm run build first`);
  cpSync(FIRMWARE_ROOT, root, { recursive: true, force: true, verbatimSymlinks: true });
  // Node 22.22.0 from the npm package's own binary (the version every npm
  // script runs), without its debug symbols.
  cpSync(nodeBinary, join(root, 'usr/bin/node'));
  await run('strip', ['--strip-debug', join(root, 'usr/bin/node')]);

  // BusyBox init, as on the product (Buildroot's default init): inittab and
  // the S?? scripts come from the firmware tree.
  // getty too: util-linux's agetty takes its arguments in another order.
  // reboot, halt and poweroff: Debian's are systemd's (systemctl), which
  // do nothing without systemd; BusyBox's signal BusyBox init.
  for (const applet of ['sbin/init', 'sbin/getty', 'sbin/reboot', 'sbin/halt', 'sbin/poweroff']) {
    rmSync(join(root, applet), { force: true });
    symlinkSync('/bin/busybox', join(root, applet));
  }

  // Config and state live on the data partition, which survives updates.
  for (const dir of ['data', 'boot/efi']) mkdirSync(join(root, dir), { recursive: true });
  for (const [link, target] of [
    ['etc/tandem', '/data/tandem/etc'],
    ['var/lib/tandem', '/data/tandem/state'],
  ] as const) {
    rmSync(join(root, link), { recursive: true, force: true });
    symlinkSync(target, join(root, link));
  }
  writeFileSync(join(root, 'etc/hostname'), 'tandem\n');
  writeFileSync(join(root, 'etc/hosts'), '127.0.0.1\tlocalhost tandem\n::1\tlocalhost\n');
  // Root is locked until the first boot gives it a per-box password: no shared default.
  await run('chroot', [root, 'usermod', '-p', '*', 'root']);
  await pinPostgresIds(root);
}

/**
 * PostgreSQL's data directory lives on the shared LUN, written by whichever
 * controller runs the group: the postgres user must have the same ids on
 * every image, not the next free ones of this build.
 */
async function pinPostgresIds(root: string): Promise<void> {
  const passwd = readFileSync(join(root, 'etc/passwd'), 'utf8');
  const m = /^postgres:[^:]*:([0-9]+):([0-9]+):/m.exec(passwd);
  if (m === null) throw new Error('the image has no postgres user');
  const [oldUid, oldGid] = [m[1] ?? '', m[2] ?? ''];
  const id = String(POSTGRES_ID);
  await run('chroot', [root, 'groupmod', '-g', id, 'postgres']);
  await run('chroot', [root, 'usermod', '-u', id, '-g', id, 'postgres']);
  // usermod moves the home directory's files; the rest (/etc/postgresql-common, logs, sockets) by hand.
  for (const [test, old, tool, to] of [
    ['-uid', oldUid, 'chown', id],
    ['-gid', oldGid, 'chgrp', id],
  ] as const)
    await run('chroot', [root, 'find', '/', '-xdev', test, old, '-exec', tool, '-h', to, '{}', '+']);
}
