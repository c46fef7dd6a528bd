// Lease timing: how long the standby waits after the last sign of the peer
// before it fences and takes over. Reasoning: docs/failover.md "Lease timing".
//
// An active that is isolated (no disk, no path) stops its groups by itself,
// once it has noticed both halves, which it learns in parallel: its own
// membership verdict (deadtime after the last beat IT heard, checked every
// interval) and its disk probe (one poll interval + the probe's I/O
// timeout). Its last beat that reached the standby may be up to one interval
// older than the cut. An active whose process stalled notices nothing; only
// the hardware watchdog stops it, at most one timeout after its last pet,
// and it pets in the same tick as it sends a heartbeat.
//
//   takeover_wait >= interval (skew) + max(deadtime + interval, interval + io_timeout) + stop_budget
//   with a watchdog: takeover_wait >= interval + watchdog_timeout + watchdog_margin
//   (sbd uses msgwait = 2 x watchdog for the same reason; the margin is the
//   board's, failover.watchdog.marginMs)

/**
 * Time allowed for a self-fencing active to drop its service address (the
 * only thing the disk reservation does not protect); its stop-groups-now
 * removes the VIPs first, an `ip address del` of a few milliseconds.
 */
export const DEFAULT_STOP_BUDGET_MS = 500;

export interface LeaseInputs {
  readonly intervalMs: number;
  readonly deadtimeMs: number;
  readonly ioTimeoutMs: number;
  readonly stopBudgetMs: number;
  /**
   * null when no hardware watchdog is used. marginMs is the slack on top of
   * the timeout until the board has surely stopped: the reset itself and the
   * timer's granularity (failover.watchdog.marginMs, the board's figure).
   */
  readonly watchdog: { readonly timeoutMs: number; readonly marginMs: number } | null;
}

/** From the isolated active's last beat the standby heard until it has noticed it is isolated. */
export function selfFenceDetectMs(i: LeaseInputs): number {
  return i.intervalMs + Math.max(i.deadtimeMs + i.intervalMs, i.intervalMs + i.ioTimeoutMs);
}

/** The first inequality: an isolated active has noticed and dropped its VIPs. */
export function isolatedBoundMs(i: LeaseInputs): number {
  return selfFenceDetectMs(i) + i.stopBudgetMs;
}

/** The second inequality (0 without a watchdog): a stalled active has been reset. */
export function stalledBoundMs(i: LeaseInputs): number {
  return i.watchdog === null ? 0 : i.intervalMs + i.watchdog.timeoutMs + i.watchdog.marginMs;
}

/** The bound itself: the earliest takeover, measured from the last beat heard. */
export function minTakeoverWaitMs(i: LeaseInputs): number {
  return Math.max(isolatedBoundMs(i), stalledBoundMs(i));
}

export interface LeaseIssue {
  readonly field: 'takeoverWaitMs';
  readonly message: string;
}

/** Check a proposed takeover wait against both inequalities. */
export function checkTakeoverWait(i: LeaseInputs, takeoverWaitMs: number): LeaseIssue | undefined {
  const isolated = isolatedBoundMs(i);
  if (takeoverWaitMs < isolated) {
    return {
      field: 'takeoverWaitMs',
      message: `must be >= self-fence detection + stop budget (${isolated} ms), or an isolated active may still hold the VIP`,
    };
  }
  if (i.watchdog !== null) {
    const stalled = stalledBoundMs(i);
    if (takeoverWaitMs < stalled) {
      return {
        field: 'takeoverWaitMs',
        message: `must be >= interval + watchdog timeout + its ${i.watchdog.marginMs} ms margin (${stalled} ms), or a stalled active may not have been reset yet`,
      };
    }
  }
  return undefined;
}

// The other waits derived from the heartbeat timing, each said once here so
// the docs (docs/failover.md, generated and checked by a unit test) show the
// numbers the firmware uses. failover/machine.ts (free-group settling,
// release memory) and controller/controller.ts (GROUP_DOWN grace, the
// shutdown's wait for the peer's claim) still compute them inline and should
// call these instead.

/** How long a group nobody runs must stay free before we start it (the peer's claim may be on its way); none for a group the peer released to us (free-groups.ts). */
export function freeGroupSettleMs(t: { readonly intervalMs: number }): number {
  return 3 * t.intervalMs;
}

/** How long a release (switchover, failback, disk handover), or our own join, is remembered when placing free groups. */
export function handoverWindowMs(t: { readonly deadtimeMs: number }): number {
  return 2 * t.deadtimeMs;
}

/** How long a daemon stopping after a switchover keeps heartbeating until the peer's heartbeat claims the groups. */
export function peerClaimWaitMs(t: { readonly deadtimeMs: number }): number {
  return 2 * t.deadtimeMs;
}

/**
 * How long a group may stay unowned before GROUP_DOWN: detection and lease
 * (the takeover wait), the second fencer's delay, and the settling of a free
 * group after a join (the handover window).
 */
export function groupDownGraceMs(s: {
  readonly takeoverWaitMs: number;
  readonly fenceDelayMs: number;
  readonly deadtimeMs: number;
}): number {
  return s.takeoverWaitMs + s.fenceDelayMs + handoverWindowMs(s);
}
