// The service of test/kernel/zombie-writer.test.ts: appends numbered,
// fsynced 64-byte records to records.log on the group's ext4 mount, and logs
// each record's outcome (ok, or the error code) with its start time to
// writer.log in its controller's private directory. It keeps going after
// errors, as a writer whose controller died would, until a stop file appears.
// Usage: zombie-writer.js WHO DATA_DIR CTL_DIR.
import { appendFileSync, existsSync, fsyncSync, openSync, writeSync } from 'node:fs';

const [who, data, CTL] = process.argv.slice(2);
if (who === undefined || data === undefined || CTL === undefined)
  throw new Error('usage: zombie-writer WHO DATA_DIR CTL_DIR');
const fd = openSync(`${data}/records.log`, 'a');
const log = (line: string): void => appendFileSync(`${CTL}/writer.log`, `${line}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

for (let seq = 1; !existsSync(`${CTL}/stop`); seq++) {
  const started = Date.now();
  const record = `${who} ${String(seq).padStart(8, '0')} ${started}`.padEnd(63, '.') + '\n';
  try {
    writeSync(fd, record);
    fsyncSync(fd);
    log(`${seq} ok ${started} ${Date.now()}`);
  } catch (err) {
    log(`${seq} ${(err as NodeJS.ErrnoException).code ?? 'error'} ${started} ${Date.now()}`);
  }
  await sleep(50);
}
