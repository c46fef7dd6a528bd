// Lease timing: how long the standby waits after the last sign of the peer
// before it fences and takes over. Reasoning: docs/failover.md "Lease timing".
//
// An active that is isolated (no disk, no path) stops its groups by itself,
// but only once it has noticed: its own membership verdict (deadtime after
// the last beat IT heard, which may be one interval later than the last beat
// the standby heard), its disk probe (one poll interval + the I/O timeout),
// then the stop of the VIP. An active whose process stalled notices nothing;
// only the hardware watchdog stops it, at most one timeout after its last
// pet, and it pets in the same tick as it sends a heartbeat.
//
//   takeover_wait >= deadtime + selffence_detect + stop_budget
//       selffence_detect = interval (skew) + interval (disk poll) + io_timeout
//   with a watchdog: takeover_wait >= interval + watchdog_timeout + margin
//   (sbd uses msgwait = 2 x watchdog for the same reason)

/** Time allowed to drop the VIP and abort I/O once a self-fence is decided. */
export const DEFAULT_STOP_BUDGET_MS = 500;
/** Slack on top of the watchdog timeout (clock drift, reset latency). */
export const WATCHDOG_MARGIN_MS = 1000;
/** sbd's I/O timeout; hal/scsi/commands.ts DEFAULT_TIMEOUT_MS. */
export const DEFAULT_IO_TIMEOUT_MS = 3000;

export interface LeaseInputs {
  readonly intervalMs: number;
  readonly deadtimeMs: number;
  readonly ioTimeoutMs: number;
  readonly stopBudgetMs: number;
  /** null when no hardware watchdog is used. */
  readonly watchdogTimeoutMs: number | null;
}

export function selfFenceDetectMs(i: LeaseInputs): number {
  return 2 * i.intervalMs + i.ioTimeoutMs;
}

/** The bound itself: the earliest takeover, measured from the last beat heard. */
export function minTakeoverWaitMs(i: LeaseInputs): number {
  const isolated = i.deadtimeMs + selfFenceDetectMs(i) + i.stopBudgetMs;
  const stalled = i.watchdogTimeoutMs === null ? 0 : i.intervalMs + i.watchdogTimeoutMs + WATCHDOG_MARGIN_MS;
  return Math.max(isolated, stalled);
}

export interface LeaseIssue {
  readonly field: 'takeoverWaitMs';
  readonly message: string;
}

/** Check a proposed takeover wait against both inequalities. */
export function checkTakeoverWait(i: LeaseInputs, takeoverWaitMs: number): LeaseIssue | undefined {
  const isolated = i.deadtimeMs + selfFenceDetectMs(i) + i.stopBudgetMs;
  if (takeoverWaitMs < isolated) {
    return {
      field: 'takeoverWaitMs',
      message: `must be >= deadtime + self-fence detection + stop budget (${isolated} ms), or an isolated active may still hold the VIP`,
    };
  }
  if (i.watchdogTimeoutMs !== null) {
    const stalled = i.intervalMs + i.watchdogTimeoutMs + WATCHDOG_MARGIN_MS;
    if (takeoverWaitMs < stalled) {
      return {
        field: 'takeoverWaitMs',
        message: `must be >= interval + watchdog timeout + ${WATCHDOG_MARGIN_MS} ms (${stalled} ms), or a stalled active may not have been reset yet`,
      };
    }
  }
  return undefined;
}
