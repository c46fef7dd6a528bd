// A failed start is retried once its cause may have cleared, with back-off,
// within a stated bound (failover/start-retry.ts, docs/failover.md "Start
// retry"), and GROUP_DOWN says what the group waits for. On the simulated
// box: issue 18's finding (a frozen active still holds the filesystem, so
// the standby's takeover start fails; the active wakes and self-fences).
import { afterEach, describe, expect, it } from 'vitest';
import {
  START_RETRY_LIMIT,
  startRetryBoundMs,
  startRetryDelayMs,
} from '../../../firmware/failover/start-retry.ts';
import { Simulation } from './simulation.ts';

describe('start retry schedule', () => {
  it('backs off 2, 4, 8, 16, 16 s: every retry begun within 46 s', () => {
    expect(Array.from({ length: START_RETRY_LIMIT }, (_, i) => startRetryDelayMs(i + 1))).toEqual([
      2000, 4000, 8000, 16_000, 16_000,
    ]);
    expect(startRetryBoundMs()).toBe(46_000);
    expect(() => startRetryDelayMs(0)).toThrow(RangeError);
  });
});

describe('start retry on the simulated box', () => {
  let sim: Simulation | undefined;
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  /** A stalls holding db at 5 s and wakes at 14 s; B's starts fail while A holds db. */
  function frozenActive(): Simulation {
    const s = new Simulation({
      policy: 'active-standby',
      groups: [{ name: 'db', preferred: 'A' }],
      exclusiveStarts: true,
    });
    sim = s;
    s.boot('A');
    s.boot('B');
    s.clock.after(5000, () => s.stall('A'));
    s.clock.after(14_000, () => s.resume('A'));
    return s;
  }

  const groupDown = (s: Simulation) =>
    s.box
      .alarms('B')
      .active()
      .find((a) => a.code === 'GROUP_DOWN' && a.subject === 'db');

  /** B's starts of db (standby -> taking-over), by time. */
  const starts = (s: Simulation) =>
    s.log
      .filter((e) => e.controller === 'B' && e.to === 'taking-over' && e.from !== 'taking-over')
      .map((e) => e.atMs);
  const failures = (s: Simulation) =>
    s.log
      .filter((e) => e.controller === 'B' && e.from === 'taking-over' && e.event === 'group-failed')
      .map((e) => e.atMs);

  it('B runs db once A has self-fenced, and GROUP_DOWN said what it waited for', async () => {
    const s = frozenActive();
    await s.run(13_900);
    // Both of B's starts failed while A was frozen: nothing changed about A since.
    expect(failures(s)).toHaveLength(2);
    expect(groupDown(s)?.message).toBe(
      'Group db runs on no controller although B could run it: its start failed on B; retried once A has self-fenced, released it or been confirmed down',
    );
    await s.run(3000);
    expect(s.state('A')).toBe('self-fenced');
    expect(s.writers('db')).toEqual(['B']);
    expect(groupDown(s)).toBeUndefined();
  });

  it('retries back off and stop after the stated bound; GROUP_DOWN counts them down', async () => {
    const s = frozenActive();
    // B's own resource breaks too: once A let go, every retry fails.
    s.clock.after(13_950, () => s.breakStarts('B', 'db', true));
    await s.run(15_500);
    expect(groupDown(s)?.message).toMatch(/: retrying its start on B in [34] s \(retry 2 of 5\)$/);
    await s.run(60_000);
    const st = starts(s);
    const fl = failures(s);
    // The takeover, the last resort, then exactly START_RETRY_LIMIT retries.
    expect(st).toHaveLength(2 + START_RETRY_LIMIT);
    expect(fl).toHaveLength(st.length);
    for (let n = 2; n <= START_RETRY_LIMIT; n++) {
      const retryAt = st[1 + n] ?? NaN;
      const failedBefore = fl[n] ?? NaN;
      expect(retryAt - failedBefore).toBeGreaterThanOrEqual(startRetryDelayMs(n));
      // Level-triggered (every interval) and a free group settles 3 intervals first.
      expect(retryAt - failedBefore).toBeLessThanOrEqual(startRetryDelayMs(n) + 500);
    }
    // The first retry came as soon as A had let go (self-fenced at 14 s).
    expect((st[2] ?? NaN) - 14_000).toBeLessThan(1000);
    // The stated bound, from the sign: the back-offs, plus per attempt its
    // start (200 ms here) and the settling and reconcile (4 intervals).
    expect((st.at(-1) ?? NaN) - 14_000).toBeLessThanOrEqual(startRetryBoundMs() + START_RETRY_LIMIT * 600);
    expect(s.holders('db')).toEqual([]);
    expect(groupDown(s)?.message).toMatch(
      /: its start on B failed again after 5 retries: waiting for tandemctl cleanup or the failure to expire$/,
    );
    // An operator fixes it: cleanup starts it.
    s.breakStarts('B', 'db', false);
    s.command('B', 'cleanup');
    await s.run(2000);
    expect(s.writers('db')).toEqual(['B']);
  });

  /** A pair running db on A, its home. */
  async function dbOnA(): Promise<Simulation> {
    const s = new Simulation({ policy: 'active-standby', groups: [{ name: 'db', preferred: 'A' }] });
    sim = s;
    s.boot('A');
    s.boot('B');
    await s.run(8000);
    expect(s.writers('db')).toEqual(['A']);
    return s;
  }

  /** Both causes clear: A runs db again within the retry bound, and B never runs it meanwhile. */
  async function healThenA(s: Simulation): Promise<void> {
    s.breakStarts('A', 'db', false);
    s.breakStarts('B', 'db', false);
    const healedAt = s.clock.monotonicMs();
    for (let t = 0; t < 40_000 && s.writers('db').length === 0; t += 100) {
      await s.run(100);
      expect(s.holders('db')).not.toContain('B');
    }
    expect(s.writers('db')).toEqual(['A']);
    expect(s.clock.monotonicMs() - healedAt).toBeLessThanOrEqual(startRetryBoundMs());
  }

  it('a group that failed on both controllers is retried by its home alone once the cause cleared', async () => {
    const s = await dbOnA();
    // A double fault (both LAN ports down): db fails on A, and B's takeover start fails too.
    s.breakStarts('A', 'db', true);
    s.breakStarts('B', 'db', true);
    s.failGroup('A', 'db');
    await s.run(10_000);
    expect(s.holders('db')).toEqual([]);
    // The cause clears: A, db's home, retries within the back-off.
    await healThenA(s);
  });

  it('a group left failed where it runs, failed on the peer too, is restarted in place once the cause cleared', async () => {
    const s = await dbOnA();
    // The campaign's two faults in a row: db fails on A (its LAN port) and B's start fails too ...
    s.breakStarts('B', 'db', true);
    s.failGroup('A', 'db');
    await s.run(5000);
    // ... B could not start it, so A, db's home, runs it again (the retry of a group failed on both).
    expect(s.writers('db')).toEqual(['A']);
    // Now A's start breaks and db fails on A again while B still cannot run it: left failed on A.
    s.breakStarts('A', 'db', true);
    s.failGroup('A', 'db');
    await s.run(10_000);
    expect(s.writers('db')).toEqual([]);
    // The causes clear: A restarts db in place within the retry bound.
    await healThenA(s);
  });
});
