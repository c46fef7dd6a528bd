// tandemctl against the control socket inside controller A, as an operator on
// the serial console would use it (stdout is not a TTY here: no colour).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harnessStartArgs, TANDEMCTL } from './fixtures/telemetry-lab.ts';
import { lab, labOk } from './lab-helpers.ts';

const SOCK_DIR = '/run/tandem-lab/console-test';
const SOCK = `${SOCK_DIR}/tandemctl.sock`;

const ctl = (...args: string[]) => lab(['exec', 'A', process.execPath, TANDEMCTL, '--socket', SOCK, ...args]);

describe('tandemctl in the lab', () => {
  beforeAll(async () => {
    await labOk(harnessStartArgs('A', 'ctlbox', ['--socket', SOCK]));
    for (let i = 0; i < 50 && (await lab(['exec', 'A', 'test', '-S', SOCK])).code !== 0; i++)
      await new Promise((r) => setTimeout(r, 100));
  });
  afterAll(async () => {
    await lab(['stop', 'A']);
    await lab(['exec', 'A', 'rm', '-rf', SOCK_DIR]);
  });

  it('prints a plain table (no ANSI) and exits 0', async () => {
    const r = await ctl('status');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^State:\s+Active: serving resource groups, since /m);
    expect(r.stdout).toMatch(/^CONTROLLER\s+STATE\s+ROLE\s+DISK\s+RUNS$/m);
    expect(r.stdout).toMatch(/^ {2}db\s+running\s+on A/m);
    expect(r.stdout).not.toContain('\u001b');
  });

  it('--json, a daemon error (1), a usage error naming the argument (2)', async () => {
    const j = await ctl('--json', 'maintenance', 'on');
    expect(j.code).toBe(0);
    expect(JSON.parse(j.stdout)).toMatchObject({ status: 'ok', data: { state: 'maintenance' } });
    expect((await ctl('maintenance', 'off')).code).toBe(0);
    const e = await ctl('pr');
    expect(e.code).toBe(1);
    expect(e.stderr).toContain('tandemctl: pr:');
    const u = await ctl('switchover');
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/^tandemctl: GROUP:/);
  });

  it('the socket is 0600 in a 0700 directory, so a non-root user cannot reach the daemon (exit 3)', async () => {
    expect((await labOk(['exec', 'A', 'stat', '-c', '%a %U', SOCK, SOCK_DIR])).trim().split('\n')).toEqual([
      '600 root',
      '700 root',
    ]);
    const r = await lab([
      'exec',
      'A',
      'setpriv',
      '--reuid=65534',
      '--regid=65534',
      '--clear-groups',
      process.execPath,
      TANDEMCTL,
      '--socket',
      SOCK,
      'status',
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/EACCES/);
  });

  it('exits 3 when the daemon is not running', async () => {
    const r = await lab([
      'exec',
      'A',
      process.execPath,
      TANDEMCTL,
      '--socket',
      '/run/tandem-lab/console-test/absent.sock',
      'status',
    ]);
    expect(r.code).toBe(3);
  });
});
