// Turns a stream of statement outcomes into outages: an outage opens at the
// first failure after a success and closes at the next success, so its end is
// "the first successful statement after the outage". Failures before the
// first success are no outage (nothing was being served yet, and an outage
// needs a last good statement to start from): they are only counted.
import type { Outage } from './report.ts';

interface OpenOutage {
  lastOkAt: number;
  failedAt: number;
  failures: number;
  firstError: string;
}

export class OutageTracker {
  private lastOkAt = 0;
  private open: OpenOutage | null = null;
  private readonly closed: Outage[] = [];
  private before = 0;

  /** Returns the closed outage if this success ended one. */
  ok(at: number): Outage | null {
    this.lastOkAt = at;
    const o = this.open;
    if (o === null) return null;
    this.open = null;
    const done: Outage = { ...o, recoveredAt: at };
    this.closed.push(done);
    return done;
  }

  /** Returns true if this failure opened a new outage. */
  failed(at: number, error: string): boolean {
    if (this.lastOkAt === 0) {
      this.before++;
      return false;
    }
    if (this.open !== null) {
      this.open.failures++;
      return false;
    }
    this.open = { lastOkAt: this.lastOkAt, failedAt: at, failures: 1, firstError: error };
    return true;
  }

  /** Failures before the first success (the database not yet reachable when the client started). */
  failedBeforeFirstOk(): number {
    return this.before;
  }

  all(): Outage[] {
    return this.open === null ? [...this.closed] : [...this.closed, { ...this.open, recoveredAt: null }];
  }
}
