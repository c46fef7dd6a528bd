// SharedSgSession's reopen logic on SimClock, with scripted nodes in place of
// /dev/sgN: what counts as losing the node, the capped backoff, giving up
// after maxAttempts and coming back on the next ready(), and 'reconnected'.
import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import { HalError } from '../../../hal/errors.ts';
import { ScsiStatus, type ScsiCommand, type ScsiDevice, type ScsiResult } from '../../../hal/scsi/device.ts';
import { SgError } from '../../../hal/scsi/sg/errors.ts';
import { SharedSgSession } from '../../../firmware/fencing/shared-sg.ts';

const PATH = '/dev/sg3';
const TUR: ScsiCommand = { cdb: new Uint8Array(6), direction: 'none', timeoutMs: 1000 };
const GOOD: ScsiResult = {
  status: ScsiStatus.GOOD,
  sense: new Uint8Array(0),
  data: new Uint8Array(0),
  residual: 0,
};

/** A node whose next answers the test decides; open() fails while `present` is false. */
function rig(opts: { maxAttempts?: number } = {}) {
  const clock = new SimClock();
  const nodes: { answers: (ScsiResult | Error)[]; closed: boolean }[] = [];
  const state = { present: true, opens: 0 };
  const open = (path: string): Promise<ScsiDevice> => {
    state.opens++;
    if (!state.present) return Promise.reject(new SgError('disconnected', path, 'open failed: ENOENT'));
    const node = { answers: [] as (ScsiResult | Error)[], closed: false };
    nodes.push(node);
    return Promise.resolve({
      description: path,
      execute: () => {
        const next = node.answers.shift() ?? GOOD;
        return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
      },
      close: () => {
        node.closed = true;
        return Promise.resolve();
      },
    });
  };
  const session = new SharedSgSession({ path: PATH, clock, open, random: () => 0.5, ...opts });
  const events: string[] = [];
  session.on('lost', (e) => events.push(`lost ${e.code}`));
  session.on('reconnected', () => events.push('reconnected'));
  session.on('gave-up', () => events.push('gave-up'));
  session.on('reopen-failed', (_e, retryInMs) => events.push(`retry in ${retryInMs}`));
  return { clock, nodes, state, session, events };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
}

