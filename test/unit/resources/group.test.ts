// Groups: order, reverse stop, rollback of a failed start, idempotence,
// a failed stop that must not release what lies below, hooks and their policies.
import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import { runAction } from '../../../firmware/resources/agent.ts';
import { ResourceGroup } from '../../../firmware/resources/group.ts';
import type { HookSpec } from '../../../firmware/resources/hooks.ts';
import { fail, ok, type OcfResult } from '../../../firmware/resources/ocf.ts';
import { exited, FakeAgent, fakeRunner, RecordingAlarms, RecordingSink } from './fakes.ts';
import type { Script } from './fakes.ts';

function setup(scripts: Record<string, Script> = {}, hooks: HookSpec[] = [], answer = () => exited(0)) {
  const log: string[] = [];
  const clock = new SimClock();
  const runner = fakeRunner(answer);
  const events = new RecordingSink();
  const alarms = new RecordingAlarms();
  // The vip resource has the vip agent's type: the self-fence stop looks for it.
  const agents = ['res', 'fs', 'vip', 'pg'].map(
    (n) => new FakeAgent(n, log, scripts[n], 1000, n === 'vip' ? 'vip' : 'fake'),
  );
  const group = new ResourceGroup({
    name: 'db',
    controller: 'B',
    agents,
    hooks,
    clock,
    run: runner.run,
    events,
    alarms,
  });
  return { log, clock, runner, events, alarms, group };
}

