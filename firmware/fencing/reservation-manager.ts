// SCSI-3 persistent-reservation fencing on the shared LUN (docs/reservations.md).
//
// Both controllers register (so both may write their witness slot under the
// type-5 reservation); the active one reserves WRITE EXCLUSIVE - REGISTRANTS
// ONLY; taking over means PREEMPTing the peer's key, after which the peer's
// writes get RESERVATION CONFLICT. READ KEYS / READ RESERVATION are polled on
// a clock interval because tgt's unit attentions are unreliable (REFERENCE 3).
//
// A registration belongs to one I_T nexus. On tgt a re-login makes a new
// nexus and orphans the old registration, so after a reconnect (iSCSI
// 'reconnected' or UA 29/xx) we register a new generation of our key and
// PREEMPT the orphan, which also hands us its reservation if it held one.
import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '../../hal/clock/clock.ts';
import { HalError, errorMessage } from '../../hal/errors.ts';
import type { Reservation } from '../../hal/scsi/cdb/pr-in.ts';
import { PrType } from '../../hal/scsi/cdb/pr-types.ts';
import * as scsi from '../../hal/scsi/commands.ts';
import type { CommandOptions } from '../../hal/scsi/commands.ts';
import { SCSI_IO_TIMEOUT_MS, type ScsiDevice } from '../../hal/scsi/device.ts';
import type { ScsiError } from '../../hal/scsi/errors.ts';
import { isScsiError } from '../../hal/scsi/errors.ts';
import type { ControllerId } from '../cluster/codes.ts';
import type {
  FenceOutcome,
  Fencer,
  FencedBy,
  FencerEvents,
  FencerSnapshot,
  PollResult,
  PreemptMethod,
  RegisterOutcome,
  ReleaseOutcome,
  ReserveOutcome,
  VerifyOutcome,
} from './fencer.ts';
import { boxPrefix, decodeKey, makeKey, nextGeneration, ownerOf } from './keys.ts';

/** The only reservation type Tandem uses (fence_scsi's choice too). */
export const FENCE_TYPE = PrType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY;

export const DEFAULT_POLL_INTERVAL_MS = 1000;

/** The part of IscsiInitiator we listen to; an SG device has no such events. */
interface SessionEvents {
  on(event: 'reconnected', listener: () => void): unknown;
  off(event: 'reconnected', listener: () => void): unknown;
}

function sessionEventsOf(dev: ScsiDevice): SessionEvents | undefined {
  const d = dev as Partial<SessionEvents>;
  return typeof d.on === 'function' && typeof d.off === 'function'
    ? (dev as unknown as SessionEvents)
    : undefined;
}

export interface ReservationManagerOptions {
  readonly device: ScsiDevice;
  readonly boxId: string;
  readonly controller: ControllerId;
  readonly clock: Clock;
  readonly pollIntervalMs?: number;
  readonly commandTimeoutMs?: number;
  /** Defaults to the device itself when it emits 'reconnected' (IscsiInitiator). */
  readonly sessionEvents?: SessionEvents;
}

function toHalError(err: unknown, device: string): HalError {
  if (err instanceof HalError) return err;
  return new HalError('io', device, errorMessage(err), { cause: err });
}

/** UA 29/xx: power on, reset, I_T nexus loss. On tgt every new session starts with 29/00. */
function isResetAttention(err: ScsiError): boolean {
  return err.asc === 0x29;
}

export class ReservationManager extends EventEmitter<FencerEvents> implements Fencer {
  readonly prefix: number;
  readonly controller: ControllerId;
  private readonly dev: ScsiDevice;
  private readonly clock: Clock;
  private readonly pollIntervalMs: number;
  private readonly cmdOpts: CommandOptions;
  private readonly sessionEvents: SessionEvents | undefined;
  private ourKey: bigint | null = null;
  private generation = 0;
  private keys: readonly bigint[] = [];
  private reservation: Reservation | null = null;
  private fenced = false;
  private last: PollResult | undefined;
  private polling: Promise<PollResult> | undefined;
  private paSupported: boolean | null = null;
  private pollTimer: TimerHandle | undefined;
  /** Serialises every operation: a poll must never interleave with a preempt. */
  private queue: Promise<unknown> = Promise.resolve();
  private repairPending = false;
  private registering = false;
  private running = false;
  private readonly onReconnected = (): void => this.sessionChanged('reconnected');

