// Bringing the VM pair up and down on top of the lab (lab.ts): the lab's
// namespaces, links, enclosure (tgtd), NOC broker and client stay as they
// are; the controllers' namespaces hand their addresses to two guests booted
// from flashed copies of the dev image.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { labDown, labUp } from '../lab/lab.ts';
import { LabError } from '../lab/errors.ts';
import { waitFor } from '../lab/run.ts';
import { CONTROLLERS, lc, type Controller } from '../lab/topology.ts';
import { flash } from '../flash/flash.ts';
import { writeDataFiles } from '../flash/data-files.ts';
import { DEV_IMAGE } from '../image/layout.ts';
import { makeLun, targetDown, targetUp } from './lun.ts';
import { BOX_ID, vmFiles } from './layout.ts';
import { guestNetDown, guestNetUp, guestNetworkFile } from './net.ts';
import { killGuest, qemuPid, startGuest } from './qemu.ts';

const CONFIGS = new URL('./configs/', import.meta.url).pathname;

export function vmConfigFile(c: Controller): string {
  return join(CONFIGS, `vm-${lc(c)}.json`);
}

/** Flashes one guest's disk as an installer flashes a controller: the image, its identity and config. */
export async function flashGuest(c: Controller, log: (line: string) => void): Promise<void> {
  const disk = vmFiles.disk(c);
  rmSync(disk, { force: true });
  await flash(
    { image: DEV_IMAGE, target: disk, controller: c, box: BOX_ID, config: vmConfigFile(c) },
    { log, progress: { isTTY: false, write: () => undefined } },
  );
  await writeDataFiles(disk, [{ path: 'tandem/etc/network', content: guestNetworkFile(c), mode: 0o644 }]);
}

export async function vmUp(log: (line: string) => void): Promise<void> {
  if (!existsSync(DEV_IMAGE))
    throw new LabError('not-up', `${DEV_IMAGE} is missing: run npm run image first`);
  await labUp();
  mkdirSync(vmFiles.runDir, { recursive: true, mode: 0o755 });
  for (const c of CONTROLLERS)
    if (qemuPid(c) !== null) throw new LabError('usage', `guest ${c} is running: vm down first`);
  await makeLun();
  await targetUp();
  for (const c of CONTROLLERS) {
    await guestNetUp(c);
    await flashGuest(c, log);
  }
  // A listens on the heartbeat cable's socket, B connects to it.
  for (const c of CONTROLLERS) await startGuest(c);
}

export async function vmDown(): Promise<void> {
  for (const c of CONTROLLERS) {
    killGuest(c);
    await waitFor(`QEMU ${c} to exit`, () => qemuPid(c) === null, 10_000);
    await guestNetDown(c);
  }
  await targetDown();
  rmSync(vmFiles.runDir, { recursive: true, force: true });
  await labDown();
}