describe('resource group', () => {
  it('starts in order and stops in reverse', async () => {
    const { log, group, events } = setup();
    expect((await group.start()).ok).toBe(true);
    expect(group.state).toBe('running');
    expect((await group.stop()).ok).toBe(true);
    expect(group.state).toBe('stopped');
    expect(log).toEqual([
      'res:start',
      'fs:start',
      'vip:start',
      'pg:start',
      'pg:stop',
      'vip:stop',
      'fs:stop',
      'res:stop',
    ]);
    expect(events.codes()).toContain('GROUP_STARTED');
    expect(events.codes()).toContain('RESOURCE_STARTED');
  });

  it('self-fence stop: the service address goes first, then the rest in reverse, no hooks', async () => {
    const hook: HookSpec = {
      event: 'pre-failover',
      command: ['/bin/true'],
      timeoutMs: 1000,
      onFailure: 'abort',
    };
    const { log, group, runner } = setup({}, [hook]);
    expect((await group.start()).ok).toBe(true);
    log.length = 0;
    expect((await group.stopUrgently()).ok).toBe(true);
    expect(log).toEqual(['vip:stop', 'pg:stop', 'fs:stop', 'res:stop']);
    expect(group.state).toBe('stopped');
    expect(runner.calls).toEqual([]);
  });

  it('self-fence stop that fails on the database still dropped the address, and says to fence', async () => {
    const { log, group } = setup({ pg: { stop: () => Promise.resolve(fail('generic-error', 'stuck')) } });
    await group.start();
    log.length = 0;
    const out = await group.stopUrgently();
    expect(out.stopFailed).toBe(true);
    expect(log).toEqual(['vip:stop', 'pg:stop']);
    expect(group.state).toBe('failed');
  });

  it('is idempotent: a second start does nothing, a second stop stops again harmlessly', async () => {
    const { log, group } = setup();
    await group.start();
    const again = await group.start();
    expect(again).toMatchObject({ ok: true, reason: 'already running' });
    expect(log.filter((l) => l.endsWith(':start'))).toHaveLength(4);
    await group.stop();
    expect((await group.stop()).ok).toBe(true);
  });

  it('rolls back a failed start in reverse, the failed resource included, and reports why', async () => {
    const { log, group, events } = setup({
      vip: { start: () => Promise.resolve(fail('generic-error', 'in use')) },
    });
    const out = await group.start();
    expect(out.ok).toBe(false);
    expect(out.stopFailed).toBe(false);
    expect(out.failed).toMatchObject({ resource: 'vip', action: 'start' });
    expect(out.reason).toBe('start of vip failed: generic-error (1): in use');
    expect(log).toEqual(['res:start', 'fs:start', 'vip:start', 'pg:stop', 'vip:stop', 'fs:stop', 'res:stop']);
    expect(group.state).toBe('stopped');
    expect(events.codes()).toContain('GROUP_START_FAILED');
  });

  it('raises the alarm a result asks for (VIP_IN_USE)', async () => {
    const inUse = fail('generic-error', 'answered by 02:00:00:00:00:09', {
      alarm: { code: 'VIP_IN_USE', subject: '198.18.2.10', params: { mac: '02:00:00:00:00:09' } },
    });
    const { group, alarms } = setup({ vip: { start: () => Promise.resolve(inUse) } });
    await group.start();
    expect(alarms.raised).toEqual([
      { code: 'VIP_IN_USE', subject: '198.18.2.10', params: { mac: '02:00:00:00:00:09' } },
    ]);
  });

  it('halts a stop at the first failure, keeping the disks below it, and says to fence', async () => {
    const { log, group, alarms } = setup({
      fs: { stop: () => Promise.resolve(fail('generic-error', 'busy')) },
    });
    await group.start();
    log.length = 0;
    const out = await group.stop();
    expect(out).toMatchObject({ ok: false, stopFailed: true });
    expect(log).toEqual(['pg:stop', 'vip:stop', 'fs:stop']); // res (the reservation) is NOT released
    expect(group.state).toBe('failed');
    expect(alarms.raised[0]).toMatchObject({ code: 'RESOURCE_FAILED', subject: 'db/fs' });
  });

  it('does not start a failed group until the failure is cleared', async () => {
    const { group } = setup();
    group.markFailed('pg kept crashing');
    expect((await group.start()).reason).toMatch(/clear the failure first/);
    group.clearFailure();
    expect((await group.start()).ok).toBe(true);
  });

  it('restartFrom stops the failed resource and those after it, then starts them again', async () => {
    const { log, group } = setup();
    await group.start();
    log.length = 0;
    expect((await group.restartFrom(1)).ok).toBe(true);
    expect(log).toEqual(['pg:stop', 'vip:stop', 'fs:stop', 'fs:start', 'vip:start', 'pg:start']);
  });

  it('a self-fence during a local restart: what the restart stopped is not started again', async () => {
    // The fs stop takes 500 ms; the self-fence comes while it runs (on a real
    // kernel the restart went on to fsck and start a filesystem on a disk
    // whose reservation the peer had taken).
    const { log, group, clock } = setup({ fs: { stop: (ctx) => ctx.clock.sleep(500).then(() => ok()) } });
    await group.start();
    log.length = 0;
    const restart = group.restartFrom(1);
    await clock.advance(100);
    const urgent = group.stopUrgently();
    await clock.advance(1000);
    const restarted = await restart;
    expect(restarted.ok).toBe(false);
    expect(restarted.reason).toMatch(/fenced itself/);
    await clock.advance(1000); // the urgent stop's own fs stop
    expect((await urgent).ok).toBe(true);
    expect(log.filter((l) => l.endsWith(':start'))).toEqual([]);
    expect((await group.start()).ok).toBe(false);
    expect(log.filter((l) => l.endsWith(':start'))).toEqual([]);
  });

  it('never overlaps operations', async () => {
    const { log, group, clock } = setup({ fs: { start: (ctx) => ctx.clock.sleep(500).then(() => ok()) } });
    const start = group.start();
    const stop = group.stop();
    await clock.advance(600);
    await Promise.all([start, stop]);
    expect(log.indexOf('pg:start')).toBeLessThan(log.indexOf('pg:stop'));
  });
});

