// The failover drill on the simulated box (the real controllers, virtual
// time): preflight, switchover and failback of each group, a resource kill
// and its local restart, each heartbeat path muted; the report, its events,
// a second drill compared with the first, and refusals that name the cause.
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

  it('runs every step, times each phase and reports it', async () => {
    const { ready, drill, box: b } = setup();
    await ready();
    const { started, end } = await drill('A');
    expect(started.status, started.error ?? '').toBe('ok');
    const report = end?.report as DrillReport;
    expect(report.result, JSON.stringify(report.steps, null, 1)).toBe('passed');
    expect(
      b
        .controller('A')
        ?.groupStatus()
        .map((g) => g.owner),
    ).toEqual(['A', 'B']);
  }, 60_000);
});
