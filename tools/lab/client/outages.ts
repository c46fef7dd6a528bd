// Turns a stream of statement outcomes into outages: an outage opens at the
// first failure after a success and closes at the next success, so its end is
// "the first successful statement after the outage".
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
    if (this.open !== null) {
      this.open.failures++;
      return false;
    }
    this.open = { lastOkAt: this.lastOkAt, failedAt: at, failures: 1, firstError: error };
    return true;
  }

  all(): Outage[] {
    return this.open === null ? [...this.closed] : [...this.closed, { ...this.open, recoveredAt: null }];
  }
}
