// The Fencer of a controller with no shared disk configured: there is no
// arbiter, so nothing can be fenced and disk access is never granted. The
// failover core then never takes over (it sees a disk that does not answer),
// which is the only safe reading of "no disk".
import { EventEmitter } from 'node:events';
import { HalError } from '../../hal/errors.ts';
import type {
  FenceOutcome,
  Fencer,
  FencerEvents,
  FencerSnapshot,
  PollResult,
  RegisterOutcome,
  ReleaseOutcome,
  ReserveOutcome,
  VerifyOutcome,
} from './fencer.ts';

export class NoSharedDisk extends EventEmitter<FencerEvents> implements Fencer {
  private readonly failure = {
    kind: 'failed',
    error: new HalError('not-supported', 'shared disk', 'no shared disk configured'),
  } as const;

  start(): Promise<RegisterOutcome> {
    return Promise.resolve(this.failure);
  }

  stop(): void {}

  register(): Promise<RegisterOutcome> {
    return Promise.resolve(this.failure);
  }

  reserve(): Promise<ReserveOutcome> {
    return Promise.resolve(this.failure);
  }

  release(): Promise<ReleaseOutcome> {
    return Promise.resolve(this.failure);
  }

  fencePeer(): Promise<FenceOutcome> {
    return Promise.resolve(this.failure);
  }

  verifyOwnRegistration(): Promise<VerifyOutcome> {
    return Promise.resolve(this.failure);
  }

  lastPoll(): PollResult {
    return this.failure;
  }

  snapshot(): FencerSnapshot {
    return {
      ourKey: null,
      keys: [],
      reservation: null,
      weAreFenced: false,
      preemptAndAbortSupported: null,
      foreignKeys: [],
    };
  }
}
