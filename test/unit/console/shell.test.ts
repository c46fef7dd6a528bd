// tandemctl shell, driven through streams as the serial line would drive it:
// the status screen first, lines run as tandemctl runs its argv, on the
// user's behalf over web.sock (the daemon's role rules and audit), history
// bounded and without secrets, Ctrl-C ending log --follow.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { complete } from '../../../firmware/console/completer.ts';
import { MAX_HISTORY } from '../../../firmware/console/shell-history.ts';
import { runShell, type ShellUser } from '../../../firmware/console/shell.ts';
import { splitWords } from '../../../firmware/console/shell-words.ts';
import { EXIT, main } from '../../../firmware/console/tandemctl.ts';
import { capturedIo } from './captured-io.ts';
import { serialLine, startConsoleDaemon, type ConsoleDaemon } from './console-daemon.ts';

let daemon: ConsoleDaemon;
beforeEach(async () => {
  daemon = await startConsoleDaemon();
});
afterEach(() => daemon.stop());

function shell(user: ShellUser | null, opts: { terminal?: boolean; history?: string; idleMs?: number } = {}) {
  const line = serialLine();
  const done = runShell({
    input: line.input,
    output: line.output,
    terminal: opts.terminal ?? false,
    user,
    socket: daemon.socket,
    historyPath: opts.history ?? null,
    color: false,
    now: () => Date.UTC(2026, 11, 2),
    ...(opts.idleMs === undefined ? {} : { idleMs: opts.idleMs }),
  });
  return { ...line, done };
}

