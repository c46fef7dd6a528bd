// An isolated active that was itself stalled still self-fences within the
// lease's first term: membership may postpone its verdict after a stall of
// its own (docs/heartbeat.md, Stalls and slow disks), so the failover
// machine judges isolation on the raw silence. On the simulated box.
import { afterEach, describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import type { ControllerId } from '../../../firmware/cluster/codes.ts';
import { LAB_TIMING } from '../../../firmware/cluster/timing.ts';
import type { LoggedEvent } from '../../../firmware/events/types.ts';
import { selfFenceDetectMs } from '../../../firmware/failover/lease.ts';
import { probeTimeoutMs } from '../../../firmware/controller/failover-settings.ts';
import { SimBox } from '../../../firmware/sim/box.ts';

const T = LAB_TIMING;

describe('an isolated active stalled near its deadline', () => {
  let box: SimBox | undefined;
  afterEach(async () => {
    await box?.stop();
    box = undefined;
  });

  it('self-fences within self-fence detection of the cut, after the stall as before', async () => {
    const clock = new SimClock();
    const lines: { at: number; c: ControllerId; e: LoggedEvent }[] = [];
    box = new SimBox({
      clock,
      groups: [{ name: 'svc', preferred: 'A', resources: [{ type: 'dummy', name: 'app' }] }],
      onEvent: (c, e) => lines.push({ at: clock.monotonicMs(), c, e }),
    });
    box.start();
    await clock.advance(5000);
    const active = (['A', 'B'] as const).find((c) => box?.controller(c)?.failover.state === 'active');
    expect(active).toBeDefined();
    const a = active!;
    const cutAt = clock.monotonicMs();
    box.cut('serial');
    box.cut('net');
    box.setSasPath(a, true);
    // The active stalls across its deadline: 900 to 1200 ms after the cut.
    await clock.advance(900);
    box.stall(a);
    await clock.advance(300);
    box.resume(a);
    await clock.advance(3000);
    const fenced = lines.find(
      (l) =>
        l.c === 'A' && l.e.code === 'STATE_CHANGED' && (l.e.data as { to?: string }).to === 'self-fenced',
    );
    expect(fenced).toBeDefined();
    const detect = selfFenceDetectMs({
      intervalMs: T.intervalMs,
      deadtimeMs: T.deadtimeMs,
      ioTimeoutMs: probeTimeoutMs(T),
      stopBudgetMs: 0,
      watchdog: null,
    });
    expect(fenced!.at - cutAt).toBeLessThanOrEqual(detect);
  });
});
