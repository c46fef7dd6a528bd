// The service of test/kernel/zombie-writer.test.ts: appends numbered,
// fsynced 64-byte records to records.log on the group's ext4 mount, and logs
// each record's outcome (ok, or the error code) with its start and end times
// to writer.log in its controller's private directory. A record names its
// writer run (controller and pid), since a controller may run the service
// more than once. It keeps going after errors, as a writer whose controller
// died would, until a stop file appears or it is killed.
// Usage: zombie-writer.js WHO DATA_DIR CTL_DIR.
import { appendFileSync, existsSync, fsyncSync, openSync, writeSync } from 'node:fs';

const [who, data, CTL] = process.argv.slice(2);
if (who === undefined || data === undefined || CTL === undefined)
  throw new Error('usage: zombie-writer WHO DATA_DIR CTL_DIR');
const run = `${who}${process.pid}`;
const fd = openSync(`${data}/records.log`, 'a');
const log = (line: string): void => appendFileSync(`${CTL}/writer.log`, `${line}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

for (let seq = 1; !existsSync(`${CTL}/stop`); seq++) {
  const started = Date.now();
  const record = `${run} ${String(seq).padStart(8, '0')} ${started}`.padEnd(63, '.') + '\n';
  try {
    writeSync(fd, record);
    fsyncSync(fd);
    log(`${run} ${seq} ok ${started} ${Date.now()}`);
  } catch (err) {
    log(`${run} ${seq} ${(err as NodeJS.ErrnoException).code ?? 'error'} ${started} ${Date.now()}`);
  }
  await sleep(50);
}
