// Maintenance is a property of the box (firmware/failover/box-maintenance.ts),
// on the simulated box with the real controller in virtual time: set on one
// controller, the other follows; one command on either ends it on both, with
// no stale alarm; it survives a restart; and a controller killed while the
// box is in maintenance is not fenced by its peer.
import { afterEach, describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import type { ControllerId } from '../../../firmware/cluster/codes.ts';
import { SimBox } from '../../../firmware/sim/box.ts';

const GROUPS = [{ name: 'svc', preferred: 'A' as const, resources: [{ type: 'dummy', name: 'app' }] }];

describe('maintenance belongs to the box', () => {
  let box: SimBox | undefined;
  afterEach(async () => {
    await box?.stop();
    box = undefined;
  });

  function setup() {
    const clock = new SimClock();
    const logged: { c: ControllerId; code: string; message: string }[] = [];
    const b = new SimBox({
      clock,
      groups: GROUPS,
      onEvent: (c, e) => logged.push({ c, code: e.code, message: e.message }),
    });
    box = b;
    b.start();
    const advance = async (ms: number): Promise<void> => {
      for (let t = 0; t < ms; t += 50) await clock.advance(50);
    };
    const state = (c: ControllerId) => b.controller(c)?.status.current().state;
    const alarmed = (c: ControllerId) =>
      b
        .alarms(c)
        .active()
        .some((a) => a.code === 'MAINTENANCE_MODE');
    const maintenance = async (c: ControllerId, on: boolean) => {
      const r = await b.controller(c)?.commands.handle({
        command: 'maintenance',
        args: { on },
        transaction: `m-${c}-${String(on)}`,
      });
      return r;
    };
    return { box: b, advance, state, alarmed, maintenance, logged };
  }

  it('set on A, B follows; off on B ends it on both and clears both alarms', async () => {
    const { advance, state, alarmed, maintenance } = setup();
    await advance(4000);
    const on = await maintenance('A', true);
    expect(on).toMatchObject({ status: 'ok' });
    expect(JSON.stringify(on)).toContain('the box is in maintenance');
    await advance(500);
    expect([state('A'), state('B')]).toEqual(['maintenance', 'maintenance']);
    expect([alarmed('A'), alarmed('B')]).toEqual([true, true]);

    const off = await maintenance('B', false);
    expect(off).toMatchObject({ status: 'ok' });
    await advance(500);
    expect(state('A')).toBe('active');
    expect(state('B')).toBe('standby');
    expect([alarmed('A'), alarmed('B')]).toEqual([false, false]);
  });

  it('survives a restart: A restarted while the box is in maintenance comes back in maintenance', async () => {
    const { box: b, advance, state, maintenance } = setup();
    await advance(4000);
    await maintenance('A', true);
    await advance(500);
    await b.restart('A');
    await advance(6000);
    expect(state('A')).toBe('maintenance');
    expect(b.controller('A')?.failover.status().maintenance.on).toBe(true);
    // Both restarted: the mark is on disk, not only in the peer's memory.
    await b.restart('B');
    await b.restart('A');
    await advance(6000);
    expect([state('A'), state('B')]).toEqual(['maintenance', 'maintenance']);
    await maintenance('A', false);
    await advance(3000);
    expect([state('A'), state('B')]).toEqual(['active', 'standby']);
  });

  it('a controller killed while the box is in maintenance is not fenced by its peer', async () => {
    const { box: b, advance, state, maintenance, logged } = setup();
    await advance(4000);
    expect(b.ledger.holdersOf('app')).toEqual(['A']);
    await maintenance('B', true);
    await advance(500);
    await b.kill('A');
    await advance(10_000);
    expect(state('B')).toBe('maintenance');
    expect(b.ledger.holdersOf('app')).toEqual(['A']); // left as it was: nobody started it on B
    expect(b.controller('B')?.failover.status().groups).toEqual([]);
    const onB = logged.filter((x) => x.c === 'B' && x.code === 'FAILOVER_TRANSITION').map((x) => x.message);
    expect(onB.some((m) => m.includes('fencing'))).toBe(false);
    expect(onB.some((m) => m.includes('maintenance: peer dead'))).toBe(true);
    // A comes back, still in maintenance, and joins without a fence.
    await b.restart('A');
    await advance(6000);
    expect(state('A')).toBe('maintenance');
  });

  it('asking either controller for what the box already is succeeds and changes nothing', async () => {
    const { advance, state, maintenance } = setup();
    await advance(4000);
    await maintenance('A', true);
    await advance(500);
    const again = await maintenance('B', true);
    expect(again).toMatchObject({ status: 'ok' });
    await maintenance('A', false);
    await advance(500);
    expect([state('A'), state('B')]).toEqual(['active', 'standby']);
    const offAgain = await maintenance('B', false);
    expect(offAgain).toMatchObject({ status: 'ok' });
    expect(JSON.stringify(offAgain)).toContain('nothing to do');
  });
});