describe('tandemctl shell', () => {
  it('starts with the status screen and a prompt naming box, controller and user', async () => {
    const s = shell({ name: 'otto', role: 'operator' });
    await s.waitFor('box1-A otto> ');
    expect(s.text()).toMatch(/box1/);
    expect(s.text().indexOf('box1-A otto> ')).toBeGreaterThan(10); // the screen came first
    s.input.end();
    await s.done;
  });

  it('an operator cannot run an admin command: the daemon refuses it and audits it', async () => {
    const s = shell({ name: 'otto', role: 'operator' });
    await s.waitFor('otto> ');
    s.type('web users');
    await s.waitFor('needs the admin role');
    s.type('switchover db');
    s.type('exit');
    await s.done;
    expect(daemon.host.ops).toEqual([{ op: 'switchover', groups: ['db'] }]);
    const audit = daemon.events.filter((e) => e.code === 'WEB_REFUSED' || e.code === 'WEB_ACTION');
    expect(audit.map((e) => [e.code, e.message.split(' refused')[0]])).toEqual([
      ['WEB_REFUSED', 'console: users by otto@console'],
      ['WEB_ACTION', 'console: switchover by otto@console'],
    ]);
    expect(audit[0]?.data).toMatchObject({ user: 'otto', role: 'operator', address: 'console' });
  });

  it('parses a quoted line as tandemctl would get its words', async () => {
    expect(splitWords(`alarms ack 1 --by "night shift"`)).toEqual({
      ok: true,
      value: ['alarms', 'ack', '1', '--by', 'night shift'],
    });
    expect(splitWords(`a 'b "c' d\\ e "f\\"g"`)).toEqual({ ok: true, value: ['a', 'b "c', 'd e', 'f"g'] });
    expect(splitWords('log --text "open')).toEqual({ ok: false, error: 'line: the " quote is not closed' });
    expect(splitWords('x'.repeat(5000)).ok).toBe(false);
    const s = shell({ name: 'otto', role: 'operator' });
    await s.waitFor('otto> ');
    s.type(`alarms ack 1 --by "night shift"`);
    s.type('quit');
    await s.done;
    expect(s.text()).not.toMatch(/usage|error/i);
  });

  it('completes only the commands the role may run, then their options', () => {
    const [operator] = complete('', 'operator');
    expect(operator).toEqual(expect.arrayContaining(['switchover', 'alarms', 'help', 'exit', 'web']));
    const [web] = complete('web ', 'operator');
    expect(web).not.toContain('users');
    expect(web).not.toContain('user-add');
    expect(complete('web ', 'admin')[0]).toEqual(expect.arrayContaining(['users', 'user-add']));
    expect(complete('sw', 'viewer')[0]).toEqual([]);
    expect(complete('sw', 'operator')).toEqual([['switchover '], 'sw']);
    expect(complete('log --s', 'viewer')[0]).toEqual(['--severity', '--since', '--source']);
    expect(complete('log --since 1h --f', 'viewer')).toEqual([['--follow '], '--f']);
    expect(complete('help web u', 'admin')[0]).toEqual([
      'user-add',
      'user-remove',
      'user-reset',
      'user-role',
      'users',
    ]);
  });

  it('help lists the role’s commands; help COMMAND is the registry’s help', async () => {
    const s = shell({ name: 'vera', role: 'viewer' });
    await s.waitFor('vera> ');
    s.type('help');
    const at = await s.waitFor('commands for the viewer role:');
    s.type('help switchover');
    await s.waitFor('usage: tandemctl switchover', at);
    s.type('exit');
    await s.done;
    const list = s.text().slice(at, s.text().indexOf('usage: tandemctl switchover'));
    expect(list).toContain('status');
    expect(list).not.toMatch(/^ {2}switchover/m);
  });

  it('keeps a bounded 0600 history without secrets, mistakes or other sockets', async () => {
    const path = join(daemon.dir, 'shell-history-otto');
    writeFileSync(path, Array.from({ length: 600 }, (_, i) => `peer ${i}`).join('\n') + '\n');
    const s = shell({ name: 'otto', role: 'operator' }, { history: path });
    await s.waitFor('otto> ');
    s.type('status');
    s.type('web password otto');
    s.type('old secret words');
    s.type('new secret words');
    s.type('hunter2 typed at the prompt');
    s.type('--socket /run/tandem/tandemctl.sock switchover db');
    s.type('exit');
    await s.done;
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(MAX_HISTORY);
    expect(lines.at(-1)).toBe('status');
    const text = readFileSync(path, 'utf8');
    for (const secret of ['web password', 'secret words', 'hunter2']) expect(text).not.toContain(secret);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    // The line with another socket was refused by the shell, not sent there.
    expect(s.text()).toContain('the shell talks only to its own controller');
    expect(daemon.host.ops).toEqual([]);
  });

  it('asks for secrets at the prompt and sends them, not the line, to the daemon', async () => {
    await daemon.addUser('ada', 'admin', 'the admin password');
    await daemon.addUser('otto', 'operator', 'the old password');
    const s = shell({ name: 'otto', role: 'operator' });
    await s.waitFor('otto> ');
    s.type('web password otto');
    await s.waitFor('OLD: ');
    s.type('the old password');
    await s.waitFor('NEW: ');
    s.type('a brand new password');
    await s.waitFor(/changed/);
    s.type('exit');
    await s.done;
    expect(daemon.events.map((e) => e.code)).toContain('WEB_PASSWORD_CHANGED');
    expect(JSON.stringify(daemon.events)).not.toContain('brand new');
  });

  it('a web user’s shell touches no files and guesses no passwords', async () => {
    const s = shell({ name: 'ada', role: 'admin' });
    await s.waitFor('ada> ');
    s.type(`config export ${join(daemon.dir, 'out.json')}`);
    await s.waitFor('reads and writes no files');
    s.type('web login bob');
    await s.waitFor('login: not in the shell');
    s.type('exit');
    await s.done;
    expect(complete('web ', 'admin')[0]).not.toContain('login');
    expect(daemon.events.map((e) => e.code)).not.toContain('WEB_LOGIN_FAILED');
  });

  it('log --follow ends on Ctrl-C back at the prompt; Ctrl-C clears a line; Ctrl-D leaves', async () => {
    const s = shell({ name: 'vera', role: 'viewer' }, { terminal: true });
    const first = await s.waitFor('vera> ');
    s.input.write('log --follow\r');
    await new Promise((r) => setTimeout(r, 300));
    s.input.write('\u0003');
    const again = await s.waitFor('vera> ', first);
    s.input.write('switchover db\u0003');
    await s.waitFor('vera> ', again);
    s.input.write('\u0004');
    await s.done;
    expect(daemon.host.ops).toEqual([]);
  });
});

describe('idle', () => {
  it('a user’s shell logs out after the idle time', async () => {
    const s = shell({ name: 'vera', role: 'viewer' }, { idleMs: 60_000 / 2 ** 10 });
    await s.waitFor('vera> ');
    await s.done;
    expect(s.text()).toContain('logged out after 0 min without a command');
  });
});

describe('tandemctl shell as root', () => {
  it('takes only a socket option', async () => {
    const io = capturedIo();
    expect(await main(['shell', '--json'], io)).toBe(EXIT.usage);
    expect(await main(['shell', 'status'], io)).toBe(EXIT.usage);
    expect(io.stderr.join('\n')).toContain('usage: tandemctl shell');
  });

  it('runs with the socket’s own role, without `as`', async () => {
    // web.sock without `as` is a viewer: the root shell sends none (its socket is the admin control socket).
    const s = shell(null);
    await s.waitFor('box1-A root> ');
    s.type('switchover db');
    await s.waitFor('needs the operator role; this request has viewer');
    s.type('exit');
    await s.done;
  });
});
