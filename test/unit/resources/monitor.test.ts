// Local monitoring on virtual time: restart in place N times within the
// window, then mark the group failed and ask for failover, with the reason in
// the event log and a RESOURCE_FAILED alarm.
import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import { ResourceGroup } from '../../../firmware/resources/group.ts';
import { GroupMonitor } from '../../../firmware/resources/monitor.ts';
import type { NeedsFailover } from '../../../firmware/resources/monitor.ts';
import { fail, ok } from '../../../firmware/resources/ocf.ts';
import type { OcfResult } from '../../../firmware/resources/ocf.ts';
import { FakeAgent, fakeRunner, RecordingAlarms, RecordingSink } from './fakes.ts';

function setup(pgHealth: () => OcfResult, opts: { maxRestarts?: number; windowMs?: number } = {}) {
  const clock = new SimClock();
  const log: string[] = [];
  const fs = new FakeAgent('fs', log, { monitor: () => Promise.resolve(ok()) }, 10_000);
  const pg = new FakeAgent('pg', log, { monitor: () => Promise.resolve(pgHealth()) }, 2000);
  const events = new RecordingSink();
  const alarms = new RecordingAlarms();
  const group = new ResourceGroup({
    name: 'db',
    controller: 'A',
    agents: [fs, pg],
    clock,
    run: fakeRunner().run,
    events,
  });
  const asks: NeedsFailover[] = [];
  const monitor = new GroupMonitor({
    group,
    clock,
    policy: { maxRestarts: opts.maxRestarts ?? 2, windowMs: opts.windowMs ?? 60_000 },
    events,
    alarms,
    onNeedsFailover: (e) => asks.push(e),
  });
  return { clock, log, group, monitor, events, alarms, asks };
}

describe('group monitor', () => {
  it('checks each resource at its own interval', async () => {
    const { clock, log, group, monitor } = setup(() => ok());
    await group.start();
    log.length = 0;
    monitor.start();
    await clock.advance(10_000);
    expect(log.filter((l) => l === 'pg:monitor')).toHaveLength(5);
    expect(log.filter((l) => l === 'fs:monitor')).toHaveLength(1);
    monitor.stop();
  });

  it('restarts a failed resource locally up to maxRestarts times, then asks for failover', async () => {
    const { clock, log, group, monitor, events, alarms, asks } = setup(() =>
      fail('not-running', 'postmaster gone'),
    );
    await group.start();
    monitor.start();
    await clock.advance(2000); // failure 1 -> restart 1
    await clock.advance(2000); // failure 2 -> restart 2
    expect(log.filter((l) => l === 'pg:start')).toHaveLength(3);
    expect(log.filter((l) => l === 'fs:start')).toHaveLength(1); // fs comes before pg: untouched
    expect(asks).toEqual([]);
    expect(events.codes().filter((c) => c === 'RESOURCE_RESTARTED')).toHaveLength(2);

    await clock.advance(2000); // failure 3 > 2 restarts: escalate
    expect(asks).toHaveLength(1);
    expect(asks[0]).toMatchObject({ group: 'db', resource: 'pg' });
    expect(asks[0]?.reason).toMatch(
      /fake pg failed its monitor: not-running \(7\): postmaster gone \(3 failures/,
    );
    expect(group.state).toBe('failed');
    expect(group.failure).toBe(asks[0]?.reason);
    expect(alarms.raised).toEqual([
      { code: 'RESOURCE_FAILED', subject: 'db/pg', params: { reason: asks[0]?.reason } },
    ]);
    const logged = events.events.find((e) => e.code === 'GROUP_NEEDS_FAILOVER');
    expect(logged).toMatchObject({ severity: 'error', source: 'resource:db/pg' });
    expect(monitor.running).toBe(false);

    // No more checks or restarts after escalation: the failover core takes over.
    const before = log.length;
    await clock.advance(20_000);
    expect(log.length).toBe(before);
  });

  it('forgets failures older than the window', async () => {
    let failing = false;
    const { clock, group, monitor, asks } = setup(() => (failing ? fail('generic-error', 'slow') : ok()), {
      maxRestarts: 1,
      windowMs: 10_000,
    });
    await group.start();
    monitor.start();
    for (let round = 0; round < 3; round++) {
      failing = true;
      await clock.advance(2000); // one failure, one restart
      failing = false;
      await clock.advance(12_000); // ... then it ages out of the window
    }
    expect(asks).toEqual([]);
    expect(monitor.recentFailures(1)).toBe(0);
    monitor.stop();
  });

  it('escalates at once when the restart itself fails', async () => {
    const { clock, log, group, monitor, asks } = setup(() => fail('generic-error', 'query timed out'));
    await group.start();
    const pg = group.agents[1] as FakeAgent;
    pg.script.start = () => Promise.resolve(fail('generic-error', 'pg_ctl start exited 1'));
    monitor.start();
    await clock.advance(2000);
    expect(log.filter((l) => l === 'pg:start')).toHaveLength(2);
    expect(asks).toHaveLength(1);
    expect(asks[0]?.reason).toMatch(
      /local restart failed: start of pg failed: generic-error \(1\): pg_ctl start exited 1/,
    );
  });

  it('escalates at once on a hard failure (fenced), without a local restart', async () => {
    const { clock, log, group, monitor, asks } = setup(() =>
      fail('generic-error', 'registration gone', { hard: true }),
    );
    await group.start();
    monitor.start();
    await clock.advance(2000);
    expect(log.filter((l) => l === 'pg:stop')).toHaveLength(0);
    expect(asks[0]?.reason).toMatch(/a restart here cannot help/);
  });

  it('does not judge a group that is not running', async () => {
    const { clock, log, monitor } = setup(() => fail('not-running', 'x'));
    monitor.start();
    await clock.advance(10_000);
    expect(log).toEqual([]);
    monitor.stop();
  });
});
