// The daemon refuses to start on an invalid config file: it exits 2, names
// the field on stderr and logs CONFIG_INVALID, and offers --last-good only
// when a last good copy exists. Runs the real daemon.ts (no root needed: it
// stops before touching any device).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const DAEMON = join(import.meta.dirname, '../../../firmware/daemon.ts');
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-daemon-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function daemon(config: string, args: string[] = []) {
  const file = join(dir, 'tandem.json');
  writeFileSync(file, config);
  const r = spawnSync(process.execPath, [DAEMON, ...args], {
    env: {
      PATH: process.env['PATH'] ?? '',
      TANDEM_CONFIG_FILE: file,
      TANDEM_STATE_DIR: dir,
      TANDEM_CONTROLLER_ID: 'A',
      TANDEM_CONTROL_SOCKET: join(dir, 'control.sock'),
    },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { code: r.status, stderr: r.stderr, stdout: r.stdout };
}

describe('daemon start with an invalid config file', () => {
  it('exits 2, naming the field on stderr and in the event log', () => {
    const r = daemon('{"configVersion": 4294967296}');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refusing to start/);
    expect(r.stderr).toMatch(/\/configVersion: must be <= 4294967295/);
    expect(r.stderr).toMatch(/no last good configuration/);
    const logged = r.stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { code?: string; message?: string });
    expect(logged.find((e) => e.code === 'CONFIG_INVALID')?.message).toMatch(/\/configVersion/);
  });

  it('refuses a duplicate key and a bad VIP the same way', () => {
    expect(daemon('{"box": {"id": "a"}, "box": {"id": "b"}}').stderr).toMatch(/\/box: is given twice/);
    const vip = {
      groups: [{ name: 'db', resources: [{ type: 'vip', address: '1.2.3', interface: 'eth0' }] }],
    };
    const r = daemon(JSON.stringify(vip));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\/groups\/0\/resources\/0\/address/);
  });

  it('offers the last good configuration when one exists, but does not use it unasked', () => {
    writeFileSync(join(dir, 'config.last-good.json'), JSON.stringify({ configVersion: 7 }));
    const r = daemon('{"eventlog": {"maxRows": 5}}');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\/eventlog\/maxRows/);
    expect(r.stderr).toMatch(/--last-good to run on the last good configuration \(version 7\)/);
  });

  it('refuses an unknown argument', () => {
    const r = daemon('{}', ['--lastgood']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown argument "--lastgood"/);
  });
});