  constructor(opts: ReservationManagerOptions) {
    super();
    this.dev = opts.device;
    this.clock = opts.clock;
    this.controller = opts.controller;
    this.prefix = boxPrefix(opts.boxId);
    this.pollIntervalMs = opts.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    if (!(this.pollIntervalMs > 0))
      throw new RangeError(`pollIntervalMs must be > 0, got ${this.pollIntervalMs}`);
    this.cmdOpts = {
      timeoutMs: opts.commandTimeoutMs ?? SCSI_IO_TIMEOUT_MS,
      onUnitAttention: (err) => {
        if (isResetAttention(err) && !this.registering) this.sessionChanged('unit-attention');
      },
    };
    this.sessionEvents = opts.sessionEvents ?? sessionEventsOf(opts.device);
  }

  // ---- Fencer API ----------------------------------------------------------

  /**
   * Register (new generation), make sure a type-5 reservation exists (a
   * PREEMPT only shuts the victim out while one does), then poll every
   * pollIntervalMs.
   */
  async start(): Promise<RegisterOutcome> {
    if (!this.running) {
      this.running = true;
      this.sessionEvents?.on('reconnected', this.onReconnected);
      this.pollTimer = this.clock.every(this.pollIntervalMs, () => void this.pollNow());
    }
    const r = await this.register();
    // Type 5: every registrant may write, so a reservation held by the peer is fine too.
    if (r.kind === 'registered' && this.reservation === null) await this.reserve();
    return r;
  }

  stop(): void {
    this.running = false;
    this.pollTimer?.cancel();
    this.pollTimer = undefined;
    this.sessionEvents?.off('reconnected', this.onReconnected);
  }

  /** Explicit registration: clears 'we-are-fenced' (the failover core decided to rejoin). */
  register(): Promise<RegisterOutcome> {
    return this.serial(() => this.doRegister('explicit'));
  }

  reserve(): Promise<ReserveOutcome> {
    return this.serial(async () => {
      const key = this.ourKey;
      if (key === null) return { kind: 'not-registered' };
      try {
        await scsi.reserve(this.dev, key, FENCE_TYPE, this.cmdOpts);
      } catch (err) {
        if (!isScsiError(err, 'reservation-conflict')) return this.failed(err);
      }
      try {
        await this.refresh();
        if (!this.keys.includes(key)) return this.markFenced('reserve');
        const holder = this.reservation?.key;
        if (holder === key) return { kind: 'reserved', key };
        if (holder === undefined)
          return this.failed(
            new HalError('io', this.dev.description, 'RESERVE returned GOOD but no reservation is held'),
          );
        return { kind: 'held-by-other', holder, owner: ownerOf(holder, this.prefix, this.controller) };
      } catch (err) {
        return this.failed(err);
      }
    });
  }

  release(): Promise<ReleaseOutcome> {
    return this.serial(async () => {
      const key = this.ourKey;
      if (key === null) return { kind: 'not-registered' };
      try {
        // SPC-4: RELEASE by a non-holder is a GOOD no-op, so no need to look first.
        await scsi.release(this.dev, key, FENCE_TYPE, this.cmdOpts);
        await this.refresh();
        return { kind: 'released' };
      } catch (err) {
        return this.failed(err);
      }
    });
  }

  fencePeer(): Promise<FenceOutcome> {
    return this.serial(() => this.doFencePeer());
  }

  verifyOwnRegistration(): Promise<VerifyOutcome> {
    return this.serial(() => this.doVerify());
  }

  snapshot(): FencerSnapshot {
    return {
      ourKey: this.ourKey,
      keys: [...this.keys],
      reservation: this.reservation,
      weAreFenced: this.fenced,
      preemptAndAbortSupported: this.paSupported,
      foreignKeys: this.keys.filter((k) => ownerOf(k, this.prefix, this.controller) === 'foreign'),
    };
  }

  lastPoll(): PollResult | undefined {
    return this.last;
  }

  /**
   * The one registration poll (the timer calls it every interval; a call
   * while one runs joins it). Never throws. Its result, also emitted as
   * 'polled', is every consumer's view of our key and of disk access.
   */
  pollNow(): Promise<PollResult> {
    this.polling ??= this.serial(() => this.doPoll()).then((r) => {
      this.polling = undefined;
      this.last = r;
      if (r.kind === 'failed') this.emit('poll-failed', { error: r.error });
      this.emit('polled', r);
      return r;
    });
    return this.polling;
  }

