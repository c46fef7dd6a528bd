// The failover machine's GroupRunner over real resource groups with the
// dummy agent (files under a state dir): starts, stops, monitors that give
// up, cleanup, and the hooks a move runs.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import { SimLan, SimNetControl } from '../../../hal/net/sim.ts';
import { ResourceGroupRunner } from '../../../firmware/resources/group-runner.ts';
import { createCommandRunner } from '../../../firmware/resources/command.ts';
import { dummyStateFile } from '../../../firmware/resources/agents/dummy.ts';

const dirs: string[] = [];
// A hook that appends the move it was told about to the file named in argv.
const HOOK_SCRIPT = `const e = process.env; require('node:fs').appendFileSync(process.argv[1], [e.TANDEM_EVENT, e.TANDEM_ACTION, e.TANDEM_GROUP, e.TANDEM_FROM, e.TANDEM_TO, e.TANDEM_REASON, e.TANDEM_CONTROLLER].join(' ') + '\\n');`;
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** One dummy resource checked every 500 ms and no local restart: its first monitor failure gives the group up. */
const GIVES_UP_AT_ONCE = {
  name: 'svc',
  preferred: 'A',
  resources: [{ type: 'dummy', name: 'app', monitorIntervalMs: 500 }],
  restart: { maxRestarts: 0, windowMs: 60_000 },
} as { name: string; preferred: 'A'; resources: unknown[] };

/** Advance virtual time (with a real pause for the dummy's file I/O) until `n` group failures were reported. */
async function untilFailures(clock: SimClock, failed: readonly string[], n: number): Promise<void> {
  for (let i = 0; i < 20 && failed.length < n; i++) {
    await clock.advance(100);
    await new Promise((res) => setTimeout(res, 5));
  }
}

describe('ResourceGroupRunner over the dummy agent', () => {
  function runner(groups: { name: string; preferred: 'A' | 'B'; resources: unknown[] }[]) {
    const stateDir = mkdtempSync(join(tmpdir(), 'tandem-fo-unit-'));
    dirs.push(stateDir);
    const clock = new SimClock();
    const failed: string[] = [];
    const errors: string[] = [];
    const r = new ResourceGroupRunner({
      groups,
      deps: {
        controller: 'A',
        clock,
        run: createCommandRunner(clock),
        net: new SimNetControl(new SimLan({ clock }), 'A', 'lan0', '02:00:00:00:00:0a'),
        fencerFor: () => undefined,
        stateDir,
      },
      onGroupFailed: (e) => failed.push(`${e.group}/${e.resource}`),
      onConfigError: (g, d) => errors.push(`${g}: ${d}`),
    });
    return { r, stateDir, clock, failed, errors };
  }

  it('starts and stops a group: the state file comes and goes', async () => {
    const { r, stateDir } = runner([
      { name: 'svc', preferred: 'A', resources: [{ type: 'dummy', name: 'app' }] },
    ]);
    const file = dummyStateFile(stateDir, 'app');
    expect(await r.startGroup('svc')).toBe(true);
    expect(existsSync(file)).toBe(true);
    expect(r.localState('svc')).toBe('running');
    expect(await r.stopGroup('svc', 'now')).toBe(true);
    expect(existsSync(file)).toBe(false);
    expect(r.localState('svc')).toBe('stopped');
  });

  it('a monitor that gives up becomes group-failed for the failover machine', async () => {
    const { r, stateDir, clock, failed } = runner([GIVES_UP_AT_ONCE]);
    expect(await r.startGroup('svc')).toBe(true);
    rmSync(dummyStateFile(stateDir, 'app'));
    await untilFailures(clock, failed, 1);
    expect(failed).toEqual(['svc/app']);
    expect(r.localState('svc')).toBe('failed');
  });

  it('cleanup restarts in place a group left failed here, and only clears the mark of one not held', async () => {
    const { r, stateDir, clock, failed } = runner([GIVES_UP_AT_ONCE]);
    const file = dummyStateFile(stateDir, 'app');
    expect(await r.startGroup('svc')).toBe(true);
    rmSync(file);
    await untilFailures(clock, failed, 1);
    expect(r.localState('svc')).toBe('failed');
    expect(await r.cleanup('svc', true)).toBe(true);
    expect(r.localState('svc')).toBe('running');
    expect(existsSync(file)).toBe(true);
    // It fails again and is handed away (stopped, still failed here); a
    // cleanup then only forgets the failure and starts nothing.
    rmSync(file);
    await untilFailures(clock, failed, 2);
    expect(await r.stopGroup('svc', 'graceful')).toBe(true);
    expect(r.localState('svc')).toBe('failed');
    expect(await r.cleanup('svc', false)).toBe(false);
    expect(r.localState('svc')).toBe('stopped');
    expect(existsSync(file)).toBe(false);
  });

  it('a move runs the failover or failback hooks with the move in their environment; a plain start none', async () => {
    const logDir = mkdtempSync(join(tmpdir(), 'tandem-hooks-unit-'));
    dirs.push(logDir);
    const hookLog = join(logDir, 'hooks.log');
    const { r } = runner([
      {
        name: 'svc',
        preferred: 'A',
        resources: [{ type: 'dummy', name: 'app' }],
        hooks: ['pre-failover', 'post-failover', 'pre-failback', 'post-failback'].map((event) => ({
          event,
          command: [process.execPath, '-e', HOOK_SCRIPT, hookLog],
          timeoutMs: 10_000,
          onFailure: 'abort',
        })),
      } as { name: string; preferred: 'A'; resources: unknown[] },
    ]);
    const logged = () => (existsSync(hookLog) ? readFileSync(hookLog, 'utf8').trim().split('\n') : []);
    expect(await r.startGroup('svc')).toBe(true);
    expect(await r.stopGroup('svc', 'graceful')).toBe(true);
    expect(logged()).toEqual([]);
    expect(await r.startGroup('svc', { kind: 'failover', from: 'B', to: 'A', reason: 'fence-ok' })).toBe(
      true,
    );
    expect(
      await r.stopGroup('svc', 'graceful', {
        kind: 'failback',
        from: 'A',
        to: 'B',
        reason: 'operator-failback',
      }),
    ).toBe(true);
    expect(logged()).toEqual([
      'pre-failover start svc B A fence-ok A',
      'post-failover start svc B A fence-ok A',
      'pre-failback stop svc A B operator-failback A',
      'post-failback stop svc A B operator-failback A',
    ]);
  });

  it('a group with a bad resource is reported and never starts', async () => {
    const { r, errors } = runner([{ name: 'bad', preferred: 'A', resources: [{ type: 'nope' }] }]);
    expect(errors[0]).toMatch(/bad: \/groups\/0\/resources\/0\/type must be one of/);
    expect(await r.startGroup('bad')).toBe(false);
    expect(await r.stopGroup('bad', 'graceful')).toBe(true);
  });
});
