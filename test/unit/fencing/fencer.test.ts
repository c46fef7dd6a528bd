// Fencing as the failover machine and the reservation resource use it: the
// ReservationManager on the sim SCSI target (both quirk modes) with its one
// registration poll, NoSharedDisk, and the reservation agent reading the poll.
import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import { SimScsiTarget } from '../../../hal/scsi/sim.ts';
import type { PollResult } from '../../../firmware/fencing/fencer.ts';
import { NoSharedDisk } from '../../../firmware/fencing/no-shared-disk.ts';
import { ReservationManager } from '../../../firmware/fencing/reservation-manager.ts';
import { ReservationAgent } from '../../../firmware/resources/agents/reservation.ts';
import { OCF, isOk } from '../../../firmware/resources/ocf.ts';

function pair(quirks: 'spc4' | 'tgt') {
  const clock = new SimClock();
  const target = new SimScsiTarget({ clock, quirks, blocks: 4096 });
  const make = (c: 'A' | 'B') =>
    new ReservationManager({
      device: target.connect(`sim-${c}`),
      boxId: 'unit-box',
      controller: c,
      clock,
      pollIntervalMs: 100,
    });
  return { clock, target, a: make('A'), b: make('B') };
}

const clock0 = new SimClock();
const ctx = {
  action: 'start' as const,
  signal: new AbortController().signal,
  clock: clock0,
  exec: () => Promise.reject(new Error('no commands here')),
};

describe.each(['spc4', 'tgt'] as const)('ReservationManager as the Fencer (%s)', (quirks) => {
  it('start registers and makes sure a type-5 reservation exists', async () => {
    const { a, b } = pair(quirks);
    expect((await a.start()).kind).toBe('registered');
    expect((await b.start()).kind).toBe('registered');
    // B's view is the later one: both keys, A (first to start) holds type 5.
    const s = b.snapshot();
    expect(s.keys).toHaveLength(2);
    expect(s.reservation?.key).toBe(a.snapshot().ourKey);
    expect(s.reservation?.type).toBe(5);
    a.stop();
    b.stop();
  });

  it('one poll every interval: its result is every consumer’s view of our key and the disk', async () => {
    const { clock, a, b } = pair(quirks);
    await a.start();
    await b.start();
    const seen: PollResult['kind'][] = [];
    a.on('polled', (r) => seen.push(r.kind));
    await clock.advance(300);
    expect(seen).toEqual(['registered', 'registered', 'registered']);
    expect(a.lastPoll()?.kind).toBe('registered');
    const fenced = await b.fencePeer();
    expect(fenced).toMatchObject({ kind: 'peer-fenced', preempted: [a.snapshot().ourKey] });
    expect(b.snapshot().keys).toEqual([b.snapshot().ourKey]);
    expect(b.snapshot().reservation?.key).toBe(b.snapshot().ourKey);
    await clock.advance(100);
    expect(a.lastPoll()?.kind).toBe('we-are-fenced');
    expect(a.snapshot().weAreFenced).toBe(true);
    expect((await a.fencePeer()).kind).toBe('we-are-fenced');
    a.stop();
    b.stop();
  });

  it('a fence with no peer key left preempts nothing', async () => {
    const { b } = pair(quirks);
    await b.start();
    expect(await b.fencePeer()).toMatchObject({ kind: 'peer-fenced', preempted: [], method: null });
    b.stop();
  });

  it('the reservation resource reads the poll: refused and failed hard once the peer fenced us', async () => {
    const { clock, a, b } = pair(quirks);
    await a.start();
    await b.start();
    await clock.advance(100);
    const agent = new ReservationAgent({ name: 'resv', luns: [1], monitorIntervalMs: 1000 }, (lun) =>
      lun === 1 ? a : undefined,
    );
    expect(isOk(await agent.validate())).toBe(true);
    expect(isOk(await agent.start(ctx))).toBe(true);
    expect(isOk(await agent.monitor())).toBe(true);
    await b.fencePeer();
    await clock.advance(100);
    const m = await agent.monitor();
    expect(m.code).toBe(OCF['generic-error']);
    expect(m.hard).toBe(true);
    expect((await agent.start(ctx)).reason).toMatch(/preempted/);
    a.stop();
    b.stop();
  });
});

describe('a disk that does not answer', () => {
  it('start fails, the poll says so, and it registers on its own once the disk is back', async () => {
    const { clock, target, a } = pair('tgt');
    target.setOffline(true);
    expect((await a.start()).kind).toBe('failed');
    await clock.advance(100);
    expect(a.lastPoll()?.kind).toBe('failed');
    target.setOffline(false);
    await clock.advance(100);
    expect(a.lastPoll()?.kind).toBe('registered');
    a.stop();
  });

  it('NoSharedDisk fences nothing and never grants disk access', async () => {
    const n = new NoSharedDisk();
    expect((await n.start()).kind).toBe('failed');
    expect((await n.fencePeer()).kind).toBe('failed');
    expect(n.lastPoll().kind).toBe('failed');
    expect(n.snapshot().ourKey).toBeNull();
  });
});
