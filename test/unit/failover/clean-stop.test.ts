// A clean stop of a daemon (SIGTERM: Controller.shutdown) hands its groups
// over, then says `stopping` in its last heartbeats: the peer reads the
// silence that follows as that stop, not a failure, and neither waits out a
// lease nor fences (table.ts stoppedPeer). A kill says nothing, and is fenced.
import { describe, expect, it } from 'vitest';
import type { ControllerId } from '../../../firmware/cluster/codes.ts';
import { dbPair, type Simulation } from './simulation.ts';

/** SIGTERM as the daemon handles it: shutdown(), then the process exits. */
async function cleanStop(sim: Simulation, id: ControllerId): Promise<void> {
  const c = sim.box.controller(id);
  if (c === undefined) throw new Error(`${id} is not running`);
  let exited = false;
  void c.shutdown().then(async () => {
    await sim.box.kill(id);
    exited = true;
  });
  for (let i = 0; i < 100 && !exited; i++) await sim.run(100);
  expect(exited).toBe(true);
}

function statesOf(sim: Simulation, id: ControllerId, sinceMs: number): string[] {
  return sim.log.filter((r) => r.controller === id && r.atMs >= sinceMs && r.to !== r.from).map((r) => r.to);
}

describe('a clean stop of the daemon', () => {
  it('on the active: B takes db as released, and A silent afterwards is neither suspected nor fenced', async () => {
    const sim = await dbPair();
    const t0 = sim.clock.monotonicMs();
    const peerSaw: string[] = [];
    const b = sim.box.controller('B');
    b?.runtime.membership.onReport(() => peerSaw.push(b.runtime.membership.latestMessage()?.state ?? ''));
    await cleanStop(sim, 'A');
    // Long past deadtime and the lease: B would have fenced by now.
    await sim.run(sim.takeoverWaitMs + 20_000);
    expect(peerSaw).toContain('stopping');
    expect(sim.holders('db')).toEqual(['B']);
    expect(sim.state('B')).toBe('active');
    expect(statesOf(sim, 'B', t0)).toEqual(['taking-over', 'active']);
    expect(sim.registered('A')).toBe(true); // never preempted
    expect(b?.runtime.membership.peerState()).toBe('dead');
  });

  it('on the standby: the active keeps running, no suspicion, no fence', async () => {
    const sim = await dbPair();
    const t0 = sim.clock.monotonicMs();
    await cleanStop(sim, 'B');
    await sim.run(sim.takeoverWaitMs + 20_000);
    expect(sim.holders('db')).toEqual(['A']);
    expect(statesOf(sim, 'A', t0)).toEqual([]);
    expect(sim.registered('B')).toBe(true);
  });

  it('a group the peer could not take is stopped, and started there without a fence once it can', async () => {
    const sim = await dbPair();
    sim.setDisk('B', false);
    await sim.run(5_000);
    const t0 = sim.clock.monotonicMs();
    await cleanStop(sim, 'A');
    await sim.run(sim.takeoverWaitMs + 5_000);
    expect(sim.holders('db')).toEqual([]);
    sim.setDisk('B', true);
    await sim.run(10_000);
    expect(sim.holders('db')).toEqual(['B']);
    expect(statesOf(sim, 'B', t0)).not.toContain('fencing');
    expect(sim.registered('A')).toBe(true);
  });

  it('a restarted daemon joins again as standby, and a later kill is fenced as before', async () => {
    const sim = await dbPair();
    await cleanStop(sim, 'B');
    await sim.run(5_000);
    sim.boot('B');
    await sim.run(15_000);
    expect(sim.state('B')).toBe('standby');
    const t1 = sim.clock.monotonicMs();
    await sim.box.kill('B');
    await sim.run(sim.takeoverWaitMs + 20_000);
    // The new process never said `stopping`: its silence is a failure.
    expect(statesOf(sim, 'A', t1)).toEqual(['peer-suspect', 'fencing', 'taking-over', 'active']);
    expect(sim.registered('B')).toBe(false);
  });
});
