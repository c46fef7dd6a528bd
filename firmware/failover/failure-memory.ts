// Which groups failed here (gave up after their local restarts, or failed to
// start) and are kept off this controller for a while: Pacemaker's
// failure-timeout. The heartbeat lists them, so the peer's placement avoids
// handing them back (wire.ts failedGroupsHealth). While the peer cannot take
// such a group, it gets one last-resort start here, then the bounded retries
// of start-retry.ts once the peer has given a sign that the cause may have
// cleared.
import type { Clock } from '../../hal/clock/clock.ts';
import { START_RETRY_LIMIT, startRetryDelayMs, type StartWait } from './start-retry.ts';

interface Failure {
  /** The latest failure: the failure timeout and the retry back-off count from it. */
  readonly atMs: number;
  /** The one last-resort start (peer down, nobody else can run it) is spent. */
  lastResortUsed: boolean;
  /** Since the last-resort start began, the peer self-fenced, released the group or was confirmed down. */
  causeMayHaveCleared: boolean;
  /** Retries begun after that sign (start-retry.ts START_RETRY_LIMIT at most). */
  retries: number;
}

export class FailureMemory {
  private readonly clock: Clock;
  /** 0 = until an operator clears it (tandemctl cleanup). */
  private readonly timeoutMs: number;
  private readonly failed = new Map<string, Failure>();

  constructor(clock: Clock, timeoutMs: number) {
    this.clock = clock;
    this.timeoutMs = timeoutMs;
  }

  /** Failed here and not yet expired (sorted); expired entries are dropped as a side effect. */
  groups(): string[] {
    const now = this.clock.monotonicMs();
    for (const [g, f] of this.failed)
      if (this.timeoutMs > 0 && now - f.atMs >= this.timeoutMs) this.failed.delete(g);
    return [...this.failed.keys()].sort();
  }

  /** Returns true when anything was recorded. A new failure keeps what was spent on the old one. */
  record(groups: readonly string[], atMs: number): boolean {
    for (const g of groups) {
      const old = this.failed.get(g);
      this.failed.set(g, {
        atMs,
        lastResortUsed: old?.lastResortUsed ?? false,
        causeMayHaveCleared: old?.causeMayHaveCleared ?? false,
        retries: old?.retries ?? 0,
      });
    }
    return groups.length > 0;
  }

  /** Forget these groups (default: all); returns those forgotten. */
  clear(groups?: readonly string[]): string[] {
    const cleared = this.groups().filter((g) => groups === undefined || groups.includes(g));
    for (const g of cleared) this.failed.delete(g);
    return cleared;
  }

  /** It runs here now: the old failure no longer speaks against us. Returns true if one was dropped. */
  forget(group: string): boolean {
    return this.failed.delete(group);
  }

  /**
   * The peer self-fenced, released these groups (default: all) or was
   * confirmed down. Only a sign after a group's last-resort start began
   * counts: one from before is what that start already answered.
   */
  causeMayHaveCleared(groups?: readonly string[]): void {
    for (const [g, f] of this.failed)
      if ((groups === undefined || groups.includes(g)) && f.lastResortUsed) f.causeMayHaveCleared = true;
  }

  /**
   * What `group` waits for before it may start here, given that the peer
   * cannot take it; undefined if it did not fail here (or its failure expired).
   */
  wait(group: string): StartWait | undefined {
    if (!this.groups().includes(group)) return undefined;
    const f = this.failed.get(group);
    if (f === undefined) return undefined;
    if (!f.lastResortUsed) return { kind: 'last-resort' };
    if (!f.causeMayHaveCleared) return { kind: 'cause' };
    if (f.retries >= START_RETRY_LIMIT) return { kind: 'gave-up', retries: f.retries };
    const retry = f.retries + 1;
    const inMs = Math.max(0, f.atMs + startRetryDelayMs(retry) - this.clock.monotonicMs());
    return { kind: 'retry', retry, of: START_RETRY_LIMIT, inMs };
  }

  /**
   * May `group` start here? A group that failed here may not (it would only
   * fail again, and the peer should get it) with one exception: the peer
   * cannot take it (down, or alive but self-fenced, starting or without the
   * disk), so nobody else can run it. Then it gets one last-resort start per
   * failure, and after that the bounded, backed-off retries of
   * start-retry.ts once the peer has given a sign (so a group that keeps
   * failing for a reason of its own is not retried in a loop).
   */
  mayStart(group: string, failed: readonly string[], peerCannotTake: boolean): boolean {
    if (!failed.includes(group)) return true;
    if (!peerCannotTake) return false;
    const w = this.wait(group);
    return w !== undefined && (w.kind === 'last-resort' || (w.kind === 'retry' && w.inMs === 0));
  }

  /** A start begins: the last-resort start, or else a retry, is spent. */
  starting(group: string): void {
    const f = this.failed.get(group);
    if (f === undefined) return;
    if (!f.lastResortUsed) f.lastResortUsed = true;
    else if (f.causeMayHaveCleared) f.retries++;
  }
}
