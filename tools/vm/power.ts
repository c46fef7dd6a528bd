// A guest's power supply: runs QEMU for one controller and, when the guest
// resets (a reboot, or its watchdog firing), powers it off and on again, as a
// board whose reset line cycles its power. A warm reset in QEMU is not safe
// here: under TCG, OVMF sometimes never comes back from one (the console
// stops at "reboot: Restarting system" while the vCPU spins), and a cold boot
// always has. QEMU runs with `-action reboot=shutdown`, so a reset ends it
// (exit 0) as a power-off does; the kernel's last console line tells the
// two apart, and a guest that powered itself off stays off.
// Usage (in the controller's namespace): power.ts A|B. Its process group is
// the guest: killing the group is a power cut.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { QEMU, qemuArgs } from './qemu.ts';
import { vmFiles } from './layout.ts';
import { CONTROLLERS, type Controller } from '../lab/topology.ts';

function controllerArg(arg: string | undefined): Controller {
  const c = CONTROLLERS.find((x) => x === arg);
  if (c === undefined) throw new Error(`usage: power.ts A|B (got ${JSON.stringify(arg)})`);
  return c;
}

const c = controllerArg(process.argv[2]);
const args = [...qemuArgs(c), '-action', 'reboot=shutdown'];

/** Whether the guest's kernel last said it powers down (not "Restarting system"). */
function poweredOff(): boolean {
  let log: string;
  try {
    log = readFileSync(vmFiles.consoleLog(c), 'latin1').slice(-4096);
  } catch {
    return false;
  }
  return log.lastIndexOf('reboot: Power down') > log.lastIndexOf('reboot: Restarting system');
}

let stopping = false;
let qemu: ReturnType<typeof spawn> | null = null;
for (const sig of ['SIGTERM', 'SIGINT'] as const)
  process.on(sig, () => {
    stopping = true;
    qemu?.kill(sig);
  });

for (let boot = 1; ; boot++) {
  qemu = spawn(QEMU, args, { stdio: 'inherit' });
  const [code, signal] = (await once(qemu, 'exit')) as [number | null, NodeJS.Signals | null];
  if (stopping || code !== 0 || poweredOff()) {
    console.log(`power: QEMU for ${c} ended (${signal ?? `exit ${code}`}) after boot ${boot}`);
    process.exit(code ?? 1);
  }
  console.log(`power: guest ${c} reset: cold boot ${boot + 1}`);
}