  // ---- internals -------------------------------------------------------------

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private sessionChanged(reason: 'reconnected' | 'unit-attention' | 'poll'): void {
    if (this.fenced || this.ourKey === null || this.repairPending) return;
    this.repairPending = true;
    this.emit('session-changed', { reason });
    void this.serial(async () => {
      this.repairPending = false;
      if (!this.fenced) await this.doRegister('repair');
    });
  }

  private async refresh(): Promise<void> {
    const { keys } = await scsi.readKeys(this.dev, this.cmdOpts);
    const { reservation } = await scsi.readReservation(this.dev, this.cmdOpts);
    const keysChanged = keys.length !== this.keys.length || keys.some((k, i) => k !== this.keys[i]);
    const before = this.reservation;
    const resvChanged =
      (before === null) !== (reservation === null) ||
      (before !== null &&
        reservation !== null &&
        (before.key !== reservation.key || before.type !== reservation.type));
    const known = new Set(this.keys);
    this.keys = keys;
    this.reservation = reservation;
    if (keysChanged) {
      this.emit('keys-changed', { keys: [...keys] });
      for (const k of keys) {
        if (!known.has(k) && ownerOf(k, this.prefix, this.controller) === 'foreign')
          this.emit('foreign-key', { key: k });
      }
    }
    if (resvChanged) this.emit('reservation-changed', { reservation });
  }

  private markFenced(by: FencedBy): { kind: 'we-are-fenced' } {
    if (!this.fenced) {
      this.fenced = true;
      this.emit('we-are-fenced', { key: this.ourKey ?? 0n, detectedBy: by });
    }
    return { kind: 'we-are-fenced' };
  }

  private failed(err: unknown): { kind: 'failed'; error: HalError } {
    return { kind: 'failed', error: toHalError(err, this.dev.description) };
  }

  private ours(keys: readonly bigint[]): bigint[] {
    return keys.filter((k) => ownerOf(k, this.prefix, this.controller) === 'ours');
  }

  /**
   * REGISTER AND IGNORE EXISTING KEY with a new generation, then PREEMPT every
   * other key of ours (orphans of earlier sessions). In 'repair' mode a
   * previous key that vanished while we were away means the peer fenced us:
   * we must not come back on our own.
   */
  private async doRegister(mode: 'explicit' | 'repair'): Promise<RegisterOutcome> {
    this.registering = true;
    try {
      await this.refresh();
      const previous = this.ourKey;
      if (mode === 'repair' && previous !== null && !this.keys.includes(previous))
        return this.markFenced('repair');
      const generation = nextGeneration(this.keys, this.prefix, this.controller, this.generation);
      const key = makeKey(this.prefix, this.controller, generation);
      await scsi.registerIgnore(this.dev, key, this.cmdOpts);
      this.generation = generation;
      this.ourKey = key;
      this.fenced = false;
      await this.refresh();
      // Under SPC-4 the same nexus re-registering replaced its old key in place;
      // on tgt the old session's key is still there and must be preempted.
      const orphans = this.ours(this.keys).filter((k) => k !== key);
      const removed: bigint[] = [];
      for (const orphan of orphans) {
        try {
          await scsi.preempt(this.dev, key, orphan, FENCE_TYPE, this.cmdOpts);
          removed.push(orphan);
        } catch (err) {
          if (!isScsiError(err, 'reservation-conflict')) throw err;
          await this.refresh();
          if (!this.keys.includes(key)) return this.markFenced('repair');
          if (this.keys.includes(orphan)) throw err;
          // Someone else removed our old key between our READ KEYS and our
          // PREEMPT: the peer is fencing us. Honour it: withdraw the new key.
          if (orphan === previous) {
            await scsi.register(this.dev, key, 0n, this.cmdOpts);
            return this.markFenced('repair');
          }
        }
      }
      if (removed.length > 0) await this.refresh();
      const verified = await this.positiveCheck(key);
      if (verified !== 'ok')
        return verified === 'gone'
          ? this.markFenced('repair')
          : this.failed(
              new HalError(
                'io',
                this.dev.description,
                `registration of ${decodeKey(key).generation} did not take`,
              ),
            );
      this.emit('registered', { key, removedOrphans: removed });
      return { kind: 'registered', key, removedOrphans: removed };
    } catch (err) {
      return this.failed(err);
    } finally {
      this.registering = false;
    }
  }

