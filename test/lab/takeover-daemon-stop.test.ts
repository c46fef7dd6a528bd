// A clean stop of the daemon (SIGTERM, as the init script or an operator
// sends) on the active controller hands its groups to the peer instead of
// leaving them running behind the peer's back: A stops PostgreSQL, the
// filesystem and the VIP (SHUTDOWN_HANDOVER), B starts the group as one A
// released (no fence needed), and no acknowledged row is lost; A then says
// `stopping`, so its silence is no failure and B never fences it. A's daemon
// started again finds nothing left over and joins as standby.
import { afterAll, describe, expect, it } from 'vitest';
import { lanMac } from '../../tools/lab/client/lan-view.ts';
import { resetPair, startPgDaemon, startPgPair, started, toState } from '../../tools/lab/client/pg-pair.ts';
import { takeoverUnderLoad } from '../../tools/lab/client/takeover-run.ts';
import { readLog, waitForLine, type LogLine } from '../../tools/lab/configs/daemons.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { labOk } from './lab-helpers.ts';

/** Longer than the lab's lease after deadtime (docs/failover.md, Derived waits): a fence would have begun. */
const LEASE_PAST_MS = 3000;

/** B's transition on `event` that says the peer stopped cleanly (table.ts stoppedPeer). */
function stoppedPeer(event: string): (l: LogLine) => boolean {
  return (l) =>
    l.code === 'FAILOVER_TRANSITION' &&
    l.data?.['event'] === event &&
    l.message.includes('stopped its daemon cleanly');
}

describe('daemon stopped cleanly on the active controller', () => {
  afterAll(async () => {
    await resetPair();
  }, 120_000);

  it('hands the group to B (no fence), loses no acknowledged row, and A rejoins as standby', async () => {
    await startPgPair();
    const macB = await lanMac('B');
    const r = await takeoverUnderLoad('B', async () => {
      await labOk(['stop', 'A']);
    });
    const logA = readLog('A').filter((l) => l.ts >= r.t0);
    expect(logA.map((l) => l.code)).toContain('SHUTDOWN_HANDOVER');
    const pgStoppedA = logA.find((l) => l.code === 'RESOURCE_STOPPED' && l.data?.['resource'] === 'pg');
    const fsStoppedA = logA.find((l) => l.code === 'RESOURCE_STOPPED' && l.data?.['resource'] === 'data');
    expect(pgStoppedA).toBeDefined();
    expect(fsStoppedA).toBeDefined();
    const fsStartedB = await waitForLine('B', 'B mounted', r.t0, started('data'), 5000);
    // B mounts only after A unmounted, and never fenced A: it was a handover.
    expect(fsStartedB.ts).toBeGreaterThanOrEqual(fsStoppedA!.ts);
    // A's last heartbeats said `stopping`: B reads A's silence as that stop
    // (past deadtime), not a failure, and neither waits out a lease nor fences.
    expect(logA.some(toState('stopping'))).toBe(true);
    await waitForLine('B', 'B saw A stop', r.t0, stoppedPeer('peer-dead'), 10_000);
    await sleep(LEASE_PAST_MS);
    expect(readLog('B').filter((l) => l.ts >= r.t0 && toState('fencing')(l))).toEqual([]);
    expect(readLog('B').filter((l) => l.ts >= r.t0 && l.code === 'TAKEOVER')).toEqual([]);
    expect(r.arpMacs).toEqual([macB]);
    expect(r.report.readback.ok).toBe(true);
    expect(r.report.missing).toEqual([]);
    console.log(`clean stop of A: vip on B ${r.vipMs} ms, db ${r.dbMs} ms, client ${r.clientMs} ms`);

    const back = Date.now();
    await startPgDaemon('A');
    await waitForLine('A', 'A standby', back, toState('standby'), 30_000);
    expect(readLog('A').some((l) => l.code === 'GROUP_LEFTOVERS')).toBe(false);
  }, 240_000);
});
