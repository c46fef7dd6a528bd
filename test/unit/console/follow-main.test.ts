// tandemctl log --follow end to end: the real tandemctl process against a
// control socket server whose log grows while it follows; Ctrl-C (SIGINT)
// ends it with exit 0. And through main(): --follow is log's alone.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import { RegistryCommands } from '../../../firmware/commands/dispatch.ts';
import { ControlSocketServer } from '../../../firmware/console/server.ts';
import { main } from '../../../firmware/console/tandemctl.ts';
import { EventLog } from '../../../firmware/events/event-log.ts';
import type { DatabaseSync } from '../../../firmware/events/sqlite.ts';
import { openStateDatabase } from '../../../firmware/events/state-db.ts';
import { capturedIo } from './captured-io.ts';
import { fakeContext } from '../commands/fake-context.ts';

const TANDEMCTL = fileURLToPath(new URL('../../../firmware/console/tandemctl.ts', import.meta.url));

describe('tandemctl log --follow', () => {
  let dir: string;
  let sock: string;
  let db: DatabaseSync;
  let log: EventLog;
  let server: ControlSocketServer;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tandemctl-follow-'));
    sock = join(dir, 'run', 'tandemctl.sock');
    db = openStateDatabase(join(dir, 'state.db'));
    log = new EventLog({ db, clock: new SimClock(Date.UTC(2026, 10, 5, 12)) });
    for (let i = 1; i <= 12; i++)
      log.append({ severity: 'info', source: 'test', code: 'OLD', message: `old ${i}` });
    server = new ControlSocketServer({
      socketPath: sock,
      commandHandler: new RegistryCommands({ ...fakeContext(), events: log }),
    });
    await server.start();
  });
  afterEach(async () => {
    await server.stop();
    log.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the last events, then new ones as they are written, and exits 0 on Ctrl-C', async () => {
    const child = spawn(process.execPath, [TANDEMCTL, '--socket', sock, 'log', '--follow'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TZ: 'UTC', NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const until = async (what: () => boolean): Promise<void> => {
      for (let i = 0; i < 200 && !what(); i++) await new Promise((r) => setTimeout(r, 25));
      expect(what(), `stdout:\n${stdout}\nstderr:\n${stderr}`).toBe(true);
    };
    await until(() => stdout.includes('old 12'));
    expect(stdout).toMatch(/^TIME\s+SEVERITY\s+SOURCE\s+CODE\s+MESSAGE$/m);
    // The last 10, oldest first.
    expect(stdout).not.toMatch(/old 2$/m);
    expect(stdout.indexOf('old 3')).toBeLessThan(stdout.indexOf('old 12'));
    log.append({ severity: 'warning', source: 'test', code: 'NEW', message: 'written while following' });
    await until(() => stdout.includes('written while following'));
    expect(stdout).toMatch(/^2026-11-05 12:00:00Z\s+warning\s+test\s+NEW\s+written while following$/m);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
  });

  it('--follow belongs to log: elsewhere a usage error', async () => {
    const io = capturedIo();
    expect(await main(['--socket', sock, 'status', '--follow'], io)).toBe(2);
    expect(io.stderr[0]).toMatch(/^tandemctl: --follow: not an option of status\nusage: tandemctl /);
    expect(io.stdout).toEqual([]);
  });

  it('through main(): follows until interrupted, then exit 0', async () => {
    const ac = new AbortController();
    const io = capturedIo();
    const following = main(['--socket', sock, 'log', '--follow', '--limit', '2'], {
      ...io,
      out: (t) => {
        io.out(t);
        if (t.includes('old 12')) ac.abort();
      },
      interrupt: () => ac.signal,
    });
    expect(await following).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/old 11\n.*old 12$/);
  });
});
