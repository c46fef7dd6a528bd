// Fencing as the rest of the firmware sees it: one vocabulary, named from
// our side ('peer-fenced': we shut the peer out; 'we-are-fenced': the peer
// shut us out). ReservationManager implements it over SCSI persistent
// reservations, NoSharedDisk where no shared disk is configured. Every
// operation returns a typed outcome instead of throwing, because the failover
// core must act on each case (stop everything when we are fenced).
import type { HalError } from '../../hal/errors.ts';
import type { Reservation } from '../../hal/scsi/cdb/pr-in.ts';
import type { KeyOwner } from './keys.ts';

export interface FencerSnapshot {
  /** Our live key, or null before the first registration. */
  readonly ourKey: bigint | null;
  /** Keys registered on the LUN at the last READ KEYS. */
  readonly keys: readonly bigint[];
  /** The reservation at the last READ RESERVATION. */
  readonly reservation: Reservation | null;
  /** Our key was removed by someone else: we must stop writing. Sticky until register(). */
  readonly weAreFenced: boolean;
  /** null until the first fence attempt found out. */
  readonly preemptAndAbortSupported: boolean | null;
  /** Keys that belong to neither controller of this box (never touched, only reported). */
  readonly foreignKeys: readonly bigint[];
}

/** A command failed at transport level (timeout, lost connection) or with an unexpected status. */
export interface Failed {
  readonly kind: 'failed';
  readonly error: HalError;
}
/** Our key is gone from the LUN: the peer fenced us. */
export interface WeAreFenced {
  readonly kind: 'we-are-fenced';
}
export interface NotRegistered {
  readonly kind: 'not-registered';
}

export type RegisterOutcome =
  | { readonly kind: 'registered'; readonly key: bigint; readonly removedOrphans: readonly bigint[] }
  | WeAreFenced
  | Failed;

export type ReserveOutcome =
  | { readonly kind: 'reserved'; readonly key: bigint }
  | { readonly kind: 'held-by-other'; readonly holder: bigint; readonly owner: KeyOwner }
  | WeAreFenced
  | NotRegistered
  | Failed;

export type ReleaseOutcome = { readonly kind: 'released' } | NotRegistered | Failed;

export type PreemptMethod = 'preempt-and-abort' | 'preempt';

export type FenceOutcome =
  /** Every peer key is gone and we hold the type-5 reservation. */
  | {
      readonly kind: 'peer-fenced';
      readonly preempted: readonly bigint[];
      /** null when there was no peer key to preempt. */
      readonly method: PreemptMethod | null;
    }
  /** The reservation is held by a key of another box: reported, never touched. */
  | { readonly kind: 'blocked-by-foreign'; readonly holder: bigint }
  | WeAreFenced
  | NotRegistered
  | Failed;

export type VerifyOutcome =
  | { readonly kind: 'registered'; readonly key: bigint }
  /** Our key is still on the LUN but this session does not own it (re-login): re-registration follows. */
  | { readonly kind: 'orphaned'; readonly key: bigint }
  | WeAreFenced
  | NotRegistered
  | Failed;

export type FencedBy = 'poll' | 'preempt' | 'reserve' | 'repair';

/**
 * The result of the one registration poll (every heartbeat interval): our
 * key still ours, gone (the peer fenced us), or the disk did not answer.
 * It is also the controller's disk-access probe; every consumer (failover,
 * the reservation resource, status) reads this instead of polling itself.
 */
export type PollResult =
  { readonly kind: 'registered'; readonly key: bigint } | WeAreFenced | NotRegistered | Failed;

export interface FencerEvents {
  /** Our key is gone: someone preempted us. The failover core stops everything. */
  'we-are-fenced': [info: { readonly key: bigint; readonly detectedBy: FencedBy }];
  /** Every poll's result (start() begins polling). */
  polled: [result: PollResult];
  registered: [info: { readonly key: bigint; readonly removedOrphans: readonly bigint[] }];
  /** A new I_T nexus was noticed (iSCSI reconnect or UA 29/xx); re-registration follows. */
  'session-changed': [info: { readonly reason: 'reconnected' | 'unit-attention' | 'poll' }];
  'keys-changed': [info: { readonly keys: readonly bigint[] }];
  'reservation-changed': [info: { readonly reservation: Reservation | null }];
  /** A key of another box (or garbage) appeared on our LUN. */
  'foreign-key': [info: { readonly key: bigint }];
  'poll-failed': [info: { readonly error: HalError }];
}

export interface Fencer {
  /** Register, make sure a type-5 reservation exists, then poll every interval. */
  start(): Promise<RegisterOutcome>;
  stop(): void;
  register(): Promise<RegisterOutcome>;
  reserve(): Promise<ReserveOutcome>;
  release(): Promise<ReleaseOutcome>;
  /** Preempt the peer's keys: PREEMPT AND ABORT, falling back to PREEMPT. */
  fencePeer(): Promise<FenceOutcome>;
  /** Is THIS session still registered with our key? (one positive check, on demand). */
  verifyOwnRegistration(): Promise<VerifyOutcome>;
  snapshot(): FencerSnapshot;
  /** The latest poll's result; undefined before the first poll. */
  lastPoll(): PollResult | undefined;
  on<K extends keyof FencerEvents>(event: K, listener: (...args: FencerEvents[K]) => void): unknown;
  off<K extends keyof FencerEvents>(event: K, listener: (...args: FencerEvents[K]) => void): unknown;
}
