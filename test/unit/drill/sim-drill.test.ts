// The failover drill on the simulated box (the real controllers, virtual
// time): preflight, switchover and failback of each group, a resource kill
// and its local restart, each heartbeat path muted; the report, its events,
// a second drill compared with the first, and refusals that name the cause.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import type { ControllerId } from '../../../firmware/cluster/codes.ts';
import type { CommandResponse } from '../../../firmware/core/envelope.ts';
import type { DrillProgress } from '../../../firmware/drill/service.ts';
import type { DrillReport } from '../../../firmware/drill/report.ts';
import { SimBox } from '../../../firmware/sim/box.ts';

const GROUPS = [
  {
    name: 'db',
    preferred: 'A' as const,
    // A reservation and a VIP, so the start phases disk and VIP announced are timed too.
    resources: [
      { type: 'reservation', name: 'pr', luns: [1] },
      { type: 'dummy', name: 'pg', monitorIntervalMs: 1000 },
      { type: 'vip', name: 'ip', address: '192.0.2.10', interface: 'lan0', probeTimeoutMs: 100 },
    ],
  },
  {
    name: 'web',
    preferred: 'B' as const,
    resources: [{ type: 'dummy', name: 'app', monitorIntervalMs: 1000 }],
  },
];

describe('failover drill on the simulated box', () => {
  let box: SimBox | undefined;
  afterEach(async () => {
    await box?.stop();
    box = undefined;
  });

  function setup() {
    const clock = new SimClock();
    const b = new SimBox({ clock, groups: GROUPS, failover: { policy: 'active-active' } });
    box = b;
    b.start();
    const advance = async (ms: number): Promise<void> => {
      for (let t = 0; t < ms; t += 10) await clock.advance(10);
    };
    /** A command on `c`, virtual time running until it answers (the peer channel takes time). */
    const run = async (
      c: ControllerId,
      command: 'drill' | 'drill-status' | 'failback',
      args: Record<string, unknown> = {},
    ) => {
      const controller = b.controller(c);
      if (controller === undefined) throw new Error(`${c} is not running`);
      const commands = controller.commands.with({ events: b.events(c), alarms: b.alarms(c) });
      let answer: CommandResponse | undefined;
      const asking = commands.handle({ command, args, transaction: command }).then((r) => (answer = r));
      for (let i = 0; i < 1000 && answer === undefined; i++) await clock.advance(10);
      return asking;
    };
    /** Runs a drill on `c` to its end; the final progress. */
    const drill = async (
      c: ControllerId,
    ): Promise<{ started: CommandResponse; end: DrillProgress | null }> => {
      const started = await run(c, 'drill');
      if (started.status !== 'ok') return { started, end: null };
      for (let i = 0; i < 600; i++) {
        await advance(500);
        const s = await run(c, 'drill-status');
        const p = (s.data as { drill: DrillProgress | null }).drill;
        if (p !== null && p.state !== 'running') return { started, end: p };
      }
      throw new Error('the drill did not end');
    };
    /** Both up, each group on its preferred controller. */
    const ready = async (): Promise<void> => {
      await advance(6000);
      expect(
        b
          .controller('A')
          ?.groupStatus()
          .map((g) => g.owner),
      ).toEqual(['A', 'B']);
    };
    return { box: b, clock, advance, run, drill, ready };
  }

  const names = (report: DrillReport, kind: string, subject: string): string[] =>
    report.steps.find((x) => x.kind === kind && x.subject === subject)?.phases.map((p) => p.name) ?? [];

  it('runs every step, times each phase and reports it, in text, JSON and the event log', async () => {
    const { ready, drill, box: b } = setup();
    await ready();
    const { started, end } = await drill('A');
    expect(started.status, started.error ?? '').toBe('ok');
    const report = end?.report as DrillReport;
    expect(report.result, JSON.stringify(report.steps, null, 1)).toBe('passed');
    expect(report.preflight.every((c) => c.ok)).toBe(true);
    expect(report.steps.map((x) => `${x.kind} ${x.subject}`)).toEqual([
      'switchover db',
      'failback db',
      'switchover web',
      'failback web',
      'resource db/pg',
      'resource web/app',
      'path serial',
      'path net',
      'path disk',
    ]);
    // db has a reservation and a VIP: its start is timed in the takeover history's phases.
    for (const kind of ['switchover', 'failback'])
      expect(names(report, kind, 'db')).toEqual(['stop', 'release', 'disk', 'VIP announced', 'pause']);
    expect(names(report, 'switchover', 'web')).toEqual(['stop', 'release', 'pause']);
    expect(names(report, 'resource', 'db/pg')).toEqual(['detected', 'restarted']);
    expect(names(report, 'path', 'net')).toEqual(['silence']);
    const switchover = report.steps[0];
    const ms = (name: string) => switchover?.phases.find((p) => p.name === name)?.ms ?? -1;
    // The sim's dummy stops in 100 ms; the VIP's probe and announcement take a few hundred.
    expect(ms('stop')).toBeGreaterThanOrEqual(100);
    expect(ms('release')).toBeGreaterThan(0);
    expect(ms('VIP announced')).toBeGreaterThan(0);
    expect(ms('pause')).toBe(ms('stop') + ms('release') + ms('disk') + ms('VIP announced'));
    // Stopped on A, started on B; the release watched from A, where the drill runs.
    expect(switchover?.phases.map((p) => p.on)).toEqual(['A', 'A', 'B', 'B', 'A']);
    // Half the deadtime muted: heard as a silence that long, never enough to take the path down.
    const silence = report.steps.find((x) => x.subject === 'net')?.phases[0]?.ms ?? 0;
    expect(silence).toBeGreaterThanOrEqual(b.timing.deadtimeMs / 2 - b.timing.intervalMs / 2);
    expect(silence).toBeLessThanOrEqual(b.timing.deadtimeMs / 2 + b.timing.intervalMs);
    expect(report.previous).toBeNull();
    // Everything where it was, no failure counted, no takeover.
    expect(
      b
        .controller('A')
        ?.groupStatus()
        .map((g) => [g.owner, g.failedOn.length]),
    ).toEqual([
      ['A', 0],
      ['B', 0],
    ]);
    expect(
      b
        .controller('A')
        ?.resourceStatus('db')
        .map((r) => r.failCount),
    ).toEqual([0, 0, 0]);
    const codes = b
      .events('A')
      .query({ source: 'drill', limit: 100 })
      .map((e) => e.code);
    expect(codes).toContain('DRILL_STARTED');
    expect(codes.filter((c) => c === 'DRILL_STEP')).toHaveLength(9);
    const logged = b.events('A').query({ code: 'DRILL_REPORT', limit: 1 })[0];
    expect(logged?.data).toEqual(JSON.parse(JSON.stringify(report)));
    expect(b.events('B').query({ code: 'DRILL_RESOURCE_KILLED', limit: 5 })).toHaveLength(1);
    expect(b.events('A').query({ code: 'TAKEOVER', limit: 5 })).toHaveLength(0);
    // Kept for the next drill.
    const kept = JSON.parse(readFileSync(join(b.stateDir('A'), 'drill', 'last.json'), 'utf8')) as DrillReport;
    expect(kept.id).toBe(report.id);
  }, 60_000);

  it('a second drill compares itself with the first and flags a phase more than 50 % slower', async () => {
    const { ready, drill, run, box: b } = setup();
    await ready();
    const first = (await drill('A')).end?.report as DrillReport;
    expect(first.result).toBe('passed');
    // As if db's stop had been three times faster in the first drill.
    const file = join(b.stateDir('A'), 'drill', 'last.json');
    const kept = JSON.parse(readFileSync(file, 'utf8')) as DrillReport;
    const stop = kept.steps[0]?.phases.find((p) => p.name === 'stop');
    if (stop === undefined) throw new Error('no stop phase');
    const now = stop.ms;
    stop.ms = Math.floor(now / 3);
    writeFileSync(file, JSON.stringify(kept));
    const second = (await drill('A')).end?.report as DrillReport;
    expect(second.result).toBe('passed');
    expect(second.previous).toEqual({ id: first.id, startedAt: first.startedAt });
    expect(second.slower).toContainEqual({
      phase: 'switchover db stop',
      previousMs: Math.floor(now / 3),
      ms: second.steps[0]?.phases.find((p) => p.name === 'stop')?.ms,
    });
    const logged = b.events('A').query({ code: 'DRILL_REPORT', limit: 1 })[0];
    expect(logged?.severity).toBe('warning');
    expect(logged?.message).toMatch(/more than 50 % slower than drill [0-9a-f]{16}: switchover db stop/);
    // drill status shows the last report.
    const status = await run('A', 'drill-status');
    expect((status.data as { last: DrillReport }).last.id).toBe(second.id);
  }, 60_000);

  it('refuses while the peer is down, naming the cause, and moves nothing', async () => {
    const { ready, run, advance, box: b } = setup();
    await ready();
    await b.kill('B');
    await advance(3000);
    const r = await run('A', 'drill');
    expect(r.status).toBe('error');
    expect(r.error).toMatch(/^drill refused, nothing moved: peer reachable: B did not answer its status/);
    expect(r.error).toMatch(/both healthy: .*B is not heard on any heartbeat path/);
    expect(b.events('A').query({ code: 'DRILL_REFUSED', limit: 1 })).toHaveLength(1);
    expect(b.events('A').query({ code: 'DRILL_STARTED', limit: 1 })).toHaveLength(0);
  }, 60_000);

  it('refuses a pair whose group is away from home, and a second drill while one runs', async () => {
    const { ready, run, advance, box: b } = setup();
    await ready();
    const moved = await b.controller('A')?.commands.handle({
      command: 'switchover',
      args: { group: 'db' },
      transaction: 'move',
    });
    expect(moved?.status).toBe('ok');
    await advance(3000);
    const away = await run('A', 'drill');
    expect(away.error).toMatch(/groups: group db runs on B, not at home on A \(fail it back first\)/);
    // Home again; then a drill runs, and another is refused meanwhile.
    const back = await b.controller('B')?.commands.handle({
      command: 'failback',
      args: { group: 'db' },
      transaction: 'back',
    });
    expect(back?.status).toBe('ok');
    await advance(3000);
    expect((await run('B', 'drill')).status).toBe('ok');
    const twice = await run('B', 'drill');
    expect(twice.error).toMatch(/^a drill is under way \(started .* by operator\): see drill status$/);
    // The peer's own drill-peer is refused to an operator.
    const direct = await b.controller('A')?.commands.handle({
      command: 'drill-peer',
      args: { op: 'mark' },
      transaction: 'x',
    });
    expect(direct?.error).toBe('drill-peer is sent by the peer controller only');
  }, 60_000);

  it('a stored report that is not one is reported, not compared with', async () => {
    const { ready, drill, run, box: b } = setup();
    await ready();
    mkdirSync(join(b.stateDir('A'), 'drill'), { recursive: true });
    writeFileSync(join(b.stateDir('A'), 'drill', 'last.json'), '['.repeat(100));
    const before = await run('A', 'drill-status');
    expect(JSON.stringify(before.data)).toMatch(/nested deeper than the 8-level limit/);
    const report = (await drill('A')).end?.report as DrillReport;
    expect(report.result).toBe('passed');
    expect(report.previous).toBeNull();
  }, 60_000);
});
