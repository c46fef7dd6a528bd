// The failover drill's heartbeat path check (firmware/drill): one path stops
// sending for a while, so the peer's membership hears a silence on it while
// every other path carries on. The runtime asks before each send; nothing
// else changes (what is received is still read). A mute ends by itself: a
// drill that dies halfway never leaves a path silent.
import type { Clock } from '../../hal/clock/clock.ts';
import type { HeartbeatPath } from '../cluster/heartbeat-paths.ts';

export class PathMute {
  private readonly clock: Clock;
  /** Monotonic ms until which each muted path sends nothing. */
  private readonly until = new Map<HeartbeatPath, number>();

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** Send nothing on `path` for `ms` from now. */
  mute(path: HeartbeatPath, ms: number): void {
    this.until.set(path, this.clock.monotonicMs() + Math.max(0, ms));
  }

  muted(path: HeartbeatPath): boolean {
    const until = this.until.get(path);
    if (until === undefined) return false;
    if (this.clock.monotonicMs() < until) return true;
    this.until.delete(path);
    return false;
  }
}
