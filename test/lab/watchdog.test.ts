// The watchdog stand-in, driven through the firmware's own LabWatchdog: a
// client that stops petting gets its controller powered off; magic close disarms.
import { describe, expect, it } from 'vitest';
import { LabWatchdog } from '../../hal/watchdog/lab.ts';
import { labFiles } from '../../tools/lab/files.ts';
import { isAlive } from '../../tools/lab/procs.ts';
import { sleep, waitFor } from '../../tools/lab/run.ts';
import { labOk, labStatus } from './lab-helpers.ts';

describe('watchdog stand-in', () => {
  it('magic close disarms: the controller stays on', async () => {
    const firedBefore = (await labStatus()).controllers['B']?.watchdog?.fired ?? 0;
    const wd = new LabWatchdog(labFiles.watchdogSock('B'));
    await wd.open();
    expect(await wd.setTimeoutSeconds(1)).toBe(1);
    expect(await wd.getTimeoutSeconds()).toBe(1);
    for (let i = 0; i < 4; i++) {
      await wd.keepalive();
      await sleep(400);
    }
    expect((await labStatus()).controllers['B']?.watchdog?.armed).toBe(true);
    await wd.close(true);
    await sleep(1500);
    const b = (await labStatus()).controllers['B'];
    expect(b?.powered).toBe(true);
    expect(b?.watchdog?.armed).toBe(false);
    expect(b?.watchdog?.fired).toBe(firedBefore);
  });

  it('a client that pets and then stops gets the controller powered off', async () => {
    await labOk(['start', 'A', '--', 'sleep', '1000']);
    const fw = (await labStatus()).controllers['A']?.firmwarePid ?? 0;
    // The count is per lab session: other tests (a killed daemon) may have fired it before.
    const firedBefore = (await labStatus()).controllers['A']?.watchdog?.fired ?? 0;
    const wd = new LabWatchdog(labFiles.watchdogSock('A'));
    await wd.open();
    expect(await wd.setTimeoutSeconds(1)).toBe(1);
    await wd.keepalive();
    await sleep(500);
    await wd.keepalive();
    // Dies without the magic close: stays armed, as real hardware does.
    await wd.close(false);
    await waitFor(
      'A to be powered off',
      async () => (await labStatus()).controllers['A']?.powered === false,
      5000,
    );
    const a = (await labStatus()).controllers['A'];
    expect(a?.watchdog?.fired).toBe(firedBefore + 1);
    expect(isAlive(fw)).toBe(false);
    await labOk(['poweron', 'A']);
    expect((await labStatus()).controllers['A']?.powered).toBe(true);
  });

  it('a power cycle resets it: armed, then powered off and on, the controller stays on', async () => {
    const wd = new LabWatchdog(labFiles.watchdogSock('B'));
    await wd.open();
    expect(await wd.setTimeoutSeconds(1)).toBe(1);
    await wd.keepalive();
    const firedBefore = (await labStatus()).controllers['B']?.watchdog?.fired ?? 0;
    await wd.close(false); // left armed, as a killed daemon leaves it
    await labOk(['poweroff', 'B']);
    await labOk(['poweron', 'B']);
    await sleep(1800);
    const b = (await labStatus()).controllers['B'];
    expect(b?.powered).toBe(true);
    expect(b?.watchdog?.armed).toBe(false);
    expect(b?.watchdog?.fired).toBe(firedBefore);
  });

  it('rejects an out-of-range timeout', async () => {
    const wd = new LabWatchdog(labFiles.watchdogSock('B'));
    await wd.open();
    await expect(wd.setTimeoutSeconds(0)).rejects.toMatchObject({ code: 'invalid-argument' });
    await wd.close(true);
  });
});
