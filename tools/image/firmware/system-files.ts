// The staged tree's files outside /opt/tandem. Each has one copy in the
// repository (the Buildroot tree, images/), which both image builders take
// from here; the table is the one place that says where each goes.
import { chmodSync, copyFileSync, mkdirSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';

interface Staged {
  /** In the repository. */
  readonly from: string;
  /** In the image. */
  readonly to: string;
  readonly mode: number;
}

const PKG = 'buildroot/package/tandem';
const OVERLAY = 'buildroot/board/tandem/rootfs-overlay';

/** The init scripts, in the order rcS runs them. */
export const INIT_SCRIPTS = [
  'S00tandem-coldplug',
  'S01tandem-disks',
  'S10tandem-network',
  'S30tandem-rauc',
  'S50tandem-mosquitto',
  'S95tandemd',
  'S96tandem-panel',
  'S97tandem-web',
] as const;

export const STAGED_FILES: readonly Staged[] = [
  { from: `${PKG}/tandemctl`, to: 'usr/bin/tandemctl', mode: 0o755 },
  // getty's login program (inittab): firmware/console/login.js.
  { from: `${PKG}/tandem-login`, to: 'usr/sbin/tandem-login', mode: 0o755 },
  ...INIT_SCRIPTS.map((s) => ({ from: `${PKG}/${s}`, to: `etc/init.d/${s}`, mode: 0o755 })),
  { from: `${PKG}/mosquitto-tandem.conf`, to: 'etc/mosquitto/tandem.conf', mode: 0o644 },
  { from: `${PKG}/mosquitto-tandem.acl`, to: 'etc/mosquitto/tandem.acl', mode: 0o644 },
  { from: `${OVERLAY}/etc/inittab`, to: 'etc/inittab', mode: 0o644 },
  { from: `${OVERLAY}/etc/fstab`, to: 'etc/fstab', mode: 0o644 },
  { from: `${OVERLAY}/etc/init.d/rcS`, to: 'etc/init.d/rcS', mode: 0o755 },
  { from: `${OVERLAY}/etc/init.d/rcK`, to: 'etc/init.d/rcK', mode: 0o755 },
  { from: 'images/rauc/system.conf', to: 'etc/rauc/system.conf', mode: 0o644 },
];

/**
 * What lives on the data partition, reached by its usual path: the root
 * slots are replaced whole by an update, the config and state must survive.
 */
export const STAGED_LINKS: readonly { readonly at: string; readonly target: string }[] = [
  { at: 'etc/tandem', target: '/data/tandem/etc' },
  { at: 'var/lib/tandem', target: '/data/tandem/state' },
];

/**
 * The certificates RAUC accepts bundles from. The default is the development
 * CA (images/rauc/dev-ca, in the repository on purpose: it protects
 * nothing); a product build names its own (`npm run build -- --keyring`).
 */
export const DEV_KEYRING = 'images/rauc/dev-ca/dev.cert.pem';

export function stageSystemFiles(repo: string, root: string, keyring: string): void {
  const ring = join(root, 'etc/rauc/keyring.pem');
  mkdirSync(dirname(ring), { recursive: true });
  copyFileSync(keyring, ring);
  chmodSync(ring, 0o644);
  for (const f of STAGED_FILES) {
    const to = join(root, f.to);
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(join(repo, f.from), to);
    chmodSync(to, f.mode);
  }
  for (const l of STAGED_LINKS) {
    mkdirSync(dirname(join(root, l.at)), { recursive: true });
    symlinkSync(l.target, join(root, l.at));
  }
}
