// The shared session over SG_IO (the box: the enclosure's LUN as /dev/sgN
// behind the controller's SAS HBA). One open node per controller, like the
// iSCSI session, and like it, it comes back by itself after it is lost.
//
// Lost means the node stopped working, not that a command failed: the worker
// died or the fd went stale ('closed'; 'disconnected': ENODEV, DID_NO_CONNECT,
// as after an HBA reset or a pulled cable), or the HBA stopped answering
// ('timeout', 'io', 'protocol'). A status (RESERVATION CONFLICT, a sense
// key) is the target talking and 'busy' passes; neither is a loss. On a loss
// the node is closed and reopened after a capped, jittered exponential
// backoff, at most maxAttempts times; then the session rests ('idle') and the
// next ready() (DiskPath asks again on its own backoff) starts afresh, so a
// controller whose HBA was reset comes back without a timer that never ends.
//
// On SAS the I_T nexus is the HBA port pair, so a reopen keeps our
// registration; but while we were away the peer may have preempted us, and a
// reset LUN reports UA 29. So a reopen after a loss emits 'reconnected', as
// IscsiInitiator does, and the reservation manager checks its key again.
import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '../../hal/clock/clock.ts';
import { HalError, type HalErrorCode, asError } from '../../hal/errors.ts';
import type { ScsiCommand, ScsiDevice, ScsiResult } from '../../hal/scsi/device.ts';
import { openSgDevice } from '../../hal/scsi/sg/sg-device.ts';
import type { DiskTransport } from '../heartbeat/disk-path.ts';
import { sharedTransport, type SharedDisk } from './shared-transport.ts';

export type SharedSgState = 'idle' | 'opening' | 'open' | 'reopening' | 'closed';

export interface SharedSgEvents {
  /** The node stopped working; reopening starts. */
  lost: [error: HalError];
  /** A reopen failed; the next one follows after retryInMs (null: giving up). */
  'reopen-failed': [error: Error, retryInMs: number | null];
  /** Open again after a loss: re-check the registration. */
  reconnected: [];
  /** maxAttempts reopens failed; the next ready() tries again. */
  'gave-up': [error: Error];
}

export interface SharedSgOptions {
  /** The node, e.g. /dev/sg2 (absolute; openSgDevice checks). */
  readonly path: string;
  readonly clock: Clock;
  /** Opens the node; default openSgDevice. Tests pass the sim kernel's. */
  readonly open?: (path: string) => Promise<ScsiDevice>;
  /** Backoff before reopen n (0-based): initial × 2^n, capped at max, ±20 %. */
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Reopens tried after a loss before resting until the next ready(). */
  readonly maxAttempts?: number;
  /** [0, 1) source for the jitter; injectable for tests. */
  readonly random?: () => number;
}

const LOSS: ReadonlySet<HalErrorCode> = new Set(['closed', 'disconnected', 'timeout', 'io', 'protocol']);

/** execute() resolves with any SCSI status, so a HalError from it is about the node or the HBA. */
function isLoss(err: unknown): err is HalError {
  return err instanceof HalError && LOSS.has(err.code);
}

function bounded(name: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new RangeError(`${name} must be an integer in ${min}..${max}, got ${v}`);
  }
  return v;
}

export class SharedSgSession extends EventEmitter<SharedSgEvents> implements ScsiDevice, SharedDisk {
  readonly description: string;
  private readonly path: string;
  private readonly clock: Clock;
  private readonly openNode: (path: string) => Promise<ScsiDevice>;
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxAttempts: number;
  private readonly random: () => number;
  private stateValue: SharedSgState = 'idle';
  private dev: ScsiDevice | undefined;
  private opening: Promise<void> | undefined;
  private timer: TimerHandle | undefined;
  private attempts = 0;
  /** Set by a loss: the next successful open is a reconnect. */
  private wasLost = false;

