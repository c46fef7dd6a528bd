// The disk probe's verdict (firmware/failover/disk-access.ts): a failed poll
// loses the disk only when the disk has not answered for lossMs; an answer
// in between keeps it, and a really lost disk is lost within the bound.
import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import { DiskAccess } from '../../../firmware/failover/disk-access.ts';

const LOSS = 1000;

function setup() {
  const clock = new SimClock();
  const lost: { atMs: number; detail: string }[] = [];
  const disk = new DiskAccess({
    clock,
    lossMs: LOSS,
    lost: (detail) => lost.push({ atMs: clock.monotonicMs(), detail }),
  });
  return { clock, disk, lost };
}

describe('disk access (slow is not lost)', () => {
  it('a failed poll between answers is latency, not a lost disk', async () => {
    const { clock, disk, lost } = setup();
    disk.answered();
    await clock.advance(600);
    expect(disk.failed('command 0x5e timed out after 500 ms')).toBe(false);
    await clock.advance(300);
    disk.answered(); // the next poll is answered: the disk was only slow
    await clock.advance(5 * LOSS);
    expect(lost).toEqual([]);
  });

  it('a disk that stops answering is lost lossMs after its last answer, not at the first failure', async () => {
    const { clock, disk, lost } = setup();
    await clock.advance(100);
    disk.answered();
    await clock.advance(100); // cut at 200
    expect(disk.failed('connection refused')).toBe(false);
    for (let t = 0; t < 5; t++) {
      await clock.advance(100);
      disk.failed('not connected');
    }
    await clock.advance(2 * LOSS);
    expect(lost).toEqual([
      { atMs: 100 + LOSS, detail: 'not connected (no answer from the disk for 1000 ms)' },
    ]);
  });

  it('a failure long after the last answer loses the disk at once', async () => {
    const { clock, disk, lost } = setup();
    disk.answered();
    await clock.advance(LOSS + 500);
    expect(disk.failed('timed out')).toBe(true);
    await clock.advance(2 * LOSS);
    expect(lost).toEqual([]); // the caller acts on the true it got; no second verdict
  });

  it('never answered: the first failure loses it', () => {
    const { disk } = setup();
    expect(disk.failed('no session')).toBe(true);
  });

  it('stop() cancels a pending verdict', async () => {
    const { clock, disk, lost } = setup();
    disk.answered();
    disk.failed('timed out');
    disk.stop();
    await clock.advance(2 * LOSS);
    expect(lost).toEqual([]);
  });
});
