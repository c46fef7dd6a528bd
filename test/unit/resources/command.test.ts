// The command runner against real processes (real time, short timeouts):
// exit codes, SIGTERM then SIGKILL escalation across the process group.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../../../hal/clock/system.ts';
import { createCommandRunner, describeCommand } from '../../../firmware/resources/command.ts';

const run = createCommandRunner(new SystemClock());
const dir = mkdtempSync(join(tmpdir(), 'tandem-cmd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A node script that starts a real `sleep` child, records both pids, and maybe ignores SIGTERM. */
function sleeper(name: string, ignoreTerm: boolean): string {
  const file = join(dir, `${name}.mjs`);
  writeFileSync(
    file,
    `import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
${ignoreTerm ? "process.on('SIGTERM', () => {});" : ''}
const child = spawn('sleep', ['30'], { stdio: 'ignore' });
writeFileSync(${JSON.stringify(join(dir, `${name}.pids`))}, process.pid + ' ' + child.pid);
console.log('ready');
setInterval(() => {}, 1000);
`,
  );
  return file;
}

/** Dead or a zombie (killed, not yet reaped by whoever inherited it). */
function dead(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? true;
  } catch {
    return true;
  }
}

/** SIGKILL is asynchronous: allow the kernel a moment to finish the job. */
async function gone(pid: number | undefined): Promise<boolean> {
  for (let i = 0; i < 40; i++) {
    if (dead(pid ?? 0)) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

function pids(name: string): number[] {
  return readFileSync(join(dir, `${name}.pids`), 'utf8')
    .split(' ')
    .map(Number);
}

describe('command runner', () => {
  it('hands back the exit code and output of an argument array, no shell', async () => {
    const r = await run({ file: '/bin/sh', args: ['-c', 'echo out; echo err >&2; exit 3'], timeoutMs: 5000 });
    expect(r).toEqual({ kind: 'exited', code: 3, stdout: 'out\n', stderr: 'err\n' });
    // A metacharacter is just an argument byte.
    const echo = await run({ file: '/bin/echo', args: ['$(id)', ';', 'x'], timeoutMs: 5000 });
    expect(echo.kind === 'exited' && echo.stdout).toBe('$(id) ; x\n');
  });

  it('reports a missing program as spawn-error', async () => {
    const r = await run({ file: '/nonexistent/tool', args: [], timeoutMs: 1000 });
    expect(r.kind).toBe('spawn-error');
    expect(describeCommand(r)).toMatch(/could not run: .*ENOENT/);
  });

  it('passes only the given environment', async () => {
    const r = await run({ file: '/usr/bin/env', args: [], timeoutMs: 5000, env: { ONLY: 'this' } });
    expect(r.kind === 'exited' && r.stdout).toBe('ONLY=this\n');
  });

  it('stops a timed-out command with SIGTERM when that suffices', async () => {
    const r = await run({
      file: process.execPath,
      args: [sleeper('polite', false)],
      timeoutMs: 300,
      graceMs: 2000,
    });
    expect(r.kind).toBe('timeout');
    expect(r.kind === 'timeout' && r.escalated).toBe(false);
    const [script, sleep] = pids('polite');
    expect(await gone(script)).toBe(true);
    expect(await gone(sleep)).toBe(true); // the child's child went with the group
  });

  it('escalates to SIGKILL when the command ignores SIGTERM, and kills its children too', async () => {
    const t0 = Date.now();
    const r = await run({
      file: process.execPath,
      args: [sleeper('stubborn', true)],
      timeoutMs: 300,
      graceMs: 300,
    });
    expect(r.kind).toBe('timeout');
    expect(r.kind === 'timeout' && r.escalated).toBe(true);
    expect(describeCommand(r)).toContain('SIGKILL');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(550);
    expect(Date.now() - t0).toBeLessThan(5000);
    const [script, sleep] = pids('stubborn');
    expect(await gone(script)).toBe(true);
    expect(await gone(sleep)).toBe(true);
  });

  it('kills on abort like on timeout', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const r = await run({
      file: process.execPath,
      args: [sleeper('aborted', true)],
      timeoutMs: 30_000,
      graceMs: 200,
      signal: controller.signal,
    });
    expect(r.kind).toBe('aborted');
    expect(r.kind === 'aborted' && r.escalated).toBe(true);
  });
});
