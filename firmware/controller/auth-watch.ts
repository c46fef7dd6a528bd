// Which heartbeat paths carry well-framed messages that fail authentication
// (a bad MAC: another cluster key; another box id), read from the runtime's
// rejection counters. Such a path is silent to membership, like a cut cable,
// but its cause is a configuration that differs between the controllers, so
// the alarms must say so rather than blame the cable.
//
// A path is 'suspect' from its first refused message after the last accepted
// one, and 'failing' once the refusals have gone on for the window (deadtime:
// the time membership takes to call a silent path down). An accepted
// heartbeat on the path ends it; so does a window without any refusal (the
// sender went quiet: from then on the path is just silent).
import type { Clock } from '../../hal/clock/clock.ts';
import type { HeartbeatPath } from '../cluster/heartbeat-paths.ts';
import type { RuntimeCounters } from '../heartbeat/runtime.ts';

/** The rejection reasons that mean "the sender does not share our key or box id". */
export const AUTH_REASONS = ['bad-mac', 'wrong-box'] as const;

/** Fewer refusals than this in a window is a stray message, not a configuration. */
const MIN_REFUSALS = 3;

export type AuthState = 'ok' | 'suspect' | 'failing';

interface Streak {
  since: number;
  lastMs: number;
  counts: Record<string, number>;
}

export class AuthWatch {
  private readonly counters: () => RuntimeCounters;
  private readonly clock: Clock;
  private readonly windowMs: number;
  private readonly seenAccepted = new Map<HeartbeatPath, number>();
  private readonly seenRefused = new Map<HeartbeatPath, Record<string, number>>();
  private readonly streaks = new Map<HeartbeatPath, Streak>();

  constructor(counters: () => RuntimeCounters, clock: Clock, windowMs: number) {
    this.counters = counters;
    this.clock = clock;
    this.windowMs = windowMs;
  }

  /** Read the counters once; call every heartbeat interval. */
  poll(): void {
    const c = this.counters();
    const now = this.clock.monotonicMs();
    const paths = new Set([...Object.keys(c.accepted), ...Object.keys(c.rejected)] as HeartbeatPath[]);
    for (const path of paths) {
      const accepted = c.accepted[path] ?? 0;
      const refused = c.rejected[path] ?? {};
      const before = this.seenRefused.get(path) ?? {};
      const acceptedNow = accepted > (this.seenAccepted.get(path) ?? 0);
      this.seenAccepted.set(path, accepted);
      this.seenRefused.set(path, { ...refused });
      if (acceptedNow) {
        this.streaks.delete(path);
        continue;
      }
      for (const reason of AUTH_REASONS) {
        const n = (refused[reason] ?? 0) - (before[reason] ?? 0);
        if (n <= 0) continue;
        const s = this.streaks.get(path) ?? { since: now, lastMs: now, counts: {} };
        s.lastMs = now;
        s.counts[reason] = (s.counts[reason] ?? 0) + n;
        this.streaks.set(path, s);
      }
      const s = this.streaks.get(path);
      if (s !== undefined && now - s.lastMs >= this.windowMs) this.streaks.delete(path);
    }
  }

  state(path: HeartbeatPath): AuthState {
    const s = this.streaks.get(path);
    if (s === undefined) return 'ok';
    const total = Object.values(s.counts).reduce((a, b) => a + b, 0);
    return total >= MIN_REFUSALS && this.clock.monotonicMs() - s.since >= this.windowMs
      ? 'failing'
      : 'suspect';
  }

  /** The refusals counted on `path` since its last accepted heartbeat, by reason. */
  refusals(path: HeartbeatPath): Readonly<Record<string, number>> {
    return { ...this.streaks.get(path)?.counts };
  }
}
