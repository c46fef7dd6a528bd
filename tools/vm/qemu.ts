// One guest of the VM pair: QEMU (TCG: no KVM here) booting a flashed copy
// of the dev image through OVMF and GRUB, in its controller's network
// namespace so that its taps and its iSCSI logins use that controller's links.
// ttyS0, the serial console, is a host pty; ttyS2, the heartbeat cable, is a
// socket joining the two guests as a null-modem. QEMU runs under power.ts,
// which cold-boots the guest when it resets; killing that process group is a
// power cut.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { LabError } from '../lab/errors.ts';
import { netnsPath } from '../lab/netns.ts';
import { livePid, signalGroup, spawnDetached } from '../lab/procs.ts';
import { waitFor } from '../lab/run.ts';
import type { Controller } from '../lab/topology.ts';
import { NICS, initiatorName, lunUrl, mac, vmFiles } from './layout.ts';
import { tapName } from './net.ts';

export const QEMU = '/usr/bin/qemu-system-x86_64';
export const OVMF = '/usr/share/ovmf/OVMF.fd';

/** Guest memory: the firmware, the web and panel processes, PostgreSQL. */
const MEMORY_MB = 1536;

export function qemuArgs(c: Controller): string[] {
  const opts: [string, string][] = [
    ['-name', `tandem-${c}`],
    ['-machine', 'q35'],
    ['-m', String(MEMORY_MB)],
    ['-smp', '1'],
    ['-bios', OVMF],
    ['-display', 'none'],
    // The boot disk first: without a boot index OVMF tries the NICs and the LUN.
    ['-drive', `file=${vmFiles.disk(c)},format=raw,if=none,id=boot,cache=unsafe`],
    ['-device', 'virtio-blk-pci,drive=boot,bootindex=0'],
    // logappend: the log keeps every boot of the guest, as power.ts restarts QEMU.
    ['-chardev', `pty,id=con,logfile=${vmFiles.consoleLog(c)},logappend=on`],
    ['-serial', 'chardev:con'],
    [
      '-chardev',
      c === 'A'
        ? `socket,id=hb,path=${vmFiles.serialSock},server=on,wait=off`
        : `socket,id=hb,path=${vmFiles.serialSock},reconnect=1`,
    ],
    // COM3 (0x3e8), not COM2: OVMF takes COM1 and COM2 as consoles, and the
    // peer's boot messages arriving there read as key presses (its setup menu).
    ['-device', 'isa-serial,chardev=hb,index=2'],
    // The q35 chipset's own TCO watchdog (iTCO_wdt), as on a board: it resets
    // the guest when it fires (QEMU's default for it is to only log).
    ['-global', 'ICH9-LPC.noreboot=off'],
    ['-iscsi', `initiator-name=${initiatorName(c)}`],
    ['-device', 'virtio-scsi-pci,id=scsi'],
    ['-drive', `file=${lunUrl(c)},if=none,id=shared,format=raw,cache=none`],
    ['-device', 'scsi-block,drive=shared,bus=scsi.0'],
    ['-monitor', `unix:${vmFiles.monitor(c)},server=on,wait=off`],
  ];
  NICS.forEach((nic, i) => {
    opts.push(['-netdev', `tap,id=${nic.name},ifname=${tapName(nic)},script=no,downscript=no`]);
    // No option ROM: the guests never boot from the network.
    opts.push(['-device', `virtio-net-pci,netdev=${nic.name},mac=${mac(c, i)},romfile=`]);
  });
  return ['-nodefaults', ...opts.flat()];
}

/** The guest's power supply (power.ts), which leads QEMU's process group. */
export function qemuPid(c: Controller): number | null {
  return livePid(vmFiles.qemuPid(c));
}

export async function startGuest(c: Controller): Promise<void> {
  if (qemuPid(c) !== null) throw new LabError('usage', `guest ${c} is already running`);
  rmSync(vmFiles.qemuLog(c), { force: true });
  rmSync(vmFiles.consoleLog(c), { force: true });
  const power = new URL('./power.ts', import.meta.url).pathname;
  spawnDetached('nsenter', [`--net=${netnsPath(c)}`, '--', process.execPath, power, c], {
    pidFile: vmFiles.qemuPid(c),
    logFile: vmFiles.qemuLog(c),
  });
  await waitFor(
    `guest ${c}'s console pty`,
    () => {
      if (qemuPid(c) === null) throw new LabError('command-failed', `QEMU for ${c} exited:\n${log(c)}`);
      return consolePty(c) !== null;
    },
    30_000,
  );
}

function log(c: Controller): string {
  return existsSync(vmFiles.qemuLog(c)) ? readFileSync(vmFiles.qemuLog(c), 'utf8') : '';
}

/** The host pty of the guest's serial console, as its latest QEMU printed it at start. */
export function consolePty(c: Controller): string | null {
  const ptys = [...log(c).matchAll(/char device redirected to (\/dev\/pts\/[0-9]+) \(label con\)/g)];
  return ptys.at(-1)?.[1] ?? null;
}

/** A power cut: QEMU and its power supply die at once, the guest's disk keeps what it had written. */
export function killGuest(c: Controller): boolean {
  const pid = qemuPid(c);
  if (pid === null) return false;
  signalGroup(pid, 'SIGKILL');
  return true;
}
