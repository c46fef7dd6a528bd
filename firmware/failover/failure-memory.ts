// Which groups failed here (gave up after their local restarts, or failed to
// start) and are kept off this controller for a while: Pacemaker's
// failure-timeout. The heartbeat lists them, so the peer's placement avoids
// handing them back (wire.ts failedGroupsHealth).
import type { Clock } from '../../hal/clock/clock.ts';

interface Failure {
  readonly atMs: number;
  /** The one last-resort start (peer down, nobody else can run it) is spent. */
  lastResortUsed: boolean;
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

  /** Returns true when anything was recorded. */
  record(groups: readonly string[], atMs: number): boolean {
    for (const g of groups)
      this.failed.set(g, { atMs, lastResortUsed: this.failed.get(g)?.lastResortUsed ?? false });
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
   * May `group` start here? A group that failed here may not (it would only
   * fail again, and the peer should get it) with one exception: the peer
   * cannot take it (down, or alive but self-fenced, starting or without the
   * disk), so nobody else can run it. Then it gets one last-resort start per
   * failure, so a group that keeps failing is not retried in a loop.
   */
  mayStart(group: string, failed: readonly string[], peerCannotTake: boolean): boolean {
    if (!failed.includes(group)) return true;
    const f = this.failed.get(group);
    return peerCannotTake && f !== undefined && !f.lastResortUsed;
  }

  /** A start begins: a last-resort start is spent. */
  starting(group: string): void {
    const f = this.failed.get(group);
    if (f !== undefined) f.lastResortUsed = true;
  }
}
