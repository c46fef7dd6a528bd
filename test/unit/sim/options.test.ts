// `npm start`'s command line: --help is the usage (the options, the control
// sockets, the console commands) and exit 0; a wrong option is one line
// naming it and the usage, exit 2; never a stack trace.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../firmware/sim/main.ts';
import { HELP } from '../../../firmware/sim/console.ts';
import {
  DEFAULT_MQTT_PORT,
  parseSimArgs,
  SIM_SYNOPSIS,
  simSocketPaths,
  simUsage,
} from '../../../firmware/sim/options.ts';

const ENV = { TANDEM_RUN_DIR: '/tmp/tandem-test-run' };
const MAIN = join(import.meta.dirname, '../../../firmware/sim/main.ts');

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), env: ENV } };
}

describe('npm start options', () => {
  it('parses --duration and --port (either spelling), the port from the environment, or the default', () => {
    expect(parseSimArgs([], {})).toEqual({ kind: 'run', duration: undefined, port: DEFAULT_MQTT_PORT });
    expect(parseSimArgs(['--duration', '30', '--port=1884'], {})).toEqual({
      kind: 'run',
      duration: 30,
      port: 1884,
    });
    expect(parseSimArgs(['--duration=0.5'], { TANDEM_SIM_MQTT_PORT: '1999' })).toEqual({
      kind: 'run',
      duration: 0.5,
      port: 1999,
    });
  });

  it.each([
    [['--frob'], '--frob: unknown option'],
    [['-x'], '-x: unknown option'],
    [['extra'], 'extra: unexpected argument'],
    [['--duration'], '--duration: needs a value'],
    [['--duration', '0'], '--duration: must be 1..86400 seconds, got "0"'],
    [['--duration', 'soon'], '--duration: must be 1..86400 seconds, got "soon"'],
    [['--port', '70000'], '--port: must be a port 1..65535, got "70000"'],
    [['--port', '1', '--port', '2'], '--port: given more than once'],
    [['--frob\u001b[2J'], '"--frob\\u001b[2J": unknown option'],
  ])('%j: %s', (argv, message) => {
    expect(parseSimArgs(argv, {})).toEqual({ kind: 'usage', message });
  });

  it('a bad TANDEM_SIM_MQTT_PORT is named', () => {
    expect(parseSimArgs([], { TANDEM_SIM_MQTT_PORT: 'x' })).toEqual({
      kind: 'usage',
      message: 'TANDEM_SIM_MQTT_PORT: must be a port 1..65535, got "x"',
    });
  });

  it('the usage names the options, both control sockets and the console commands', () => {
    const sockets = simSocketPaths(ENV);
    expect(sockets).toEqual({ A: '/tmp/tandem-test-run/sim-a.sock', B: '/tmp/tandem-test-run/sim-b.sock' });
    const usage = simUsage(sockets);
    for (const option of ['--duration SECONDS', '--port PORT', '-h, --help'])
      expect(usage).toContain(`  ${option}`);
    expect(usage).toContain('  A  /tmp/tandem-test-run/sim-a.sock');
    expect(usage).toContain('  B  /tmp/tandem-test-run/sim-b.sock');
    expect(usage).toContain('tandemctl --controller B status');
    for (const line of HELP.split('\n').slice(1)) expect(usage).toContain(line);
  });

  it('--help prints the usage and exits 0; -h too, whatever else is given', async () => {
    for (const argv of [['--help'], ['-h'], ['--port', 'x', '--help']]) {
      const r = io();
      expect(await main(argv, r.io)).toBe(0);
      expect(r.out).toEqual([simUsage(simSocketPaths(ENV))]);
      expect(r.err).toEqual([]);
    }
  });

  it('an unknown option: one line naming it, then the usage, exit 2', async () => {
    const r = io();
    expect(await main(['--frob'], r.io)).toBe(2);
    expect(r.out).toEqual([]);
    expect(r.err.join('\n')).toBe(`npm start: --frob: unknown option\n${SIM_SYNOPSIS}`);
  });

  it('as a program on Node 22: --help exits 0 with the usage, a bad option 2, no stack trace', () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', env: { ...process.env, ...ENV } });
    const help = run('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('usage: npm start');
    expect(help.stdout).toContain('/tmp/tandem-test-run/sim-b.sock');
    expect(help.stderr).toBe('');
    const bad = run('--frob');
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toBe(`npm start: --frob: unknown option\n${SIM_SYNOPSIS}\n`);
  }, 30_000);
});
