// The first boot's root password: set only as root on the image (never on a
// development machine or in the lab), through chpasswd's standard input;
// printed on the console before it is set, and not set when the console
// cannot show it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { firstBoot } from '../../../firmware/controller/first-boot.ts';
import {
  makeRootPassword,
  rootPasswordBlocked,
  setRootPassword,
} from '../../../firmware/users/root-password.ts';

describe('root password', () => {
  it('is 20 base32 characters in groups of four, different each time', () => {
    const a = makeRootPassword();
    expect(a).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){4}$/);
    expect(makeRootPassword()).not.toBe(a);
  });

  it('is set only by root, from the firmware the image installs', () => {
    expect(rootPasswordBlocked(1000, '/opt/tandem/firmware/users/root-password.js')).toMatch(
      /not run as root/,
    );
    expect(rootPasswordBlocked(0, '/work/main/firmware/users/root-password.ts')).toMatch(/not on the image/);
    expect(rootPasswordBlocked(0, '/opt/tandem/firmware/users/root-password.js')).toBeNull();
    // This test process is never allowed: it does not run from /opt/tandem.
    expect(rootPasswordBlocked()).not.toBeNull();
  });

  it('goes to chpasswd on standard input, never on its command line', async () => {
    const calls: { file: string; args: readonly string[]; input: string }[] = [];
    const r = await setRootPassword('ABCD-EFGH', {
      blocked: null,
      run: (file, args, input) => {
        calls.push({ file, args, input });
        return Promise.resolve();
      },
    });
    expect(r).toEqual({ set: true });
    expect(calls).toEqual([{ file: 'chpasswd', args: [], input: 'root:ABCD-EFGH\n' }]);
  });

  it('says why it was not set', async () => {
    const missing = Object.assign(new Error('chpasswd: not found'), { code: 'ENOENT' });
    expect(await setRootPassword('x', { blocked: null, run: () => Promise.reject(missing) })).toEqual({
      set: false,
      why: 'chpasswd is not installed',
    });
    expect(
      await setRootPassword('x', { blocked: null, run: () => Promise.reject(new Error('bad line')) }),
    ).toEqual({ set: false, why: 'chpasswd: bad line' });
    expect(await setRootPassword('x', { blocked: 'not root' })).toEqual({ set: false, why: 'not root' });
  });
});

describe('first boot console', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'first-boot-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const SECRET = '12'.repeat(32);

  it('prints the root password before setting it, and says when it could not be set', async () => {
    const order: string[] = [];
    const logged: string[] = [];
    await firstBoot({
      identity: { controller: 'B', box: 'box-7' },
      stateDir: dir,
      consolePath: join(dir, 'console'),
      secret: SECRET,
      log: (_s, code, message) => logged.push(`${code} ${message}`),
      writeConsole: (t) => {
        order.push(`console ${t}`);
        return Promise.resolve();
      },
      setRoot: (p) => {
        order.push(`set ${p}`);
        return Promise.resolve({ set: false, why: 'chpasswd: locked' });
      },
    });
    const root = /root password \(this console\): (\S+)/.exec(order[0] ?? '')?.[1];
    expect(root).toMatch(/^[A-Z2-7-]{24}$/);
    expect(order[1]).toBe(`set ${root}`);
    expect(order[2]).toContain('The root password above was NOT set: chpasswd: locked');
    expect(logged.join('\n')).not.toContain(root);
    expect(logged.some((l) => l.startsWith('ROOT_PASSWORD_NOT_SET'))).toBe(true);
  });

  it('does not set a root password the console cannot show', async () => {
    let set = false;
    const logged: string[] = [];
    await firstBoot({
      identity: { controller: 'A', box: 'box-7' },
      stateDir: dir,
      consolePath: join(dir, 'console'),
      secret: SECRET,
      log: (_s, code) => logged.push(code),
      writeConsole: () => Promise.reject(new Error('EIO')),
      setRoot: () => {
        set = true;
        return Promise.resolve({ set: true });
      },
    });
    expect(set).toBe(false);
    expect(logged).toContain('WEB_CONSOLE_UNWRITABLE');
  });
});
