// The failover machine's settings from the configuration file (the controller
// turns config into settings, so failover never reads config itself). The takeover wait
// is derived (lease.ts), never configured, from the timing this controller
// really uses, including the I/O timeout of its disk probe.
import type { ControllerId } from '../cluster/codes.ts';
import type { HeartbeatTiming } from '../cluster/timing.ts';
import type { TandemConfig } from '../config/schema.ts';
import type { FailoverSettings } from '../failover/machine.ts';
import { SCSI_IO_TIMEOUT_MS } from '../../hal/scsi/device.ts';
import { DEFAULT_STOP_BUDGET_MS, minTakeoverWaitMs } from '../failover/lease.ts';

/**
 * The registration poll is the disk probe, and its commands time out after
 * this: a deadtime, at most the SCSI I/O timeout. A command answered within
 * it is slow, not lost (failover/disk-access.ts): under load an iSCSI target
 * on a busy CPU answers in hundreds of ms, and a timeout ends the whole
 * session (ERL 0), so a shorter timeout turned latency into a lost disk. The
 * disk is lost after a deadtime without an answer anyway, so a longer
 * timeout than that would tell nothing more.
 */
export function probeTimeoutMs(timing: HeartbeatTiming): number {
  return Math.min(SCSI_IO_TIMEOUT_MS, timing.deadtimeMs);
}

export function failoverSettings(
  cfg: TandemConfig,
  self: ControllerId,
  timing: HeartbeatTiming,
): FailoverSettings {
  const f = cfg.failover;
  const watchdog = f.watchdog.enabled
    ? { timeoutMs: f.watchdog.timeoutS * 1000, marginMs: f.watchdog.marginMs }
    : null;
  return {
    self,
    policy: f.policy,
    groups: cfg.groups.map((g) => ({ name: g.name, preferred: g.preferred })),
    timing,
    autoFailback: { enabled: f.autoFailback.enabled, delayMs: f.autoFailback.delayMs },
    fenceDelayMs: f.fenceDelayMs,
    takeoverWaitMs: minTakeoverWaitMs({
      intervalMs: timing.intervalMs,
      deadtimeMs: timing.deadtimeMs,
      ioTimeoutMs: probeTimeoutMs(timing),
      stopBudgetMs: DEFAULT_STOP_BUDGET_MS,
      watchdog,
    }),
    watchdogTimeoutS: f.watchdog.timeoutS,
    failureTimeoutMs: f.failureTimeoutMs,
  };
}
