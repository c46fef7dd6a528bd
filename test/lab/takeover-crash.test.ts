// Issue 6 acceptance, crash: the real daemons run the PostgreSQL group
// (tools/lab/configs/pg-{a,b}.json: reservation, data volume, VIP,
// PostgreSQL; watchdog 1 s) on A while the client inserts through the VIP.
// (a) A powered off: B takes over; every acknowledged row is there; the
// client's ARP entry for the VIP points at B.
// (b) only A's firmware killed -9: A's PostgreSQL keeps serving until the
// lab's watchdog stand-in powers A off; B must not mount the data volume
// before that (log timestamps), and again no acknowledged row is lost.
import { afterAll, describe, expect, it } from 'vitest';
import { clientNeighbour, lanMac } from '../../tools/lab/client/lan-view.ts';
import { resetPair, startPgPair, started, watchdogPowerOffAt } from '../../tools/lab/client/pg-pair.ts';
import { takeoverUnderLoad, type TakeoverRun } from '../../tools/lab/client/takeover-run.ts';
import { readLog, waitForLine } from '../../tools/lab/configs/daemons.ts';
import { powerOff } from '../../tools/lab/power.ts';
import { firmwarePid } from '../../tools/lab/firmware.ts';
import { signalGroup } from '../../tools/lab/procs.ts';

function expectNoLoss(r: TakeoverRun): void {
  expect(r.report.readback.ok).toBe(true);
  expect(r.report.acknowledged).toBeGreaterThan(100);
  expect(r.report.missing).toEqual([]);
}

describe('takeover after a crash of A, under client load', () => {
  afterAll(async () => {
    await resetPair();
  }, 120_000);

  it('A powered off: B serves every acknowledged row; the client ARPs to B', async () => {
    await startPgPair();
    const macB = await lanMac('B');
    const r = await takeoverUnderLoad('B', async () => {
      await powerOff('A');
    });
    expectNoLoss(r);
    expect(r.arpMacs).toEqual([macB]);
    expect((await clientNeighbour())?.mac).toBe(macB);
    await waitForLine('B', 'B ran PostgreSQL', r.t0, started('pg'), 1000);
    console.log(`power-off: vip ${r.vipMs} ms, db ${r.dbMs} ms, client ${r.clientMs} ms`);
  }, 240_000);

  it('A firmware killed -9: B mounts only after the watchdog powered A off', async () => {
    await startPgPair();
    const macB = await lanMac('B');
    const r = await takeoverUnderLoad('B', () => {
      const pid = firmwarePid('A');
      if (pid === null) throw new Error('A has no firmware');
      signalGroup(pid, 'SIGKILL'); // what `lab kill A` does
      return Promise.resolve();
    });
    expectNoLoss(r);
    // A's PostgreSQL outlived its firmware: the client kept getting acks from A after t0.
    const offAt = await watchdogPowerOffAt('A', r.t0);
    expect(offAt).not.toBeNull();
    const mountedOnB = readLog('B').find((l) => l.ts >= r.t0 && started('data')(l));
    expect(mountedOnB).toBeDefined();
    expect(mountedOnB!.ts).toBeGreaterThan(offAt!);
    const firstOutage = r.report.outages.find((o) => o.failedAt >= r.t0);
    expect(firstOutage?.lastOkAt ?? 0).toBeGreaterThan(r.t0);
    expect((await clientNeighbour())?.mac).toBe(macB);
    console.log(
      `kill: watchdog power-off +${offAt! - r.t0} ms, B mounted +${mountedOnB!.ts - r.t0} ms, vip ${r.vipMs} ms, db ${r.dbMs} ms`,
    );
  }, 240_000);
});
