// The failover core's Fencer port over the real ReservationManager
// (firmware/fencing). The two speak different outcome names: the manager
// reports 'peer-fenced' when it preempted the peer and 'fenced' when WE were
// preempted; the core wants 'fenced' / 'we-are-fenced'. A foreign reservation
// holder or a missing registration cannot be fixed by retrying the fence, so
// they are 'failed' for the core (it alarms and stays put).
import type { ReservationManager } from '../../fencing/reservation-manager.ts';
import type { FenceOutcome, Fencer, FencerSnapshot, RegistrationCheck } from '../../failover/ports.ts';

function fail(what: string, detail: string): Error {
  return new Error(`${what}: ${detail}`);
}

export function failoverFencer(rm: ReservationManager): Fencer {
  const register = async (): Promise<void> => {
    const r = await rm.register();
    switch (r.kind) {
      case 'registered':
        return;
      case 'fenced':
        throw fail('register', 'our previous key was preempted while we were away');
      case 'failed':
        throw fail('register', r.error.message);
    }
  };
  const reserve = async (): Promise<void> => {
    const r = await rm.reserve();
    switch (r.kind) {
      case 'reserved':
      case 'held-by-other': // type 5: every registrant may write; the holder changes at a fence
        return;
      case 'fenced':
        throw fail('reserve', 'our key is gone');
      case 'not-registered':
        throw fail('reserve', 'not registered');
      case 'failed':
        throw fail('reserve', r.error.message);
    }
  };
  return {
    async start(): Promise<void> {
      const r = await rm.start();
      if (r.kind !== 'registered')
        throw fail('start', r.kind === 'failed' ? r.error.message : 'our key was preempted');
      // A PREEMPT only shuts the victim out while a type-5 reservation exists.
      if (rm.snapshot().reservation === null) await reserve();
    },
    stop(): Promise<void> {
      rm.stop();
      return Promise.resolve();
    },
    register,
    reserve,
    async release(): Promise<void> {
      const r = await rm.release();
      if (r.kind === 'failed') throw fail('release', r.error.message);
    },
    async fencePeer(): Promise<FenceOutcome> {
      const r = await rm.fencePeer();
      switch (r.kind) {
        case 'peer-fenced':
          return { kind: 'fenced', method: r.method ?? 'already-gone' };
        case 'fenced':
          return { kind: 'we-are-fenced', detail: 'the preempt was refused: our own key is gone' };
        case 'blocked-by-foreign':
          return {
            kind: 'failed',
            detail: `the reservation is held by key 0x${r.holder.toString(16)} of another box`,
          };
        case 'not-registered':
          return { kind: 'failed', detail: 'we are not registered on the shared disk' };
        case 'failed':
          return { kind: 'failed', detail: r.error.message };
      }
    },
    async verifyOwnRegistration(): Promise<RegistrationCheck> {
      const r = await rm.verifyOwnRegistration();
      switch (r.kind) {
        case 'registered':
          return { kind: 'ok' };
        case 'orphaned':
          // Our key is still on the LUN, only this session lost it (re-login):
          // the manager re-registers on its own. Not a fence.
          return { kind: 'ok' };
        case 'fenced':
          return { kind: 'lost' };
        case 'not-registered': {
          // The first registration failed (no disk at boot): try again now.
          const again = await rm.register();
          return again.kind === 'registered'
            ? { kind: 'ok' }
            : again.kind === 'fenced'
              ? { kind: 'lost' }
              : { kind: 'disk-error', detail: again.error.message };
        }
        case 'failed':
          return { kind: 'disk-error', detail: r.error.message };
      }
    },
    snapshot(): FencerSnapshot {
      const s = rm.snapshot();
      return {
        ourKey: s.ourKey ?? 0n,
        keys: s.keys,
        reservation: s.reservation === null ? null : { key: s.reservation.key, type: s.reservation.type },
        fenced: s.fenced,
      };
    },
  };
}
