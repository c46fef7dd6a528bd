// Runs inside a kernel-tier guest (test/kernel/watchdog.test.ts): the
// firmware's /dev/watchdog driver against softdog. Pets it for longer than
// its timeout, then stops petting and waits: the kernel must reset the guest.
// Every step is a line in the progress file (the writable share), with the
// guest's uptime, because after the reset there is nobody left to report.
import { appendFileSync, readFileSync } from 'node:fs';
import { LinuxWatchdog } from '../../../hal/watchdog/linux.ts';

const [progress, timeoutArg, petForArg] = process.argv.slice(2);
if (progress === undefined) throw new Error('usage: watchdog.ts PROGRESS_FILE TIMEOUT_S PET_FOR_S');
const uptime = (): number => Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
const note = (what: string): void => appendFileSync(progress, `${uptime().toFixed(2)} ${what}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const dog = new LinuxWatchdog('/dev/watchdog');
await dog.open();
note(`granted ${await dog.setTimeoutSeconds(Number(timeoutArg))}`);
note(`timeout ${await dog.getTimeoutSeconds()}`);
const until = Date.now() + Number(petForArg) * 1000;
let pets = 0;
let lastPet = 0;
while (Date.now() < until) {
  await dog.keepalive();
  lastPet = uptime();
  pets++;
  await sleep(1000);
}
note(`stopped after ${pets} pets, the last at ${lastPet.toFixed(2)}`);
// Hold the device open without petting (as a hung firmware would), forever.
for (;;) await sleep(60_000);
