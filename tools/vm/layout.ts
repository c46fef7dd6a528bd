// The VM pair's fixed pieces, beside the lab's topology: which lab links each
// guest's NICs join, their MACs, the enclosure target the guests reach through
// QEMU's iSCSI driver, and where the pair keeps its disks and consoles.
import { join } from 'node:path';
import { labFiles } from '../lab/files.ts';
import { ADDR, ISCSI_PORT, lc, type Controller } from '../lab/topology.ts';

const run = join(labFiles.runDir, 'vm');
const data = join(labFiles.dataDir, 'vm');

export const vmFiles = {
  runDir: run,
  dataDir: data,
  /** Each guest's boot disk: a flashed copy of the dev image. */
  disk: (c: Controller) => join(data, `disk-${lc(c)}.img`),
  qemuPid: (c: Controller) => join(run, `qemu-${lc(c)}.pid`),
  qemuLog: (c: Controller) => join(run, `qemu-${lc(c)}.log`),
  /** Everything the guest wrote on its serial console, kept by QEMU whether or not the pty is open. */
  consoleLog: (c: Controller) => join(run, `console-${lc(c)}.log`),
  /** QEMU's monitor, for the pty path of the console. */
  monitor: (c: Controller) => join(run, `monitor-${lc(c)}.sock`),
  /** The guests' second serial ports meet here: A listens, B connects. */
  serialSock: join(run, 'serial.sock'),
  /** The shared LUN of the pair: witness area, then one partition with the data volume. */
  lunImage: join(data, 'encl-lun.img'),
} as const;

/** One tgtd target for the guests, beside the lab's own (tid 1). */
export const VM_TARGET = { tid: 2, iqn: 'iqn.2026-11.invalid.tandem:vm-encl', lun: 1 } as const;

export const VM_LUN_BYTES = 512 * 1024 * 1024;
/** The data partition starts after the witness area (config witnessLba/witnessSectors). */
export const VM_DATA_OFFSET_BYTES = 16 * 1024 * 1024;

export function initiatorName(c: Controller): string {
  return `iqn.2026-11.invalid.tandem:vm-${lc(c)}`;
}

export function lunUrl(c: Controller): string {
  const portal = c === 'A' ? ADDR.enclSasA : ADDR.enclSasB;
  return `iscsi://${portal}:${ISCSI_PORT}/${VM_TARGET.iqn}/${VM_TARGET.lun}`;
}

/**
 * The guests' NICs, in PCI order (eth0, eth1 in the guest): each is a tap
 * bridged in the controller's namespace to the lab's link, whose address
 * moves from the namespace into the guest.
 */
export const NICS = [
  { name: 'priv', labIf: 'priv0', guestIf: 'eth0', cidr: { A: `${ADDR.privA}/24`, B: `${ADDR.privB}/24` } },
  { name: 'lan', labIf: 'lan0', guestIf: 'eth1', cidr: { A: `${ADDR.lanA}/24`, B: `${ADDR.lanB}/24` } },
] as const;

export function mac(c: Controller, nic: number): string {
  return `52:54:00:18:${c === 'A' ? '0a' : '0b'}:0${nic}`;
}

export const BOX_ID = 'vm-box';
