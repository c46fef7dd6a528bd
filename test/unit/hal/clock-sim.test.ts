import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';

describe('SimClock', () => {
  it('starts at 0 and moves only when advanced; wall time follows the origin', async () => {
    const clock = new SimClock(1_000_000);
    expect(clock.monotonicMs()).toBe(0);
    expect(clock.wallMs()).toBe(1_000_000);
    await clock.advance(250);
    expect(clock.monotonicMs()).toBe(250);
    expect(clock.wallMs()).toBe(1_000_250);
  });

  it('fires after() timers at their due time, in due order, ties by creation order', async () => {
    const clock = new SimClock();
    const log: string[] = [];
    clock.after(30, () => log.push(`c@${clock.monotonicMs()}`));
    clock.after(10, () => log.push(`a@${clock.monotonicMs()}`));
    clock.after(10, () => log.push(`b@${clock.monotonicMs()}`));
    await clock.advance(9);
    expect(log).toEqual([]);
    await clock.advance(21);
    expect(log).toEqual(['a@10', 'b@10', 'c@30']);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('cancel() stops a timer from firing', async () => {
    const clock = new SimClock();
    let fired = false;
    const t = clock.after(5, () => (fired = true));
    t.cancel();
    await clock.advance(10);
    expect(fired).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('every() fires once per period, including several in one advance, until cancelled', async () => {
    const clock = new SimClock();
    const at: number[] = [];
    const t = clock.every(100, () => at.push(clock.monotonicMs()));
    await clock.advance(350);
    expect(at).toEqual([100, 200, 300]);
    t.cancel();
    await clock.advance(1000);
    expect(at).toEqual([100, 200, 300]);
  });

  it('every() can cancel itself from inside its callback', async () => {
    const clock = new SimClock();
    let n = 0;
    const t = clock.every(10, () => {
      if (++n === 2) t.cancel();
    });
    await clock.advance(100);
    expect(n).toBe(2);
  });

  it('refuses a non-positive period and a negative advance', async () => {
    const clock = new SimClock();
    expect(() => clock.every(0, () => undefined)).toThrow(RangeError);
    await expect(clock.advance(-1)).rejects.toThrow(RangeError);
  });

  it('sleep() resolves at its time, and await chains progress within one advance', async () => {
    const clock = new SimClock();
    const at: number[] = [];
    const task = (async () => {
      await clock.sleep(10);
      at.push(clock.monotonicMs());
      await clock.sleep(10);
      at.push(clock.monotonicMs());
    })();
    await clock.advance(25);
    await task;
    expect(at).toEqual([10, 20]);
  });

  it('a timer scheduled by a firing timer runs in the same advance when due', async () => {
    const clock = new SimClock();
    const at: number[] = [];
    clock.after(10, () => clock.after(5, () => at.push(clock.monotonicMs())));
    await clock.advance(15);
    expect(at).toEqual([15]);
  });

  it('after(0) and negative delays fire on the next advance, not synchronously', async () => {
    const clock = new SimClock();
    let n = 0;
    clock.after(0, () => n++);
    clock.after(-5, () => n++);
    expect(n).toBe(0);
    await clock.advance(0);
    expect(n).toBe(2);
  });

  it('two identical runs produce identical timelines', async () => {
    const run = async (): Promise<string> => {
      const clock = new SimClock();
      const log: string[] = [];
      clock.every(7, () => log.push(`e${clock.monotonicMs()}`));
      clock.after(14, () => log.push(`a${clock.monotonicMs()}`));
      await clock.advance(30);
      return log.join(',');
    };
    expect(await run()).toBe(await run());
    // At 14 both are due: the every() timer was created first, so it wins the tie.
    expect(await run()).toBe('e7,e14,a14,e21,e28');
  });
});