describe('action timeouts', () => {
  it('abandons an action that overruns, aborts its signal and reports timed out', async () => {
    const clock = new SimClock();
    let aborted = false;
    const agent = new FakeAgent('hang', [], {
      start: (ctx) =>
        new Promise(() => {
          ctx.signal.addEventListener('abort', () => (aborted = true));
        }),
    });
    const result = runAction(agent, 'start', { clock, run: fakeRunner().run });
    await clock.advance(1000);
    expect(await result).toMatchObject({ code: 1, timedOut: true, reason: 'start timed out after 1000 ms' });
    expect(aborted).toBe(true);
  });

  it('turns an exception into generic-error', async () => {
    const agent = new FakeAgent('boom', [], { monitor: () => Promise.reject(new Error('kaput')) });
    const r = await runAction(agent, 'monitor', { clock: new SimClock(), run: fakeRunner().run });
    expect(r).toEqual({ code: 1, reason: 'monitor threw: kaput' });
  });

  it('gives commands the action signal and caps their timeout at the action timeout', async () => {
    const runner = fakeRunner();
    const agent = new FakeAgent('cmd', [], {
      start: async (ctx) => {
        await ctx.exec('/bin/true', [], { timeoutMs: 99_999 });
        return ok();
      },
    });
    await runAction(agent, 'start', { clock: new SimClock(), run: runner.run });
    expect(runner.calls[0]).toMatchObject({ file: '/bin/true', timeoutMs: 1000 });
    expect(runner.calls[0]?.signal).toBeInstanceOf(AbortSignal);
  });
});

describe('hooks around a failover', () => {
  const failover = { event: 'failover', from: 'A', to: 'B', reason: 'peer dead' } as const;
  const hook = (
    event: HookSpec['event'],
    onFailure: HookSpec['onFailure'],
    path = `/etc/tandem/${event}`,
  ): HookSpec => ({
    event,
    command: [path, '--flag'],
    timeoutMs: 5000,
    onFailure,
  });

  it('runs pre before the first resource and post after the last, with the event in the environment', async () => {
    const order: string[] = [];
    const { group, runner, log } = setup(
      {},
      [hook('pre-failover', 'abort'), hook('post-failover', 'abort')],
      () => {
        order.push(`hook@${log.length}`);
        return exited(0);
      },
    );
    expect((await group.start(failover)).ok).toBe(true);
    expect(order).toEqual(['hook@0', 'hook@4']);
    expect(runner.calls[0]).toMatchObject({
      file: '/etc/tandem/pre-failover',
      args: ['--flag'],
      timeoutMs: 5000,
    });
    expect(runner.calls[0]?.env).toMatchObject({
      TANDEM_EVENT: 'pre-failover',
      TANDEM_ACTION: 'start',
      TANDEM_GROUP: 'db',
      TANDEM_FROM: 'A',
      TANDEM_TO: 'B',
      TANDEM_REASON: 'peer dead',
      TANDEM_CONTROLLER: 'B',
    });
    expect(runner.calls[1]?.env?.['TANDEM_EVENT']).toBe('post-failover');
  });

  it('runs no hooks for a plain start, and only the matching event', async () => {
    const { group, runner } = setup({}, [hook('pre-failback', 'abort')]);
    await group.start();
    await group.stop();
    await group.start(failover);
    expect(runner.calls).toHaveLength(0);
  });

  it('abort: a failing pre hook stops the start before any resource', async () => {
    const { group, log, events } = setup({}, [hook('pre-failover', 'abort')], () =>
      exited(2, '', 'app not quiesced'),
    );
    const out = await group.start(failover);
    expect(out.ok).toBe(false);
    expect(out.reason).toBe('pre-failover hook /etc/tandem/pre-failover exited 2: app not quiesced');
    expect(log).toEqual([]);
    expect(events.codes()).toContain('HOOK_FAILED');
  });

  it('abort: a failing post hook rolls the started group back', async () => {
    const { group, log } = setup({}, [hook('post-failover', 'abort')], () => exited(1));
    const out = await group.start(failover);
    expect(out.ok).toBe(false);
    expect(log.slice(-4)).toEqual(['pg:stop', 'vip:stop', 'fs:stop', 'res:stop']);
  });

  it('warn logs a warning and goes on; ignore goes on silently', async () => {
    for (const policy of ['warn', 'ignore'] as const) {
      const { group, events } = setup({}, [hook('pre-failover', policy)], () => ({
        kind: 'timeout',
        escalated: true,
        stdout: '',
        stderr: '',
      }));
      const out = await group.start(failover);
      expect(out.ok).toBe(true);
      const warned = events.events.filter((e) => e.code === 'HOOK_FAILED');
      expect(warned.map((e) => e.severity)).toEqual(policy === 'warn' ? ['warning'] : []);
      if (policy === 'warn')
        expect(warned[0]?.message).toContain('timed out (ignored SIGTERM, killed with SIGKILL)');
    }
  });

  it('failback hooks wrap a stop, with TANDEM_ACTION=stop', async () => {
    const { group, runner } = setup({}, [hook('pre-failback', 'warn'), hook('post-failback', 'warn')]);
    await group.start();
    await group.stop({ event: 'failback', from: 'B', to: 'A', reason: 'A healthy for 600 s' });
    expect(runner.calls.map((c) => [c.env?.['TANDEM_EVENT'], c.env?.['TANDEM_ACTION']])).toEqual([
      ['pre-failback', 'stop'],
      ['post-failback', 'stop'],
    ]);
  });
});

