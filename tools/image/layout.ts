// Where the dev image is built and what goes into it: one place for the
// paths and sizes the builder, the flash tool's tests and the VM pair share.
import { join } from 'node:path';

export const REPO = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

/** `npm run build`'s staged firmware tree (docs/image.md), laid over the root filesystem. */
export const FIRMWARE_ROOT = process.env['TANDEM_FIRMWARE_ROOT'] ?? join(REPO, 'dist', 'firmware-root');

/** The dev image and its intermediate files. */
export const IMAGE_DIR = process.env['TANDEM_IMAGE_DIR'] ?? join(REPO, 'dist', 'image');

/** The finished disk. */
export const DEV_IMAGE = join(IMAGE_DIR, 'tandem-dev.img');

/** apt's downloaded packages, kept between builds (a fresh machine fills it). */
export const APT_CACHE = process.env['TANDEM_APT_CACHE'] ?? '/var/cache/tandem-image/apt';

/** Debian's mirror, as this machine's apt sources name it. */
export const MIRROR = 'http://deb.debian.org/debian';
export const SUITE = 'bookworm';

/** The root slot size in images/genimage.cfg: the root filesystem is made this size. */
export const ROOT_SLOT_MB = 768;

/**
 * Debian packages of the dev image. The product's Buildroot defconfig has
 * the same parts built from source: the kernel, BusyBox (init, getty, sh),
 * PostgreSQL, mosquitto, RAUC, iproute2, e2fsprogs, sg3_utils, openssl
 * (the web panel's first certificate), grub-editenv (RAUC's grub backend).
 */
export const PACKAGES = [
  'linux-image-amd64',
  'initramfs-tools',
  'busybox-static',
  'postgresql-15',
  'mosquitto',
  'rauc',
  // RAUC's D-Bus service: Debian's rauc is built to install through it.
  'rauc-service',
  'grub-common',
  'iproute2',
  'kmod',
  'procps',
  'openssl',
  'libstdc++6',
  'sg3-utils',
] as const;

/** uid and gid of postgres on every controller image: the data directory on the shared LUN is owned by it. */
export const POSTGRES_ID = 5432;
