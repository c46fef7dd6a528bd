// Whether this controller reaches the shared disk, judged from the fencer's
// registration poll as sbd judges its disk: a slow disk is not a lost one.
// One failed poll does not lose the disk; the disk is lost once a poll has
// failed AND no poll has been answered for `lossMs` (the heartbeat's
// deadtime: the same patience a heartbeat path gets before it is down).
// An answer that is merely late (a command still in flight within its I/O
// timeout) is no failure at all. Under a loaded CPU or a busy target one
// late command used to flip the active to `releasing`, handing its groups to
// a peer that had nothing wrong with it.
//
// Bound (docs/failover.md, Lease timing): after a real cut at time c, the
// last answer is before c and the first failure comes at most one poll
// interval plus the probe's I/O timeout after c, so the disk is lost by
// max(c + interval + io_timeout, c + lossMs), plus one timer tick.
import type { Clock, TimerHandle } from '../../hal/clock/clock.ts';

export interface DiskAccessOptions {
  readonly clock: Clock;
  /** No answer for this long after a failure: the disk is lost. */
  readonly lossMs: number;
  /** The verdict changed to lost (reachable again is the caller's, on an answer). */
  readonly lost: (detail: string) => void;
}

export class DiskAccess {
  private readonly o: DiskAccessOptions;
  private lastAnswerMs: number | undefined;
  private failure: string | undefined;
  private timer: TimerHandle | undefined;

  constructor(options: DiskAccessOptions) {
    if (!(options.lossMs > 0)) throw new RangeError(`lossMs must be > 0, got ${options.lossMs}`);
    this.o = options;
  }

  /** The disk answered a poll (whatever it said): it is reachable now. */
  answered(): void {
    this.lastAnswerMs = this.o.clock.monotonicMs();
    this.failure = undefined;
    this.cancel();
  }

  /**
   * A poll failed (an I/O error, a timeout, a session down). Returns true when
   * the disk is lost now; otherwise the verdict waits until `lossMs` after
   * the last answer, and an answer before then cancels it.
   */
  failed(detail: string): boolean {
    this.failure = detail;
    const now = this.o.clock.monotonicMs();
    const dueAt = this.lastAnswerMs === undefined ? now : this.lastAnswerMs + this.o.lossMs;
    if (dueAt <= now) {
      this.cancel();
      return true;
    }
    if (this.timer === undefined)
      this.timer = this.o.clock.after(dueAt - now, () => {
        // Judged one tick later, as membership does: after a stall of our own,
        // a poll answer already waiting in a socket is read first.
        this.timer = this.o.clock.after(0, () => {
          this.timer = undefined;
          const failure = this.failure;
          if (failure === undefined) return;
          this.o.lost(`${failure} (no answer from the disk for ${this.o.lossMs} ms)`);
        });
      });
    return false;
  }

  stop(): void {
    this.cancel();
  }

  private cancel(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }
}
