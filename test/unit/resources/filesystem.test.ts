// Filesystem agent pieces that need no root: e2fsck exit codes, mountinfo
// parsing, the unmount escalation and the mounted-from-the-right-device check.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import { runAction } from '../../../firmware/resources/agent.ts';
import {
  FilesystemAgent,
  interpretFsck,
  LINUX_FS_TOOLS,
} from '../../../firmware/resources/agents/filesystem.ts';
import { mountAt, parseMountinfo } from '../../../firmware/resources/agents/mountinfo.ts';
import type { OcfResult } from '../../../firmware/resources/ocf.ts';
import { exited, fakeRunner } from './fakes.ts';

describe('e2fsck exit codes', () => {
  it.each([
    [0, 0, 'clean'],
    [1, 0, 'errors corrected'],
    [3, 0, 'errors corrected'],
    [4, 1, 'uncorrected'],
    [8, 1, 'operational error'],
    [12, 1, 'uncorrected'],
    [16, 2, 'usage'],
    [32, 1, 'cancelled'],
    [128, 5, 'shared library'],
  ])('exit %i -> OCF %i (%s)', (exit, code, text) => {
    const r = interpretFsck(exit);
    expect(r.code).toBe(code);
    expect(r.reason).toContain(text);
  });
});

describe('mountinfo', () => {
  const text = [
    '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw',
    '36 22 7:3 / /run/tandem\\040lab/data rw,noatime master:1 - ext4 /dev/loop3 rw,errors=remount-ro',
    'garbage line',
    '37 22 7:4 / /mnt rw - ext4 /dev/loop4 rw',
    '38 37 7:5 / /mnt rw - ext4 /dev/loop5 rw',
  ].join('\n');

  it('parses, unescapes and skips garbage', () => {
    const entries = parseMountinfo(text);
    expect(entries).toHaveLength(4);
    expect(entries[1]).toEqual({
      major: 7,
      minor: 3,
      mountPoint: '/run/tandem lab/data',
      mountOptions: 'rw,noatime',
      fstype: 'ext4',
      source: '/dev/loop3',
      superOptions: 'rw,errors=remount-ro',
    });
  });

  it('takes the top mount when several are stacked', () => {
    expect(mountAt(parseMountinfo(text), '/mnt')?.source).toBe('/dev/loop5');
    expect(mountAt(parseMountinfo(text), '/nowhere')).toBeUndefined();
  });
});

describe('filesystem agent without root', () => {
  let dir: string;
  let mountinfo: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tandem-fs-'));
    mountinfo = join(dir, 'mountinfo');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  // /dev/null stands in for the device: its major:minor is known (1:3).
  const agent = (mp: string) =>
    new FilesystemAgent(
      {
        name: 'data',
        device: '/dev/null',
        mountpoint: mp,
        fstype: 'ext4',
        options: [],
        fsck: 'never',
        monitorIntervalMs: 1000,
      },
      { ...LINUX_FS_TOOLS, mountinfo },
    );
  const mountedLine = (mp: string, devno: string) => `40 22 ${devno} / ${mp} rw - ext4 /dev/x rw\n`;
  const nullDevno = (): string => {
    const rdev = statSync('/dev/null').rdev;
    return `${(rdev >> 8) & 0xfff}:${rdev & 0xff}`;
  };

  it('stop escalates: umount, then fuser -km and umount, then umount -l', async () => {
    writeFileSync(mountinfo, mountedLine('/srv/data', nullDevno()));
    const runner = fakeRunner((spec) =>
      spec.args.includes('-l') || spec.file.endsWith('fuser') ? exited(0) : exited(32, '', 'target is busy'),
    );
    const clock = new SimClock();
    let r: OcfResult | undefined;
    void runAction(agent('/srv/data'), 'stop', { clock, run: runner.run }).then((x) => (r = x));
    // The agent reads real files between its timed steps: let real I/O run too.
    while (!r) {
      await new Promise((done) => setImmediate(done));
      await clock.advance(50);
    }
    expect(runner.calls.map((c) => [c.file, ...c.args])).toEqual([
      ['/usr/bin/umount', '/srv/data'],
      ['/usr/bin/fuser', '-k', '-m', '-M', '/srv/data'],
      ['/usr/bin/umount', '/srv/data'],
      ['/usr/bin/umount', '-l', '/srv/data'],
    ]);
    expect(r).toMatchObject({ code: 0, reason: 'lazily unmounted (umount said: exited 32: target is busy)' });
  });

  it('stop of an unmounted filesystem runs nothing', async () => {
    writeFileSync(mountinfo, '');
    const runner = fakeRunner();
    expect(
      (await runAction(agent('/srv/data'), 'stop', { clock: new SimClock(), run: runner.run })).code,
    ).toBe(0);
    expect(runner.calls).toEqual([]);
  });

  it('monitor: not-running, wrong device, then a passing write probe', async () => {
    const deps = { clock: new SimClock(), run: fakeRunner().run };
    writeFileSync(mountinfo, '');
    expect((await runAction(agent(dir), 'monitor', deps)).code).toBe(7);
    writeFileSync(mountinfo, mountedLine(dir, '7:99'));
    expect(await runAction(agent(dir), 'monitor', deps)).toMatchObject({
      code: 1,
      reason: `${dir} is mounted from /dev/x, not /dev/null`,
    });
    writeFileSync(mountinfo, mountedLine(dir, nullDevno()));
    expect(await runAction(agent(dir), 'monitor', deps)).toEqual({ code: 0, reason: '' });
  });

  it('monitor fails when the write probe cannot write', async () => {
    const missing = join(dir, 'gone');
    writeFileSync(mountinfo, mountedLine(missing, nullDevno()));
    const r = await runAction(agent(missing), 'monitor', { clock: new SimClock(), run: fakeRunner().run });
    expect(r.code).toBe(1);
    expect(r.reason).toMatch(/write probe on .* failed: ENOENT/);
  });

  it('start refuses a mount point already mounted from another device', async () => {
    writeFileSync(mountinfo, mountedLine('/srv/data', '7:99'));
    const r = await runAction(agent('/srv/data'), 'start', { clock: new SimClock(), run: fakeRunner().run });
    expect(r).toMatchObject({ code: 1, reason: '/srv/data is already mounted from /dev/x, not /dev/null' });
  });
});
