// up and down are idempotent and down leaves nothing behind. The suite's
// global setup brought the lab up; this test cycles it and leaves it up.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { labFiles } from '../../tools/lab/files.ts';
import { isAlive } from '../../tools/lab/procs.ts';
import { run, tryRun } from '../../tools/lab/run.ts';
import { CLI, lab, labOk, labStatus } from './lab-helpers.ts';

describe('lab up/down', () => {
  it('up twice keeps the same daemons; down twice leaves nothing; up again works', async () => {
    await labOk(['start', 'B', '--', 'sleep', '1000']);
    const before = await labStatus();
    await labOk(['up']);
    const again = await labStatus();
    expect(again.tgtdPid).toBe(before.tgtdPid);
    expect(again.mosquittoPid).toBe(before.mosquittoPid);
    expect(again.loopDevice).toBe(before.loopDevice);

    const pids = [
      before.tgtdPid,
      before.mosquittoPid,
      before.serial.proxyPid,
      before.watchdogPid,
      before.controllers['B']?.firmwarePid,
    ];
    expect(pids.every((p) => typeof p === 'number')).toBe(true);

    await labOk(['down']);
    await labOk(['down']);
    expect(await run('ip', ['netns', 'list'])).not.toMatch(/tdm-/);
    expect(await run('losetup', ['-a'])).not.toContain(labFiles.dataDir);
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(labFiles.runDir);
    for (const p of pids) expect(isAlive(p ?? 0)).toBe(false);
    expect((await tryRun('ls', [labFiles.runDir])).code).not.toBe(0);
    const down = await labStatus();
    expect(down.up).toBe(false);
    expect(Object.values(down.namespaces).some((x) => x)).toBe(false);

    await labOk(['up']);
    const up = await labStatus();
    expect(up.up).toBe(true);
    expect(up.controllers['A']?.powered).toBe(true);
    expect(up.tgtdPid).not.toBeNull();
  });

  it('refuses to start without root, saying why', async () => {
    const r = await tryRun('runuser', ['-u', 'nobody', '--', process.execPath, CLI, 'up']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/must run as root/);
  });

  it('rejects unknown verbs and nodes with usage', async () => {
    expect((await lab(['frobnicate'])).code).toBe(2);
    const r = await lab(['exec', 'Z', 'true']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown node/);
  });
});
