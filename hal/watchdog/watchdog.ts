// The watchdog contract, after Linux's /dev/watchdog: opening arms it, every
// keepalive restarts the countdown, and only a "magic close" disarms it. A
// process that dies without the magic close leaves the watchdog armed, so the
// hardware resets the controller: that is the point of having one.

export interface Watchdog {
  /** Device name for logs. */
  readonly description: string;
  /** Arm the watchdog. */
  open(): Promise<void>;
  /** Restart the countdown. */
  keepalive(): Promise<void>;
  /** Ask for a timeout in seconds; resolves with what the device granted. */
  setTimeoutSeconds(seconds: number): Promise<number>;
  getTimeoutSeconds(): Promise<number>;
  /**
   * Close the device. With magic = true the watchdog is disarmed (the 'V'
   * magic close); with magic = false it stays armed and will fire.
   */
  close(magic: boolean): Promise<void>;
}