  constructor(opts: SharedSgOptions) {
    super();
    this.path = opts.path;
    this.description = opts.path;
    this.clock = opts.clock;
    this.openNode = opts.open ?? ((path) => openSgDevice({ path }));
    this.initialDelayMs = bounded('initialDelayMs', opts.initialDelayMs ?? 200, 1, 60_000);
    this.maxDelayMs = bounded('maxDelayMs', opts.maxDelayMs ?? 2000, this.initialDelayMs, 600_000);
    this.maxAttempts = bounded('maxAttempts', opts.maxAttempts ?? 8, 1, 1000);
    this.random = opts.random ?? Math.random;
  }

  get state(): SharedSgState {
    return this.stateValue;
  }

  get device(): ScsiDevice {
    return this;
  }

  /** Open the node if nobody has yet; rejects while a reopen is under way. */
  ready(): Promise<void> {
    switch (this.stateValue) {
      case 'open':
        return Promise.resolve();
      case 'idle':
        return this.openNow();
      case 'opening':
        return this.opening ?? Promise.reject(new HalError('busy', this.description, 'open under way'));
      case 'reopening':
        return Promise.reject(new HalError('busy', this.description, 'reopening after a lost device'));
      case 'closed':
        return Promise.reject(new HalError('closed', this.description, 'session closed'));
    }
  }

  transport(): DiskTransport {
    return sharedTransport(this, () => this.ready());
  }

  execute(cmd: ScsiCommand): Promise<ScsiResult> {
    const dev = this.dev;
    if (dev === undefined) {
      const closed = this.stateValue === 'closed';
      const why = closed ? 'session closed' : `not open (${this.stateValue})`;
      return Promise.reject(new HalError(closed ? 'closed' : 'disconnected', this.description, why));
    }
    return dev.execute(cmd).catch((err: unknown) => {
      if (isLoss(err) && this.dev === dev) this.lose(dev, err);
      throw err;
    });
  }

  async close(): Promise<void> {
    this.stateValue = 'closed';
    this.timer?.cancel();
    this.timer = undefined;
    const dev = this.dev;
    this.dev = undefined;
    await dev?.close().catch(() => undefined);
  }

  private openNow(): Promise<void> {
    this.stateValue = 'opening';
    const run = this.openNode(this.path).then(
      (dev) => {
        this.opening = undefined;
        this.adopt(dev);
      },
      (err: unknown) => {
        this.opening = undefined;
        if (this.stateValue === 'opening') this.stateValue = 'idle';
        throw err;
      },
    );
    this.opening = run;
    return run;
  }

  /** A freshly opened node becomes the session, unless we were closed meanwhile. */
  private adopt(dev: ScsiDevice): void {
    if (this.stateValue === 'closed') {
      void dev.close().catch(() => undefined);
      throw new HalError('closed', this.description, 'session closed while opening');
    }
    this.dev = dev;
    this.stateValue = 'open';
    this.attempts = 0;
    if (this.wasLost) {
      this.wasLost = false;
      this.emit('reconnected');
    }
  }

  private lose(dev: ScsiDevice, err: HalError): void {
    this.dev = undefined;
    this.wasLost = true;
    this.stateValue = 'reopening';
    this.attempts = 0;
    // In the background: a worker stuck in ioctl takes its closeTimeoutMs to let go.
    void dev.close().catch(() => undefined);
    this.emit('lost', err);
    this.scheduleReopen(err);
  }

  /** Delay before reopen n (0-based). */
  backoffDelay(attempt: number): number {
    const base = Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** Math.min(attempt, 30));
    return Math.round(base * (0.8 + 0.4 * this.random()));
  }

  private scheduleReopen(last: Error, afterFailure = false): void {
    if (this.attempts >= this.maxAttempts) {
      this.stateValue = 'idle';
      if (afterFailure) this.emit('reopen-failed', last, null);
      this.emit('gave-up', last);
      return;
    }
    const delay = this.backoffDelay(this.attempts++);
    if (afterFailure) this.emit('reopen-failed', last, delay);
    this.timer = this.clock.after(delay, () => {
      this.timer = undefined;
      this.openNode(this.path).then(
        (dev) => {
          if (this.stateValue !== 'reopening') {
            void dev.close().catch(() => undefined);
            return;
          }
          this.adopt(dev);
        },
        (err: unknown) => {
          if (this.stateValue === 'reopening') {
            this.scheduleReopen(asError(err), true);
          }
        },
      );
    });
  }
}
