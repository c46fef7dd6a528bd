// The simulated box on virtual time: both controllers join, a single cut path
// is an alarm (never a dead peer), and a killed controller is declared dead.
import { afterEach, describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import type { ControllerId } from '../../../firmware/cluster/codes.ts';
import type { LoggedEvent } from '../../../firmware/events/types.ts';
import { SimBox } from '../../../firmware/sim/box.ts';

function status(box: SimBox, c: ControllerId) {
  const node = box.controller(c);
  if (node === undefined) throw new Error(`${c} is not running`);
  return node.status.current();
}

function pathState(box: SimBox, c: ControllerId, path: string): string | undefined {
  return status(box, c).peer.paths.find((p) => p.path === path)?.state;
}

describe('simulated box', () => {
  let box: SimBox | undefined;
  afterEach(async () => {
    await box?.stop();
    box = undefined;
  });

  function setup(): { box: SimBox; clock: SimClock; events: { c: ControllerId; e: LoggedEvent }[] } {
    const clock = new SimClock();
    const events: { c: ControllerId; e: LoggedEvent }[] = [];
    box = new SimBox({ clock, onEvent: (c, e) => events.push({ c, e }) });
    box.start();
    return { box, clock, events };
  }

  it('both controllers reach standby with every path up', async () => {
    const { box, clock } = setup();
    await clock.advance(2000);
    for (const c of ['A', 'B'] as const) {
      const s = status(box, c);
      expect(s.state).toBe('standby');
      expect(s.peer.state).toBe('alive');
      expect(s.peer.peerState).toBe('standby');
      expect(s.diskAccess).toBe(true);
      expect(s.peer.paths.map((p) => [p.path, p.state])).toEqual([
        ['serial', 'up'],
        ['net', 'up'],
        ['disk', 'up'],
      ]);
    }
  });

  it.each(['serial', 'net', 'disk'] as const)(
    'cutting %s alone gives path-down and an alarm; the peer stays alive',
    async (path) => {
      const { box, clock, events } = setup();
      await clock.advance(2000);
      box.cut(path);
      await clock.advance(3000);
      for (const c of ['A', 'B'] as const) {
        expect(pathState(box, c, path)).toBe('down');
        expect(status(box, c).peer.state).toBe('alive');
        expect(
          box
            .alarms(c)
            .active()
            .map((a) => [a.code, a.subject]),
        ).toContainEqual(['HB_PATH_DOWN', path]);
        expect(events.some((x) => x.c === c && x.e.code === 'PEER_DEAD')).toBe(false);
      }
      box.heal(path);
      // The disk path reopens its session with backoff (up to 5 s).
      await clock.advance(8000);
      for (const c of ['A', 'B'] as const) {
        expect(pathState(box, c, path)).toBe('up');
        // Only the standing one remains: the simulated box has no hardware watchdog.
        expect(
          box
            .alarms(c)
            .active()
            .map((a) => a.code),
        ).toEqual(['WATCHDOG_DISABLED']);
      }
    },
  );

  it('killing A makes B declare the peer dead within deadtime + interval, and a restart rejoins', async () => {
    const { box, clock, events } = setup();
    await clock.advance(2000);
    const killedAt = clock.monotonicMs();
    await box.kill('A');
    await clock.advance(3000);
    const dead = events.find((x) => x.c === 'B' && x.e.code === 'PEER_DEAD');
    expect(dead).toBeDefined();
    expect((dead?.e.monoMs ?? Infinity) - killedAt).toBeLessThanOrEqual(
      box.timing.deadtimeMs + box.timing.intervalMs,
    );
    expect(status(box, 'B').peer.state).toBe('dead');
    expect(
      box
        .alarms('B')
        .active()
        .map((a) => a.code),
    ).toContain('PEER_DEAD');
    await box.restart('A');
    await clock.advance(3000);
    expect(status(box, 'B').peer.state).toBe('alive');
    expect(status(box, 'A').state).toBe('standby');
    expect(events.some((x) => x.c === 'B' && x.e.code === 'PEER_INCARNATION')).toBe(true);
  });
});
