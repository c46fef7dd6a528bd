// The lab lock: a second taker is refused at once with the first one's name,
// and the lock is free again once released or once its holder dies.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { takeLabLock } from '../../../tools/lab/lock.ts';

describe('lab lock', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'tandem-lock-')), 'lab.lock');

  it('refuses a second taker, naming the first, until the first releases', async () => {
    const first = await takeLabLock('the first run', path);
    await expect(takeLabLock('the second run', path)).rejects.toMatchObject({
      code: 'lab-busy',
      message: expect.stringMatching(/in use .*the first run \(pid \d+/) as unknown,
    });
    await first.release();
    const again = await takeLabLock('the second run', path);
    await again.release();
  });

  it('is free again when its holder dies without releasing', async () => {
    // Another flock holder on the same file, killed: the kernel drops its lock.
    const other = spawn('flock', [path, 'cat'], { stdio: ['pipe', 'pipe', 'inherit'] });
    other.stdin.write('x\n');
    await new Promise((resolve) => other.stdout.once('data', resolve));
    await expect(takeLabLock('a run', path)).rejects.toMatchObject({ code: 'lab-busy' });
    const exited = new Promise((resolve) => other.once('exit', resolve));
    other.kill('SIGKILL');
    await exited;
    const lock = await takeLabLock('a run', path);
    await lock.release();
  });
});
