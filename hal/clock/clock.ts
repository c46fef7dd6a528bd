// Time as the firmware sees it. Every timeout in the firmware goes through a
// Clock, so the deterministic simulation can run both controllers on one
// virtual timeline.

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Monotonic milliseconds; never jumps with wall-clock changes. */
  monotonicMs(): number;
  /** Wall-clock milliseconds since the epoch, for logs and events only. */
  wallMs(): number;
  /** Run `fn` once after `ms`. */
  after(ms: number, fn: () => void): TimerHandle;
  /** Run `fn` every `ms`, first after `ms`. */
  every(ms: number, fn: () => void): TimerHandle;
  /** Resolve after `ms`. */
  sleep(ms: number): Promise<void>;
}
