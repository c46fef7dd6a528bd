// The peer command channel in the simulated box: built by buildController on
// the sim datagram network, started and stopped with the controller. A asks
// B for its status; once B is killed, A's request is a timeout Outcome, and
// the heartbeats kept their pace meanwhile.
import { afterEach, describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import type { StatusReport } from '../../../firmware/status/snapshot.ts';
import { SimBox } from '../../../firmware/sim/box.ts';

describe('peer command channel in the simulated box', () => {
  let box: SimBox | undefined;
  afterEach(async () => {
    await box?.stop();
    box = undefined;
  });

  it('A runs status on B; a killed B is a timeout naming it', async () => {
    const clock = new SimClock();
    box = new SimBox({ clock });
    box.start();
    await clock.advance(2000);
    const a = box.controller('A');
    if (a === undefined) throw new Error('A is not running');
    expect(a.peer.bound).toBe(true);
    const asking = a.peer.run('status', {}, { timeoutMs: 1000 });
    await clock.advance(200);
    const outcome = await asking;
    expect(outcome.ok).toBe(true);
    const report = (outcome.ok ? outcome.data : null) as StatusReport | null;
    expect(report?.controller).toBe('B');
    expect(report?.state).toBe('standby');

    const refused = a.peer.run('switchover', {}, { timeoutMs: 1000 });
    await clock.advance(200);
    expect(await refused).toEqual({
      ok: false,
      error: 'peer B: command: switchover may not come from the peer',
    });

    await box.kill('B');
    const sent = a.runtime.counters().sent;
    const silent = a.peer.run('status', {}, { timeoutMs: 1500 });
    await clock.advance(2000);
    const late = await silent;
    expect(late.ok).toBe(false);
    expect(!late.ok && late.error).toMatch(/^peer B: no answer to status within 1500 ms/);
    expect(a.runtime.counters().sent - sent).toBeGreaterThan(0);
  });
});
