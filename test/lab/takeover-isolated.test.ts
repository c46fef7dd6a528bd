// The lease bound in practice: A runs the PostgreSQL group and loses every
// path to B and its own disk path at once (serial, private and sas-a cut; its
// LAN port stays up). A must stop serving and drop the VIP before B's
// takeover wait runs out: B's vip agent probes the LAN before adding the
// address and would refuse (VIP_IN_USE) if A still answered for it. No
// acknowledged row may be lost.
//
// A may stop in either of two legitimate ways, decided by which detector
// fires first (both run in parallel, see docs/failover.md "lease"): its disk
// I/O times out while the peer still looks alive with its disk (a graceful
// handover: releasing, then standby), or the peer goes dead on every path
// first (isolated: self-fence, VIP dropped first). Both must beat B.
import { afterAll, describe, expect, it } from 'vitest';
import { lanMac } from '../../tools/lab/client/lan-view.ts';
import { resetPair, startPgPair, started, toState } from '../../tools/lab/client/pg-pair.ts';
import { takeoverUnderLoad } from '../../tools/lab/client/takeover-run.ts';
import { readLog, waitForLine } from '../../tools/lab/configs/daemons.ts';
import { cut } from '../../tools/lab/faults.ts';
import { labOk } from './lab-helpers.ts';

const CUTS = ['serial', 'private', 'sas-a'] as const;

describe('A isolated (no peer path, no disk) while serving', () => {
  afterAll(async () => {
    for (const link of CUTS) await labOk(['heal', link]).catch(() => undefined);
    await resetPair();
  }, 120_000);

  it('A stops serving and drops the VIP before B takes it; no acknowledged row lost', async () => {
    await startPgPair();
    const macB = await lanMac('B');
    // In-process and concurrent, so the three cuts land within milliseconds.
    const r = await takeoverUnderLoad('B', async () => {
      await Promise.all(CUTS.map((link) => cut(link)));
    });
    const stoppedA = await waitForLine(
      'A',
      'A self-fenced or handed over (standby)',
      r.t0,
      (l) => toState('self-fenced')(l) || toState('standby')(l),
      5000,
    );
    const vipOffA = readLog('A').find(
      (l) => l.ts >= r.t0 && l.code === 'RESOURCE_STOPPED' && l.data?.['resource'] === 'vip',
    );
    const vipOnB = await waitForLine('B', 'B added the VIP', r.t0, started('vip'), 1000);
    expect(vipOffA).toBeDefined();
    expect(vipOffA!.ts).toBeLessThan(vipOnB.ts);
    expect(readLog('B').filter((l) => l.ts >= r.t0 && /VIP_IN_USE/.test(`${l.code} ${l.message}`))).toEqual(
      [],
    );
    expect(r.arpMacs).toEqual([macB]);
    expect(r.report.readback.ok).toBe(true);
    expect(r.report.missing).toEqual([]);
    console.log(
      `isolated: A ${String(stoppedA.data?.['to'])} +${stoppedA.ts - r.t0} ms, A dropped the VIP +${vipOffA!.ts - r.t0} ms, ` +
        `B added it +${vipOnB.ts - r.t0} ms, db ${r.dbMs} ms`,
    );
  }, 240_000);
});
