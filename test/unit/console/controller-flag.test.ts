// tandemctl --controller A|B: the control socket of that controller of the
// simulated box (hal/paths.ts simControlSocket), where `npm start` opens it;
// without it, the daemon's socket. And tandemctl as the package's bin.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { paths, simControlSocket, simRunDir } from '../../../hal/paths.ts';
import { parseArgs } from '../../../firmware/console/cli-args.ts';
import { main } from '../../../firmware/console/tandemctl.ts';
import { USAGE } from '../../../firmware/console/usage.ts';
import { capturedIo } from './captured-io.ts';

const ROOT = join(import.meta.dirname, '../../..');
const ENV = { TANDEM_RUN_DIR: '/tmp/tandem-run' };
const p = (...argv: string[]) => parseArgs(argv, 0, ENV);

describe('tandemctl --controller', () => {
  it('picks the simulated controller’s socket; without it the socket is left to the default', () => {
    expect(p('--controller', 'B', 'status')).toMatchObject({
      command: 'status',
      controller: 'B',
      socket: '/tmp/tandem-run/sim-b.sock',
    });
    expect(p('--controller=a', '--json', 'alarms')).toMatchObject({
      command: 'alarms',
      controller: 'A',
      json: true,
      socket: '/tmp/tandem-run/sim-a.sock',
    });
    const plain = p('status');
    expect(plain).toMatchObject({ command: 'status', socket: undefined });
    expect(plain).not.toHaveProperty('controller');
  });

  it.each([
    [['--controller', 'C', 'status'], '--controller: must be A or B, got "C"'],
    [['--controller', 'status'], '--controller: must be A or B, got "status"'],
    [['status', '--controller'], '--controller: needs a value'],
    [['--controller', 'A', '--controller', 'B', 'status'], '--controller: given more than once'],
    [
      ['--controller', 'A', '--socket', '/s', 'status'],
      '--controller: give --controller or --socket, not both',
    ],
  ])('%j: %s', (argv, message) => {
    expect(p(...argv)).toEqual({ kind: 'usage', message });
  });

  it('a relative TANDEM_RUN_DIR is a usage error naming it', () => {
    expect(parseArgs(['--controller', 'A', 'status'], 0, { TANDEM_RUN_DIR: 'run' })).toEqual({
      kind: 'usage',
      message: '--controller: TANDEM_RUN_DIR must be an absolute path, got "run"',
    });
  });

  it('the usage lists it', async () => {
    expect(USAGE).toContain('[--socket PATH | --controller A|B]');
    expect(USAGE).toMatch(/\n {2}--controller A\|B {12}controller A or B of the simulated box/);
    const io = capturedIo();
    expect(await main(['--controller', 'X', 'status'], io)).toBe(2);
    expect(io.stderr[0]?.split('\n')[0]).toBe('tandemctl: --controller: must be A or B, got "X"');
  });
});

describe('where the simulated box’s sockets are', () => {
  it('$TANDEM_RUN_DIR when set, for anyone', () => {
    expect(simRunDir({ TANDEM_RUN_DIR: '/srv/run' }, 1000)).toBe('/srv/run');
    expect(simControlSocket('A', { TANDEM_RUN_DIR: '/srv/run' }, 0)).toBe('/srv/run/sim-a.sock');
  });

  it('root: the daemon’s run directory (beside its socket, under TANDEM_SYSROOT if set)', () => {
    expect(simControlSocket('B', {}, 0)).toBe('/run/tandem/sim-b.sock');
    expect(simControlSocket('B', { TANDEM_SYSROOT: '/fx' }, 0)).toBe('/fx/run/tandem/sim-b.sock');
    expect(paths.controlSocket).not.toBe(simControlSocket('A'));
  });

  it('another user: their own runtime directory, else a per-user one in tmp', () => {
    expect(simControlSocket('A', { XDG_RUNTIME_DIR: '/run/user/1000' }, 1000)).toBe(
      '/run/user/1000/tandem/sim-a.sock',
    );
    expect(simControlSocket('A', { XDG_RUNTIME_DIR: 'relative' }, 1000)).toBe(
      join(tmpdir(), 'tandem-1000', 'sim-a.sock'),
    );
    expect(simControlSocket('A', {}, 1000)).toBe(join(tmpdir(), 'tandem-1000', 'sim-a.sock'));
  });
});

describe('tandemctl as the package’s bin', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    bin?: Record<string, string>;
  };
  const bin = join(ROOT, pkg.bin?.['tandemctl'] ?? 'missing');

  it('package.json names it; an executable file that Node 22 runs through its shebang', () => {
    expect(pkg.bin).toEqual({ tandemctl: 'firmware/console/tandemctl.ts' });
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    accessSync(bin, constants.X_OK);
    const r = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${USAGE}\n`);
  }, 30_000);

  it('npx tandemctl in the clone runs the local file, offline, without the registry', () => {
    const cache = mkdtempSync(join(tmpdir(), 'tandem-npx-'));
    try {
      const r = spawnSync('npx', ['--offline', 'tandemctl', '--help'], {
        cwd: ROOT,
        encoding: 'utf8',
        // An unreachable registry and an empty cache: anything fetched would fail.
        env: { ...process.env, npm_config_registry: 'http://127.0.0.1:9/', npm_config_cache: cache },
        timeout: 60_000,
      });
      expect(r.stderr).not.toMatch(/ENOTCACHED|ECONNREFUSED|404/);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`${USAGE}\n`);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  }, 90_000);
});