  /**
   * Does THIS nexus hold `key`? READ KEYS cannot tell (tgt keeps an orphan of
   * ours listed after a re-login), so REGISTER key -> key: GOOD only when the
   * nexus is registered with exactly that key, RESERVATION CONFLICT otherwise.
   */
  private async positiveCheck(key: bigint): Promise<'ok' | 'gone' | 'orphaned'> {
    try {
      await scsi.register(this.dev, key, key, this.cmdOpts);
      return 'ok';
    } catch (err) {
      if (!isScsiError(err, 'reservation-conflict')) throw err;
      await this.refresh();
      return this.keys.includes(key) ? 'orphaned' : 'gone';
    }
  }

  private async doVerify(): Promise<VerifyOutcome> {
    const key = this.ourKey;
    if (key === null) return { kind: 'not-registered' };
    try {
      const r = await this.positiveCheck(key);
      if (r === 'ok') {
        await this.refresh();
        return { kind: 'registered', key };
      }
      if (r === 'gone') return this.markFenced('poll');
      this.sessionChanged('poll');
      return { kind: 'orphaned', key };
    } catch (err) {
      return this.failed(err);
    }
  }

  private async doPoll(): Promise<PollResult> {
    // The first registration failed (no disk at boot): this poll tries again.
    if (this.ourKey === null) {
      const r = await this.doRegister('explicit');
      return r.kind === 'registered' ? { kind: 'registered', key: r.key } : r;
    }
    if (this.fenced) {
      // Still a disk probe: the failover core tells "fenced" from "no disk".
      try {
        await this.refresh();
        return { kind: 'we-are-fenced' };
      } catch (err) {
        return this.failed(err);
      }
    }
    const v = await this.doVerify();
    // Orphaned: our key is still on the LUN, only this session lost it (a
    // re-login); the repair already queued registers a new generation.
    return v.kind === 'orphaned' ? { kind: 'registered', key: v.key } : v;
  }

  private async preemptOne(key: bigint, victim: bigint): Promise<PreemptMethod> {
    if (this.paSupported !== false) {
      try {
        await scsi.preemptAndAbort(this.dev, key, victim, FENCE_TYPE, this.cmdOpts);
        this.paSupported = true;
        return 'preempt-and-abort';
      } catch (err) {
        // tgt answers ILLEGAL REQUEST 24/00; remember it so later fences go straight to PREEMPT.
        if (!isScsiError(err, 'illegal-request')) throw err;
        this.paSupported = false;
      }
    }
    await scsi.preempt(this.dev, key, victim, FENCE_TYPE, this.cmdOpts);
    return 'preempt';
  }

  private async doFencePeer(): Promise<FenceOutcome> {
    const key = this.ourKey;
    if (key === null) return { kind: 'not-registered' };
    try {
      await this.refresh();
      if (!this.keys.includes(key)) return this.markFenced('preempt');
      const holder = this.reservation?.key;
      if (
        holder !== undefined &&
        holder !== key &&
        ownerOf(holder, this.prefix, this.controller) === 'foreign'
      ) {
        return { kind: 'blocked-by-foreign', holder };
      }
      const victims = this.keys.filter((k) => ownerOf(k, this.prefix, this.controller) === 'peer');
      const preempted: bigint[] = [];
      let method: PreemptMethod | null = null;
      for (const victim of victims) {
        try {
          method = await this.preemptOne(key, victim);
          preempted.push(victim);
        } catch (err) {
          if (!isScsiError(err, 'reservation-conflict')) throw err;
          await this.refresh();
          // Our own key is gone: the peer fenced us first.
          if (!this.keys.includes(key)) return this.markFenced('preempt');
          if (this.keys.includes(victim)) throw err;
        }
      }
      await this.refresh();
      if (this.reservation === null) {
        await scsi.reserve(this.dev, key, FENCE_TYPE, this.cmdOpts);
        await this.refresh();
      }
      const now = this.reservation?.key;
      if (now !== key) {
        if (now !== undefined && ownerOf(now, this.prefix, this.controller) === 'foreign')
          return { kind: 'blocked-by-foreign', holder: now };
        return this.failed(
          new HalError(
            'io',
            this.dev.description,
            `after fencing, the reservation is held by ${now === undefined ? 'nobody' : `0x${now.toString(16)}`}`,
          ),
        );
      }
      const verified = await this.positiveCheck(key);
      if (verified === 'gone') return this.markFenced('preempt');
      if (verified === 'orphaned')
        return this.failed(
          new HalError('io', this.dev.description, 'our session lost its registration during fencing'),
        );
      return { kind: 'peer-fenced', preempted, method };
    } catch (err) {
      return this.failed(err);
    }
  }
}
