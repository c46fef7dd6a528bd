// Power for a controller. Off = every process in its namespaces killed and its
// mount namespace dropped, so its mounts vanish as they would on a reset; the
// addresses its firmware added (the VIP) are removed, as a reset loses them.
// Its network (the "hardware": links and the lab's own addresses) stays.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { LabError } from './errors.ts';
import { labFiles } from './files.ts';
import { createMountNs, destroyMountNs, mountNsExists } from './mountns.ts';
import { netnsExists, netnsPath } from './netns.ts';
import { killAllIn, nsInode } from './procs.ts';
import { dropRuntimeAddresses } from './runtime-addresses.ts';
import type { Controller } from './topology.ts';

export function isPoweredOn(c: Controller): boolean {
  return !existsSync(labFiles.powerOff(c));
}

export function requirePoweredOn(c: Controller): void {
  if (!netnsExists(c)) throw new LabError('not-up', 'the lab is not up: run `npm run lab -- up`');
  if (!isPoweredOn(c))
    throw new LabError('powered-off', `controller ${c} is powered off: run \`npm run lab -- poweron ${c}\``);
}

/** Kills everything in the controller's namespaces; returns how many died. */
export async function killController(c: Controller): Promise<number> {
  const namespaces: { kind: 'net' | 'mnt'; ino: number }[] = [];
  const net = nsInode(netnsPath(c));
  if (net !== null) namespaces.push({ kind: 'net', ino: net });
  // The handle file's inode is the namespace's only while the nsfs is bound.
  const mnt = mountNsExists(c) ? nsInode(labFiles.mntNs(c)) : null;
  if (mnt !== null) namespaces.push({ kind: 'mnt', ino: mnt });
  return killAllIn(namespaces);
}

export async function powerOff(c: Controller): Promise<number> {
  if (!netnsExists(c)) throw new LabError('not-up', 'the lab is not up');
  writeFileSync(labFiles.powerOff(c), `${new Date().toISOString()}\n`);
  writeFileSync(labFiles.lastPowerOff(c), `${Date.now()}\n`);
  const killed = await killController(c);
  await dropRuntimeAddresses(c);
  await destroyMountNs(c);
  rmSync(labFiles.firmwarePid(c), { force: true });
  return killed;
}

export async function powerOn(c: Controller): Promise<void> {
  if (!netnsExists(c)) throw new LabError('not-up', 'the lab is not up');
  await createMountNs(c);
  rmSync(labFiles.powerOff(c), { force: true });
}
