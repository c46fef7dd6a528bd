// Sign-in back-off: after a few wrong passwords for one user name, or from
// one address, the next attempt must wait, the wait doubling up to five
// minutes; a right password clears the name's count. Guessing stays slow
// without locking the real admin out for long. In memory: a restart of the
// web process forgets it, and the daemon's event log keeps every failure.

const FREE_TRIES = 3;
const BASE_MS = 1000;
const MAX_MS = 300_000;
/** Bounded memory: the oldest entries go first when a flood of names arrives. */
const MAX_KEYS = 4096;

interface Count {
  failures: number;
  until: number;
}

export class LoginGuard {
  private readonly counts = new Map<string, Count>();

  /** Milliseconds to wait before `name` may try from `address`; 0 when it may now. */
  waitMs(name: string, address: string, now: number): number {
    const wait = Math.max(this.until(`u:${name}`), this.until(`a:${address}`)) - now;
    return wait > 0 ? wait : 0;
  }

  failed(name: string, address: string, now: number): void {
    for (const key of [`u:${name}`, `a:${address}`]) {
      const c = this.counts.get(key) ?? { failures: 0, until: 0 };
      c.failures += 1;
      if (c.failures > FREE_TRIES)
        c.until = now + Math.min(MAX_MS, BASE_MS * 2 ** (c.failures - FREE_TRIES - 1));
      this.counts.delete(key);
      this.counts.set(key, c);
    }
    while (this.counts.size > MAX_KEYS) {
      const oldest = this.counts.keys().next().value;
      if (oldest === undefined) break;
      this.counts.delete(oldest);
    }
  }

  succeeded(name: string, address: string): void {
    this.counts.delete(`u:${name}`);
    this.counts.delete(`a:${address}`);
  }

  private until(key: string): number {
    return this.counts.get(key)?.until ?? 0;
  }
}
