// One measured takeover: the client workload inserting through the VIP and the
// probe watching, a fault (or an operator command) at t0, then wait until the
// VIP answers ARP from the new holder and a postmaster started after t0
// answers SELECT 1, let the client recover, and collect its report.
// Shared by the takeover lab tests and the takeover bench.
import { readLog } from '../configs/daemons.ts';
import { lanMac } from './lan-view.ts';
import { TakeoverProbe } from './probe-driver.ts';
import type { WorkloadReport } from './report.ts';
import { Workload } from './workload-driver.ts';
import type { Controller } from '../topology.ts';
import { errorMessage } from '../../../hal/errors.ts';

/** Settle time with the workload running before the fault. */
const SETTLE_MS = 1500;

export interface TakeoverRun {
  readonly t0: number;
  /** Fault -> first ARP reply for the VIP from the new holder. */
  readonly vipMs: number;
  /** Fault -> first SELECT 1 through the VIP answered by a postmaster started after the fault. */
  readonly dbMs: number;
  /** Fault -> the client's first acknowledged INSERT after its outage. */
  readonly clientMs: number;
  /** MACs that answered ARP for the VIP after the fault (change events). */
  readonly arpMacs: readonly string[];
  readonly report: WorkloadReport;
}

export async function takeoverUnderLoad(
  to: Controller,
  fault: () => Promise<void>,
  timeoutMs = 60_000,
): Promise<TakeoverRun> {
  const mac = await lanMac(to);
  const workload = await Workload.start({ intervalMs: 5 });
  let probe: TakeoverProbe | undefined;
  try {
    probe = await TakeoverProbe.start(true);
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const t0 = Date.now();
    await fault();
    const arp = await probe.arpFrom(mac, t0, timeoutMs);
    const db = await probe.dbFromNewPostmaster(t0, timeoutMs);
    const recovered = await workload.recoveredAfter(t0, timeoutMs);
    await new Promise((r) => setTimeout(r, 500)); // some rows on the new holder too
    const report = await workload.finish();
    return {
      t0,
      vipMs: arp.t - t0,
      dbMs: db.t - t0,
      clientMs: recovered - t0,
      arpMacs: probe.arpMacsSince(t0),
      report,
    };
  } catch (err) {
    // Say what the daemons were doing: a bare timeout explains nothing.
    const tails = (['A', 'B'] as const)
      .map(
        (c) =>
          `${c}:\n` +
          readLog(c)
            .slice(-12)
            .map((l) => `  ${l.code} ${l.message}`)
            .join('\n'),
      )
      .join('\n');
    throw new Error(`${errorMessage(err)}\n${tails}`, { cause: err });
  } finally {
    await probe?.stop();
    await workload.finish(5000).catch(() => undefined);
  }
}
