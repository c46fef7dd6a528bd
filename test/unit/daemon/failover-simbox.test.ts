// Failover in the simulated box (the daemon's controller on sim drivers,
// virtual time): A runs the group, B stands by; killing A makes B fence A's
// key and take over; the operator commands go through the controller's
// command handler. The dummy resource keeps its state in the box's ledger.
import { afterEach, describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import type { ControllerId } from '../../../firmware/cluster/codes.ts';
import type { LoggedEvent } from '../../../firmware/events/types.ts';
import { SimBox } from '../../../firmware/sim/box.ts';

/** Does controller `c` run (or start, or stop) the dummy resource? */
function runs(box: SimBox, c: ControllerId): boolean {
  return box.ledger.holdersOf('app').includes(c);
}

const GROUPS = [{ name: 'svc', preferred: 'A' as const, resources: [{ type: 'dummy', name: 'app' }] }];

describe('failover in the simulated box', () => {
  let box: SimBox | undefined;
  afterEach(async () => {
    await box?.stop();
    box = undefined;
  });

  function setup(groups: ConstructorParameters<typeof SimBox>[0]['groups'] = GROUPS) {
    const clock = new SimClock();
    const events: { c: ControllerId; e: LoggedEvent }[] = [];
    const b = new SimBox({ clock, groups, onEvent: (c, e) => events.push({ c, e }) });
    box = b;
    b.start();
    const advance = async (ms: number): Promise<void> => {
      for (let t = 0; t < ms; t += 50) await clock.advance(50);
    };
    const state = (c: ControllerId) => b.controller(c)?.status.current().state;
    return { box: b, clock, events, advance, state };
  }

  it('A (preferred) runs the group, B stands by; both say so in status and heartbeats', async () => {
    const { box, advance, state } = setup();
    await advance(4000);
    expect(state('A')).toBe('active');
    expect(state('B')).toBe('standby');
    expect(runs(box, 'A')).toBe(true);
    expect(runs(box, 'B')).toBe(false);
    const b = box.controller('B')?.status.current();
    expect(b?.peer.peerState).toBe('active');
    expect(b?.groups).toEqual([{ name: 'svc', preferred: 'A', owner: 'A', state: 'running', failedOn: [] }]);
    const r = await box.controller('A')?.commands.handle({ command: 'groups', args: {}, transaction: 't' });
    expect(r?.status).toBe('ok');
  });

  it('kill A: B fences A (A key preempted) and becomes active; every state change is logged', async () => {
    const { box, clock, events, advance, state } = setup();
    await advance(4000);
    const aKey = box.controller('A')?.fencer.snapshot().ourKey;
    const killedAt = clock.monotonicMs();
    await box.kill('A');
    let activeAt: number | undefined;
    for (let i = 0; i < 300 && activeAt === undefined; i++) {
      await advance(50);
      if (state('B') === 'active') activeAt = clock.monotonicMs();
    }
    expect(activeAt).toBeDefined();
    // deadtime 1 s + takeover wait 2.2 s + fence delay 5 s (B runs fewer groups).
    expect((activeAt ?? 0) - killedAt).toBeLessThan(9000);
    const pr = box.controller('B')?.fencer.snapshot();
    expect(pr?.keys).toEqual([pr?.ourKey]);
    expect(pr?.keys).not.toContain(aKey);
    expect(runs(box, 'B')).toBe(true);
    const bStates = events
      .filter((x) => x.c === 'B' && x.e.code === 'STATE_CHANGED')
      .map((x) => (x.e.data as { to: string }).to);
    expect(bStates).toEqual(['standby', 'peer-suspect', 'fencing', 'taking-over', 'active']);
    expect(
      box
        .alarms('B')
        .active()
        .some((a) => a.code === 'TAKEOVER' && a.subject === 'B' && a.params['peer'] === 'A'),
    ).toBe(true);
  });

  it('switchover by command moves the group to B; a bad group name is refused', async () => {
    const { box, advance, state } = setup();
    await advance(4000);
    const a = box.controller('A');
    const bad = await a?.commands.handle({
      command: 'switchover',
      args: { group: 'nope' },
      transaction: 'x',
    });
    expect(bad?.error).toMatch(/group: "nope" is not a configured group/);
    const r = await a?.commands.handle({ command: 'switchover', args: { group: 'svc' }, transaction: 'y' });
    expect(r?.status).toBe('ok');
    await advance(3000);
    expect(state('A')).toBe('standby');
    expect(state('B')).toBe('active');
    const refused = await a?.commands.handle({
      command: 'failback',
      args: { group: 'svc' },
      transaction: 'z',
    });
    expect(refused?.error).toBe('group: svc runs on controller B, not on A; run "failback svc" on B');
  });

  it('a group that gave up on A runs on B and stays off A until an operator cleans it up on A', async () => {
    const { box, advance, state } = setup([
      {
        name: 'svc',
        preferred: 'A' as const,
        // Agent fields beyond type and name are the agent's own (checked by it).
        resources: [{ type: 'dummy', name: 'app', monitorIntervalMs: 500 } as { type: string; name: string }],
        restart: { maxRestarts: 0, windowMs: 60_000 },
      },
    ]);
    await advance(4000);
    expect(state('A')).toBe('active');
    box.ledger.lose('A', 'app'); // the resource dies on A
    await advance(4000);
    expect(state('B')).toBe('active');
    expect(runs(box, 'B')).toBe(true);
    expect(box.controller('A')?.failedGroups()).toEqual(['svc']);
    // Both controllers' status says where it failed (B learns it from A's heartbeat).
    for (const c of ['A', 'B'] as const)
      expect(box.controller(c)?.status.current().groups).toEqual([
        { name: 'svc', preferred: 'A', owner: 'B', state: 'running', failedOn: ['A'] },
      ]);
    expect(
      box
        .alarms('A')
        .active()
        .some((a) => a.code === 'RESOURCE_FAILED' && a.subject === 'svc/app'),
    ).toBe(true);
    // B will not hand it back to where it failed.
    const b = box.controller('B');
    const refused = await b?.commands.handle({
      command: 'switchover',
      args: { group: 'svc' },
      transaction: 'r',
    });
    expect(refused?.error).toMatch(/a group failed there .*tandemctl cleanup/);
    const a = box.controller('A');
    const bad = await a?.commands.handle({ command: 'cleanup', args: { group: 'nope' }, transaction: 'x' });
    expect(bad?.error).toMatch(/group: "nope" is not a configured group/);
    const cleaned = await a?.commands.handle({ command: 'cleanup', args: {}, transaction: 'c' });
    expect(cleaned?.data).toEqual({ cleared: ['svc'], restarted: [] });
    expect(box.controller('A')?.failedGroups()).toEqual([]);
    expect(
      box
        .alarms('A')
        .active()
        .some((x) => x.code === 'RESOURCE_FAILED'),
    ).toBe(false);
    await advance(500); // A's next heartbeat no longer lists svc as failed
    const moved = await b?.commands.handle({
      command: 'switchover',
      args: { group: 'svc' },
      transaction: 's',
    });
    expect(moved?.status).toBe('ok');
    await advance(3000);
    expect(state('A')).toBe('active');
    expect(runs(box, 'A')).toBe(true);
  });

  it("a peer's last beat left in its disk slot is not taken as a sign of life after a restart", async () => {
    const { box, events, advance } = setup();
    await advance(4000);
    await box.kill('A');
    await box.kill('B');
    const mark = events.length;
    await box.restart('B'); // A stays down: its slot still holds its last beat
    await advance(6000); // past initdead (5 s): B's verdict on a peer it never heard
    const fromB = events.slice(mark).filter((x) => x.c === 'B');
    expect(fromB.filter((x) => x.e.code === 'PEER_ALIVE')).toEqual([]);
    expect(fromB.some((x) => x.e.code === 'PEER_DEAD')).toBe(true);
  });

  it('a restarted controller stops what its killed process left running before it heartbeats', async () => {
    const { box, events, advance, state } = setup();
    await advance(4000);
    expect(runs(box, 'A')).toBe(true);
    await box.restart('A'); // killed and booted again at once: its dummy resource is still "running"
    let both = 0;
    for (let t = 0; t < 8000; t += 50) {
      await advance(50);
      if (runs(box, 'A') && runs(box, 'B')) both++;
    }
    expect(both).toBe(0); // never run twice
    const leftovers = events.filter((x) => x.c === 'A' && x.e.code === 'GROUP_LEFTOVERS');
    expect(leftovers.map((x) => x.e.data)).toEqual([{ group: 'svc', found: ['app'], stopped: true }]);
    // Afterwards exactly one controller runs it.
    expect(box.ledger.holdersOf('app')).toHaveLength(1);
    expect([state('A'), state('B')].sort()).toEqual(['active', 'standby']);
  });
});
