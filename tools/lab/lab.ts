// Bringing the whole lab up and down. Both are idempotent: `up` creates only
// what is missing; `down` removes whatever exists and leaves nothing behind
// (namespaces, links, loop devices, mounts, processes, state) except the disk
// images in labDataDir, unless purged.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { labFiles } from './files.ts';
import { stopFirmware } from './firmware.ts';
import { destroyMountNs, releaseNsDir } from './mountns.ts';
import { mqttDown, mqttUp } from './mqtt.ts';
import { netnsExists, netnsPath, networkDown, networkUp } from './netns.ts';
import { killController, powerOn } from './power.ts';
import { preflight } from './preflight.ts';
import { killAllIn, nsInode } from './procs.ts';
import { serialDown, serialUp } from './serial.ts';
import { tgtDown, tgtUp } from './tgt.ts';
import { CONTROLLERS, NODES } from './topology.ts';
import { loopsFor, volumeDown, volumeUp } from './volume.ts';
import { watchdogDown, watchdogUp } from './watchdog-ctl.ts';
import { tryRun } from './run.ts';

export async function labUp(): Promise<void> {
  preflight();
  mkdirSync(labFiles.runDir, { recursive: true, mode: 0o755 });
  mkdirSync(labFiles.dataDir, { recursive: true, mode: 0o700 });
  await networkUp();
  for (const c of CONTROLLERS) await powerOn(c);
  await volumeUp();
  await tgtUp();
  await mqttUp();
  await serialUp();
  await watchdogUp();
  writeFileSync(labFiles.upMarker, `${new Date().toISOString()}\n`);
}

export async function labDown(opts: { purge?: boolean } = {}): Promise<void> {
  preflight();
  rmSync(labFiles.upMarker, { force: true });
  // The watchdog first, so it cannot power anything off half-way through.
  await watchdogDown();
  for (const c of CONTROLLERS) {
    await stopFirmware(c);
    await killController(c);
    await destroyMountNs(c);
  }
  await releaseNsDir();
  await serialDown();
  await mqttDown();
  await tgtDown();
  // Anything else still running in our namespaces (a stray ping, a psql).
  const rest = NODES.map((n) => (netnsExists(n) ? nsInode(netnsPath(n)) : null))
    .filter((ino): ino is number => ino !== null)
    .map((ino) => ({ kind: 'net' as const, ino }));
  await killAllIn(rest);
  await volumeDown();
  for (const dev of await loopsFor(labFiles.dataImage + '.new')) await tryRun('losetup', ['-d', dev]);
  await networkDown();
  rmSync(labFiles.runDir, { recursive: true, force: true });
  if (opts.purge === true && existsSync(labFiles.dataDir))
    rmSync(labFiles.dataDir, { recursive: true, force: true });
}
