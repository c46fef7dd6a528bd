// The PostgreSQL agent's start is done as soon as postmaster.pid says
// `ready` for a postmaster of ours, without waiting for pg_ctl's own poll
// (every 100 ms); a pg_ctl that fails first still fails the start, with the
// server log's reason. pg_ctl is scripted; the "postmaster" is a real
// process whose working directory is the data directory, as the agent checks.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { SystemClock } from '../../../hal/clock/system.ts';
import { runAction } from '../../../firmware/resources/agent.ts';
import { PostgresAgent } from '../../../firmware/resources/agents/postgresql.ts';
import type { CommandResult, CommandSpec } from '../../../firmware/resources/command.ts';
import { exited, fakeRunner } from './fakes.ts';

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function cluster(): { dataDir: string; agent: PostgresAgent } {
  const root = mkdtempSync(join(tmpdir(), 'pg-start-'));
  dirs.push(root);
  const dataDir = join(root, 'data');
  mkdirSync(dataDir);
  writeFileSync(join(dataDir, 'PG_VERSION'), '15\n');
  const agent = new PostgresAgent({
    name: 'pg',
    dataDir,
    user: 'postgres',
    binDir: '/usr/lib/postgresql/15/bin',
    socketDir: join(root, 'sock'),
    port: 5432,
    fastStopTimeoutMs: 1000,
    queryTimeoutMs: 1000,
    monitorIntervalMs: 1000,
  });
  return { dataDir, agent };
}

/** A postmaster.pid as PostgreSQL 15 writes it: pid, data dir, start, port, socket dir, listen, shmem key, status. */
function pidFile(dataDir: string, pid: number, status: string): void {
  const lines = [String(pid), dataDir, '1796384993', '5432', '/run/postgresql', '*', '  5432001 0', status];
  writeFileSync(join(dataDir, 'postmaster.pid'), `${lines.join('\n')}\n`);
}

function isPgCtlStart(spec: CommandSpec): boolean {
  return spec.args.some((a) => a.endsWith('/pg_ctl')) && spec.args.includes('start');
}

describe('PostgresAgent.start', () => {
  it('is done when postmaster.pid says ready, before pg_ctl returns', async () => {
    const { dataDir, agent } = cluster();
    let pgCtlReturned = 0;
    const { run } = fakeRunner(async (spec): Promise<CommandResult> => {
      if (!isPgCtlStart(spec)) return exited(0);
      const pm = spawn('sleep', ['60'], { cwd: dataDir, stdio: 'ignore' });
      children.push(pm);
      await new Promise((r) => pm.once('spawn', r));
      pidFile(dataDir, pm.pid ?? 0, 'starting');
      await sleep(100);
      pidFile(dataDir, pm.pid ?? 0, 'ready');
      // pg_ctl -w notices up to 100 ms later; make it plainly later.
      await sleep(1500);
      pgCtlReturned = Date.now();
      return exited(0, 'server started\n');
    });
    const t0 = Date.now();
    const r = await runAction(agent, 'start', { clock: new SystemClock(), run });
    const done = Date.now();
    expect(r).toEqual({ code: 0, reason: 'started' });
    expect(done - t0).toBeLessThan(1000);
    expect(pgCtlReturned).toBe(0);
  });

  it('is not fooled by a ready postmaster.pid of a process that is not ours', async () => {
    const { dataDir, agent } = cluster();
    const { run } = fakeRunner(async (spec): Promise<CommandResult> => {
      if (!isPgCtlStart(spec)) return exited(0);
      // Someone else's live process (its working directory is elsewhere).
      const other = spawn('sleep', ['60'], { cwd: tmpdir(), stdio: 'ignore' });
      children.push(other);
      await new Promise((r) => other.once('spawn', r));
      pidFile(dataDir, other.pid ?? 0, 'ready');
      writeFileSync(
        join(dataDir, 'tandem-server.log'),
        'x FATAL:  lock file "postmaster.pid" already exists\nx HINT:  Is another postmaster (PID 1) running?\n',
      );
      await sleep(300);
      return exited(1, '', 'pg_ctl: could not start server\n');
    });
    const r = await runAction(agent, 'start', { clock: new SystemClock(), run });
    expect(r.code).toBe(1);
    expect(r.reason).toContain('pg_ctl start exited 1');
    expect(r.reason).toContain('already exists (Is another postmaster (PID 1) running?)');
  });
});
