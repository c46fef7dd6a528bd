// A healed heartbeat path comes back up within two heartbeat intervals of
// its first good beat, without flapping (issue 18: after a sas-b heal the
// disk path took 3.8 to 4.9 s and flapped once). On the simulated box,
// virtual time: docs/heartbeat.md "Coming back up".
import { afterEach, describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import type { ControllerId } from '../../../firmware/cluster/codes.ts';
import { LAB_TIMING } from '../../../firmware/cluster/timing.ts';
import type { LoggedEvent } from '../../../firmware/events/types.ts';
import { SimBox } from '../../../firmware/sim/box.ts';

const INTERVAL = LAB_TIMING.intervalMs;
const PATH_EVENTS = new Set(['PATH_UP', 'PATH_LATE', 'PATH_DOWN']);

describe('a healed path on the simulated box', () => {
  let box: SimBox | undefined;
  afterEach(async () => {
    await box?.stop();
    box = undefined;
  });

  function setup() {
    const clock = new SimClock();
    const lines: { at: number; c: ControllerId; e: LoggedEvent }[] = [];
    box = new SimBox({ clock, onEvent: (c, e) => lines.push({ at: clock.monotonicMs(), c, e }) });
    box.start();
    /** Path events of `path` on controller `c` from `from` on: "UP@t". */
    const changes = (c: ControllerId, path: string, from: number) =>
      lines
        .filter(
          (l) =>
            l.c === c &&
            l.at >= from &&
            PATH_EVENTS.has(l.e.code) &&
            (l.e.data as { path?: string } | null)?.path === path,
        )
        .map((l) => ({ code: l.e.code, at: l.at }));
    return { box, clock, changes };
  }

  it.each([3000, 6000, 20_000])(
    'sas-b cut %i ms: the disk path is up on both within three intervals of the heal (one of its second good beat)',
    async (cutMs) => {
      const { box, clock, changes } = setup();
      await clock.advance(3000);
      box.setSasPath('B', true);
      await clock.advance(cutMs);
      const healAt = clock.monotonicMs();
      box.setSasPath('B', false);
      await clock.advance(5000);
      for (const c of ['A', 'B'] as const) {
        const after = changes(c, 'disk', healAt);
        // B reopens within an interval and beats at once, A reads it within
        // the next, and the second good beat follows one interval later.
        expect(after.map((x) => x.code)).toEqual(['PATH_UP']);
        expect((after[0]?.at ?? Infinity) - healAt).toBeLessThanOrEqual(3 * INTERVAL);
      }
    },
  );

  it.each(['serial', 'disk'] as const)(
    'a %s heal that stutters (one beat passes, then the link drops again) comes up once, without flapping',
    async (path) => {
      const { box, clock, changes } = setup();
      const cut = (on: boolean): void => {
        if (path === 'disk') box.setSasPath('B', on);
        else if (on) box.cut(path);
        else box.heal(path);
      };
      await clock.advance(3000);
      cut(true);
      await clock.advance(5000);
      const healAt = clock.monotonicMs();
      cut(false);
      // One beat's worth of link, then another second without it.
      await clock.advance(INTERVAL + 50);
      cut(true);
      await clock.advance(1000);
      const lastHeal = clock.monotonicMs();
      cut(false);
      await clock.advance(5000);
      for (const c of ['A', 'B'] as const) {
        const after = changes(c, path, healAt);
        expect(after.map((x) => x.code)).toEqual(['PATH_UP']);
        // Two good beats, one interval apart, after the heal that held.
        expect((after[0]?.at ?? Infinity) - lastHeal).toBeLessThanOrEqual(3 * INTERVAL);
      }
    },
  );
});
