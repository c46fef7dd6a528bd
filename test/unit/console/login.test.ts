// /usr/sbin/tandem-login through streams: the web panel's users checked by
// the daemon's login command over web.sock, three tries with a growing pause,
// the first login's new password, root handed to /bin/login, a daemon that
// is not running, and input that must not crash it.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FAIL_DELAY_MS,
  login,
  ROOT_LOGIN_EXIT,
  WRONG,
  type LoginOptions,
} from '../../../firmware/console/login.ts';
import { INITIAL, serialLine, startConsoleDaemon, type ConsoleDaemon } from './console-daemon.ts';

let daemon: ConsoleDaemon;
beforeEach(async () => {
  daemon = await startConsoleDaemon();
});
afterEach(() => daemon.stop());

function start(o: Partial<LoginOptions> = {}) {
  const line = serialLine();
  const sleeps: number[] = [];
  let rootLogins = 0;
  const done = login({
    input: line.input,
    output: line.output,
    terminal: false,
    socket: daemon.socket,
    stateDir: daemon.dir,
    color: false,
    now: () => Date.UTC(2026, 11, 2),
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    rootLogin: () => {
      rootLogins += 1;
      return Promise.resolve(ROOT_LOGIN_EXIT);
    },
    ...o,
  });
  return { ...line, done, sleeps, rootLogins: () => rootLogins };
}

describe('tandem-login', () => {
  it('a wrong password fails three times with a growing pause, says nothing more, and leaks nothing', async () => {
    const s = start();
    for (const [name, password] of [
      ['admin', 'not the password'],
      ['nobody', INITIAL],
      ['Bad Name!', 'whatever'],
    ] as const) {
      await s.waitFor('login: ', s.text().lastIndexOf(WRONG) + 1);
      s.type(name);
      await s.waitFor('Password: ', s.text().lastIndexOf('login: '));
      s.type(password);
    }
    expect(await s.done).toBe(1);
    expect(s.text().split(WRONG)).toHaveLength(4);
    expect(s.sleeps).toEqual([FAIL_DELAY_MS, FAIL_DELAY_MS * 2, FAIL_DELAY_MS * 4]);
    for (const secret of ['not the password', INITIAL]) {
      expect(s.text()).not.toContain(secret);
      expect(JSON.stringify(daemon.events)).not.toContain(secret);
    }
    // The daemon's own check ran (and logged) for the names it could take.
    const web = daemon.events.filter((e) => e.source === 'web');
    expect(web.map((e) => e.code)).toEqual(['WEB_LOGIN_FAILED', 'WEB_LOGIN_FAILED']);
    expect(web[0]?.data).toMatchObject({ user: 'admin', address: 'console' });
  });

  it('the initial admin chooses a new password (twice), then gets the shell with the status screen', async () => {
    const s = start();
    await s.waitFor('login: ');
    s.type('admin');
    await s.waitFor('Password: ');
    s.type(INITIAL);
    await s.waitFor('New password: ');
    s.type('a new admin password');
    await s.waitFor('Retype new password: ');
    s.type('a typo in the password');
    await s.waitFor('do not match');
    s.type('a new admin password');
    s.type('a new admin password');
    await s.waitFor('box1-A admin> ');
    s.type('web users');
    s.type('exit');
    expect(await s.done).toBe(0);
    expect(daemon.config.current().web.users.map((u) => [u.name, u.role, u.mustChange])).toEqual([
      ['admin', 'admin', false],
    ]);
    expect(s.text()).toMatch(/admin\s+admin/);
    expect(JSON.stringify(daemon.events)).not.toContain('a new admin password');
  });

  it('an operator logs in and may not run admin commands', async () => {
    await daemon.addUser('ada', 'admin', 'the admin password');
    await daemon.addUser('otto', 'operator', 'the operator password');
    const s = start();
    await s.waitFor('login: ');
    s.type('otto');
    s.type('the operator password');
    await s.waitFor('box1-A otto> ');
    s.type('web users');
    await s.waitFor('needs the admin role');
    s.input.end();
    expect(await s.done).toBe(0);
    expect(daemon.events.filter((e) => e.source === 'web').map((e) => e.code)).toEqual([
      'WEB_LOGIN',
      'WEB_REFUSED',
    ]);
  });

  it('root is handed to /bin/login, whose password is root’s own', async () => {
    const s = start();
    await s.waitFor('login: ');
    s.type('root');
    expect(await s.done).toBe(ROOT_LOGIN_EXIT);
    expect(s.rootLogins()).toBe(1);
    expect(s.text()).not.toContain('Password: ');
  });

  it('without the daemon only root may log in', async () => {
    const s = start({ socket: join(daemon.dir, 'run', 'missing.sock') });
    await s.waitFor('only root can log in');
    s.type('admin');
    await s.waitFor('Only root can log in now');
    s.type('root');
    expect(await s.done).toBe(ROOT_LOGIN_EXIT);
    expect(s.rootLogins()).toBe(1);
    expect(s.text()).not.toContain('Password: ');
  });

  it('with the web panel off (no web.sock beside the control socket) only root may log in, and it says why', async () => {
    const s = start({ socket: join(daemon.dir, 'run', 'missing.sock'), controlSocket: daemon.socket });
    await s.waitFor('The web panel is off');
    s.input.end();
    expect(await s.done).toBe(1);
  });

  it('does not crash on long lines, control characters or the end of input', async () => {
    const s = start();
    await s.waitFor('login: ');
    s.input.write('x'.repeat(200_000) + '\n');
    s.input.write('\u0000\u001b[2J\u0007\u007f\n');
    s.input.write('\n\n\n');
    s.input.end('adm');
    expect(await s.done).toBe(1);
    expect(s.text().length).toBeLessThan(20_000);
    expect(s.text()).not.toContain('\u001b[2J');
  });

  it('types the password without echo on a terminal', async () => {
    const s = start({ terminal: true });
    await s.waitFor('login: ');
    s.input.write('admin\r');
    await s.waitFor('Password: ');
    s.input.write('seen by nobody\r');
    await s.waitFor(WRONG);
    s.input.end();
    expect(await s.done).toBe(1);
    expect(s.text()).toContain('admin');
    expect(s.text()).not.toContain('seen by nobody');
  });
});
