// The guest's initramfs: static busybox, init.sh as /init, and the modules
// the root needs before it exists (virtio PCI, 9p, overlay), in load order
// from the unpacked kernel's modules.dep. Everything else is loaded later
// with modprobe from the 9p root.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { cpioArchive } from './cpio.ts';
import type { CpioEntry } from './cpio.ts';
import type { GuestPieces } from './pieces.ts';

const ROOT_MODULES = ['virtio_pci', '9pnet_virtio', '9p', 'overlay'];

/** Module paths (relative to lib/modules/<release>) in an order insmod accepts: dependencies first. */
export function loadOrder(modulesDep: string, wanted: readonly string[]): string[] {
  const deps = new Map<string, string[]>();
  for (const line of modulesDep.split('\n')) {
    const [mod, rest] = line.split(':');
    if (mod === undefined || rest === undefined) continue;
    deps.set(mod, rest.trim() === '' ? [] : rest.trim().split(/\s+/));
  }
  const byName = new Map([...deps.keys()].map((p) => [basename(p, '.ko').replace(/-/g, '_'), p]));
  const order: string[] = [];
  const visit = (path: string): void => {
    if (order.includes(path)) return;
    for (const d of deps.get(path) ?? []) visit(d);
    order.push(path);
  };
  for (const w of wanted) {
    const path = byName.get(w.replace(/-/g, '_'));
    if (path === undefined) throw new Error(`module ${w} is not in modules.dep`);
    visit(path);
  }
  return order;
}

export function buildInitramfs(pieces: GuestPieces): Buffer {
  const modDir = join(pieces.modulesRoot, pieces.release);
  const order = loadOrder(readFileSync(join(modDir, 'modules.dep'), 'utf8'), ROOT_MODULES);
  const entries: CpioEntry[] = [
    ...['bin', 'dev', 'proc', 'sys', 'mod'].map((path): CpioEntry => ({ kind: 'dir', path })),
    { kind: 'char', path: 'dev/console', major: 5, minor: 1 },
    { kind: 'file', path: 'bin/busybox', data: readFileSync(pieces.busybox), mode: 0o755 },
    { kind: 'symlink', path: 'bin/sh', target: 'busybox' },
    { kind: 'file', path: 'init', data: readFileSync(new URL('./init.sh', import.meta.url)), mode: 0o755 },
    { kind: 'file', path: 'mod/order', data: Buffer.from(order.map((p) => basename(p)).join('\n') + '\n') },
    ...order.map((p): CpioEntry => ({
      kind: 'file',
      path: `mod/${basename(p)}`,
      data: readFileSync(join(modDir, p)),
    })),
  ];
  return cpioArchive(entries);
}
