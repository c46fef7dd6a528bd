// The failover drill's kill of the database (PostgresAgent.crash): the
// postmaster named by postmaster.pid is SIGKILLed only when it is ours, a
// live process here whose working directory is the data directory; a pid
// the file names from the other controller is never touched.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PostgresAgent } from '../../../firmware/resources/agents/postgresql.ts';

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function agent(dataDir: string): PostgresAgent {
  return new PostgresAgent({
    name: 'pg',
    dataDir,
    user: 'postgres',
    binDir: '/nonexistent',
    socketDir: '/nonexistent',
    port: 5432,
    fastStopTimeoutMs: 1000,
    queryTimeoutMs: 1000,
    monitorIntervalMs: 1000,
  });
}

function sleeper(cwd: string): Promise<ChildProcess> {
  const c = spawn('sleep', ['60'], { cwd, stdio: 'ignore' });
  children.push(c);
  return new Promise((resolve, reject) => {
    c.once('spawn', () => resolve(c));
    c.once('error', reject);
  });
}

const exited = (c: ChildProcess): Promise<NodeJS.Signals | null> =>
  new Promise((resolve) => c.once('exit', (_code, signal) => resolve(signal)));

describe('PostgresAgent.crash', () => {
  it('SIGKILLs our postmaster', async () => {
    const data = mkdtempSync(join(tmpdir(), 'pg-crash-'));
    dirs.push(data);
    const pm = await sleeper(data);
    writeFileSync(join(data, 'postmaster.pid'), `${pm.pid}\n${data}\n`);
    const gone = exited(pm);
    const r = await agent(data).crash();
    expect(r).toEqual({ code: 0, reason: `killed postmaster ${pm.pid} (SIGKILL)` });
    expect(await gone).toBe('SIGKILL');
  });

  it('leaves alone a pid that is not a postmaster of ours here', async () => {
    const data = mkdtempSync(join(tmpdir(), 'pg-crash-'));
    const elsewhere = mkdtempSync(join(tmpdir(), 'pg-other-'));
    dirs.push(data, elsewhere);
    const other = await sleeper(elsewhere);
    writeFileSync(join(data, 'postmaster.pid'), `${other.pid}\n`);
    const r = await agent(data).crash();
    expect(r.code).not.toBe(0);
    expect(r.reason).toBe('no postmaster of ours runs here');
    expect(other.exitCode).toBeNull();
    expect(other.signalCode).toBeNull();
  });
});