describe('resource group: a resource out of order (ordered: false)', () => {
  /** res, vip (out of order, its start scripted), pg (150 ms to start), app. */
  function overlapped(vipStart: (log: string[], clock: SimClock) => Promise<OcfResult>) {
    const log: string[] = [];
    const clock = new SimClock();
    const pgStart = async (): Promise<OcfResult> => {
      await new Promise<void>((r) => clock.after(150, r));
      log.push('pg:started');
      return ok();
    };
    const vip = new FakeAgent('vip', log, { start: () => vipStart(log, clock) }, 1000, 'vip');
    vip.ordered = false;
    const agents = [
      new FakeAgent('res', log),
      vip,
      new FakeAgent('pg', log, { start: pgStart }),
      new FakeAgent('app', log),
    ];
    const group = new ResourceGroup({ name: 'db', controller: 'B', agents, clock, run: fakeRunner().run });
    return { log, clock, group };
  }

  it('starts the next resource alongside it and goes on only when both have started', async () => {
    const { log, clock, group } = overlapped(async (l, c) => {
      await new Promise<void>((r) => c.after(200, r)); // the ARP probe
      l.push('vip:started');
      return ok();
    });
    const started = group.start();
    await clock.advance(200);
    const out = await started;
    expect(out.ok).toBe(true);
    // pg started while the vip was still probing; app waited for both.
    expect(log).toEqual(['res:start', 'vip:start', 'pg:start', 'pg:started', 'vip:started', 'app:start']);
    expect(clock.monotonicMs()).toBe(200); // not 350: the two overlapped
    expect(out.actions.map((a) => a.resource)).toEqual(['res', 'vip', 'pg', 'app']);
  });

  it('rolls back everything when it fails, though the resource alongside it started', async () => {
    const { log, clock, group } = overlapped(() =>
      Promise.resolve(fail('generic-error', 'answered by a stranger')),
    );
    const started = group.start();
    await clock.advance(150);
    const out = await started;
    expect(out.ok).toBe(false);
    expect(out.failed?.resource).toBe('vip');
    expect(log).toEqual([
      'res:start',
      'vip:start',
      'pg:start',
      'pg:started',
      'app:stop',
      'pg:stop',
      'vip:stop',
      'res:stop',
    ]);
    expect(group.state).toBe('stopped');
  });
});
