// Firmware faults and power really happen: processes die, stop, resume; a
// power-off kills everything in the controller's namespaces, drops its mounts
// and the addresses its firmware added.
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { labFiles } from '../../tools/lab/files.ts';
import { isAlive, processState } from '../../tools/lab/procs.ts';
import { run, sleep } from '../../tools/lab/run.ts';
import { lab, labOk, labStatus } from './lab-helpers.ts';

async function firmwarePid(c: 'A' | 'B'): Promise<number> {
  const pid = (await labStatus()).controllers[c]?.firmwarePid;
  if (pid === null || pid === undefined) throw new Error(`controller ${c} has no firmware pid`);
  return pid;
}

describe('firmware faults and power', () => {
  it('start runs the firmware inside the controller; kill really kills it', async () => {
    await labOk(['start', 'A', '--', 'sleep', '1000']);
    const pid = await firmwarePid('A');
    expect(isAlive(pid)).toBe(true);
    await labOk(['kill', 'A']);
    await sleep(100);
    expect(isAlive(pid)).toBe(false);
    expect((await labStatus()).controllers['A']?.firmwarePid).toBeNull();
  });

  it('stall stops the firmware (state T) and then lets it run on', async () => {
    await labOk(['start', 'B', '--', 'sleep', '1000']);
    const pid = await firmwarePid('B');
    const stall = lab(['stall', 'B', '1500']);
    await sleep(700);
    expect(processState(pid)).toBe('T');
    expect((await stall).code).toBe(0);
    expect(processState(pid)).toBe('S');
    await labOk(['stop', 'B']);
    expect(isAlive(pid)).toBe(false);
  });

  it('poweroff kills everything in A and drops its mounts; poweron brings A back', async () => {
    const mnt = join(labFiles.runDir, 'power-mnt');
    mkdirSync(mnt, { recursive: true });
    await labOk(['exec', 'A', 'mount', '-t', 'tmpfs', 'tmpfs', mnt]);
    // The firmware's VIP: a reset loses it, the lab's own address stays.
    await labOk(['exec', 'A', 'ip', 'address', 'add', '198.18.2.10/24', 'dev', 'lan0']);
    await labOk(['start', 'A', '--', 'sleep', '1000']);
    const fw = await firmwarePid('A');
    await labOk(['poweroff', 'A']);
    const lanAddrs = await run('ip', ['-n', 'tdm-a', '-4', '-o', 'address', 'show', 'dev', 'lan0']);
    expect(lanAddrs).not.toContain('198.18.2.10/');
    expect(lanAddrs).toContain('198.18.2.11/24');
    expect(isAlive(fw)).toBe(false);
    const off = (await labStatus()).controllers['A'];
    expect(off?.powered).toBe(false);
    expect(off?.mountNs).toBe(false);
    const refused = await lab(['exec', 'A', 'true']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/powered off/);
    // The network is hardware: it stays.
    expect((await labStatus()).namespaces['tdm-a']).toBe(true);

    await labOk(['poweron', 'A']);
    expect((await labStatus()).controllers['A']?.powered).toBe(true);
    expect((await lab(['exec', 'A', 'findmnt', mnt])).code).not.toBe(0);
    expect((await lab(['exec', 'A', 'findmnt', '/run/postgresql'])).code).toBe(0);
    expect((await lab(['exec', 'A', 'ping', '-c', '1', '-W', '1', '198.18.1.2'])).code).toBe(0);
  });
});