describe('SharedSgSession', () => {
  it('opens on the first ready(), once, and is its own device and DiskPath transport', async () => {
    const { session, state } = rig();
    expect(session.state).toBe('idle');
    await expect(session.execute(TUR)).rejects.toMatchObject({ code: 'disconnected' });
    await Promise.all([session.ready(), session.ready()]);
    expect(state.opens).toBe(1);
    expect(session.device).toBe(session);
    expect((await session.execute(TUR)).status).toBe(ScsiStatus.GOOD);
    const t = session.transport();
    expect(t.description).toBe(PATH);
    const view = await t.open();
    await view.close(); // DiskPath letting go leaves the session open for the fencer
    expect(session.state).toBe('open');
    expect((await view.execute(TUR)).status).toBe(ScsiStatus.GOOD);
  });

  it('a status or a busy HBA is not a loss: the node stays open', async () => {
    const { session, nodes, events } = rig();
    await session.ready();
    nodes[0]!.answers.push(
      { ...GOOD, status: ScsiStatus.RESERVATION_CONFLICT },
      new SgError('busy', PATH, 'host_status DID_BUS_BUSY'),
      new SgError('invalid-argument', PATH, 'cdb is 3 bytes'),
    );
    expect((await session.execute(TUR)).status).toBe(ScsiStatus.RESERVATION_CONFLICT);
    await expect(session.execute(TUR)).rejects.toMatchObject({ code: 'busy' });
    await expect(session.execute(TUR)).rejects.toMatchObject({ code: 'invalid-argument' });
    expect(session.state).toBe('open');
    expect(events).toEqual([]);
    expect(nodes[0]!.closed).toBe(false);
  });

  it.each(['disconnected', 'closed', 'timeout', 'io', 'protocol'] as const)(
    "'%s' loses the node: closed, reopened after the backoff, then 'reconnected'",
    async (code) => {
      const { clock, session, nodes, events } = rig();
      await session.ready();
      nodes[0]!.answers.push(new SgError(code, PATH, 'gone'));
      await expect(session.execute(TUR)).rejects.toMatchObject({ code });
      expect(session.state).toBe('reopening');
      expect(nodes[0]!.closed).toBe(true);
      await expect(session.ready()).rejects.toMatchObject({ code: 'busy' });
      await expect(session.execute(TUR)).rejects.toMatchObject({ code: 'disconnected' });
      await clock.advance(199);
      expect(nodes).toHaveLength(1);
      await clock.advance(1); // 200 ms: the first backoff with jitter 0.5
      expect(nodes).toHaveLength(2);
      expect(session.state).toBe('open');
      expect(events).toEqual([`lost ${code}`, 'reconnected']);
      expect((await session.execute(TUR)).status).toBe(ScsiStatus.GOOD);
    },
  );

  it('backs off exponentially up to the cap while the node is missing, then gives up and rests', async () => {
    const { clock, session, nodes, state, events } = rig({ maxAttempts: 6 });
    await session.ready();
    state.present = false;
    nodes[0]!.answers.push(new SgError('disconnected', PATH, 'ioctl(SG_IO) failed: ENODEV'));
    await rejection(session.execute(TUR));
    expect([0, 1, 2, 3, 4, 5].map((n) => session.backoffDelay(n))).toEqual([200, 400, 800, 1600, 2000, 2000]);
    const opensAt: number[] = [];
    for (let t = 0; t < 12_000; t += 100) {
      const before = state.opens;
      await clock.advance(100);
      if (state.opens > before) opensAt.push(clock.monotonicMs());
    }
    expect(opensAt).toEqual([200, 600, 1400, 3000, 5000, 7000]);
    expect(session.state).toBe('idle');
    expect(events).toEqual([
      'lost disconnected',
      'retry in 400',
      'retry in 800',
      'retry in 1600',
      'retry in 2000',
      'retry in 2000',
      'retry in null',
      'gave-up',
    ]);
    expect(clock.pendingTimers()).toBe(0); // resting: no timer runs on forever
    // The HBA is back; the next ready() (DiskPath's own retry) reopens, and it counts as a reconnect.
    state.present = true;
    await session.ready();
    expect(session.state).toBe('open');
    expect(events.slice(-2)).toEqual(['gave-up', 'reconnected']);
  });

  it('a failed first open leaves it idle for the next ready(), without a reconnect event', async () => {
    const { session, state, events } = rig();
    state.present = false;
    await expect(session.ready()).rejects.toMatchObject({ code: 'disconnected' });
    expect(session.state).toBe('idle');
    state.present = true;
    await session.ready();
    expect(events).toEqual([]);
  });

  it('close() stops reopening and closes the node; a reopen that lands afterwards is discarded', async () => {
    const { clock, session, nodes } = rig();
    await session.ready();
    nodes[0]!.answers.push(new HalError('timeout', PATH, 'no answer'));
    await rejection(session.execute(TUR));
    await session.close();
    await clock.advance(10_000);
    expect(nodes).toHaveLength(1);
    await expect(session.ready()).rejects.toMatchObject({ code: 'closed' });
    await expect(session.execute(TUR)).rejects.toMatchObject({ code: 'closed' });
  });

  it('refuses unbounded settings', () => {
    const clock = new SimClock();
    expect(() => new SharedSgSession({ path: PATH, clock, maxAttempts: 0 })).toThrow(RangeError);
    expect(() => new SharedSgSession({ path: PATH, clock, initialDelayMs: 500, maxDelayMs: 100 })).toThrow(
      RangeError,
    );
  });
});
