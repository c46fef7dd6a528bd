// A target in use is found through sysfs and mountinfo: here a fake /sys and
// /proc in a temp dir (a loop device with one partition over a file), so the
// rules are checked without mounting anything.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { targetUses, type Roots } from '../../../tools/flash/in-use.ts';
import { devNumber, type Target } from '../../../tools/flash/target.ts';

const root = mkdtempSync(join(tmpdir(), 'tandem-in-use-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function fakeRoots(mountinfo: string, swaps = 'Filename Type Size Used Priority\n'): Roots {
  const dir = mkdtempSync(join(root, 'r-'));
  const sys = join(dir, 'sys');
  const loop = join(sys, 'devices', 'virtual', 'block', 'loop0');
  mkdirSync(join(loop, 'loop'), { recursive: true });
  mkdirSync(join(loop, 'loop0p1'));
  mkdirSync(join(loop, 'holders'));
  writeFileSync(join(loop, 'dev'), '7:0\n');
  writeFileSync(join(loop, 'loop', 'backing_file'), '/images/a.img\n');
  writeFileSync(join(loop, 'loop0p1', 'partition'), '1\n');
  writeFileSync(join(loop, 'loop0p1', 'dev'), '259:3\n');
  mkdirSync(join(sys, 'dev', 'block'), { recursive: true });
  mkdirSync(join(sys, 'block'));
  symlinkSync(loop, join(sys, 'dev', 'block', '7:0'));
  symlinkSync(loop, join(sys, 'block', 'loop0'));
  const proc = join(dir, 'proc');
  mkdirSync(join(proc, 'self'), { recursive: true });
  writeFileSync(join(proc, 'self', 'mountinfo'), mountinfo);
  writeFileSync(join(proc, 'swaps'), swaps);
  return { proc, sys };
}

const ROOT_LINE = '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n';
const file = (path: string): Target => ({ kind: 'file', path, bytes: 1, dev: 0n, ino: 0n });
const loop0: Target = { kind: 'block', path: '/dev/loop0', bytes: 1, rdev: { major: 7, minor: 0 } };

describe('targetUses', () => {
  it('finds a partition of a loop device over the file mounted, by major:minor', () => {
    const roots = fakeRoots(`${ROOT_LINE}40 22 259:3 / /mnt/data\\040x rw - ext4 /dev/loop0p1 rw\n`);
    expect(targetUses(file('/images/a.img'), roots)).toEqual(['/dev/loop0p1 is mounted on /mnt/data x']);
    expect(targetUses(file('/images/b.img'), roots)).toEqual([]);
    expect(targetUses(loop0, roots)).toEqual(['/dev/loop0p1 is mounted on /mnt/data x']);
  });

  it('matches a mount by its source node too (btrfs shows 0:NN), and swap', () => {
    const roots = fakeRoots(
      `${ROOT_LINE}41 22 0:45 / /srv rw - btrfs /dev/loop0 rw\n`,
      'Filename\n/dev/loop0p1 partition 1 0 -2\n',
    );
    expect(targetUses(loop0, roots)).toEqual([
      '/dev/loop0 is mounted on /srv',
      '/dev/loop0p1 is in use as swap',
    ]);
  });

  it('a missing target is in use by nothing; an unmounted device neither', () => {
    const roots = fakeRoots(ROOT_LINE);
    expect(targetUses({ kind: 'missing', path: '/x', bytes: 0 }, roots)).toEqual([]);
    expect(targetUses(loop0, roots)).toEqual([]);
  });

  it('splits dev_t as Linux does', () => {
    expect(devNumber(0x0801n)).toEqual({ major: 8, minor: 1 });
    expect(devNumber(0x10303n)).toEqual({ major: 259, minor: 3 });
    expect(devNumber(0x10010303n)).toEqual({ major: 259, minor: 0x10003 });
  });
});
