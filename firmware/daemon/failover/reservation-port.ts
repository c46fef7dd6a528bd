// The reservation agent's per-LUN port (firmware/resources/agents/reservation.ts)
// over the same Fencer port the failover core uses: a group's reservation
// resource and the core's fencing act on one registration per LUN, so the
// agent never registers a second key of ours.
import type { Fencer } from '../../failover/ports.ts';
import type { ReservationPort } from '../../resources/agents/reservation.ts';

export function reservationPort(fencer: Fencer): ReservationPort {
  return {
    // The core keeps us registered. Re-registering here would mint a new key,
    // and after a fence it would undo the fence: refuse instead.
    register: async () => {
      const r = await fencer.verifyOwnRegistration();
      if (r.kind === 'lost') throw new Error('our key was preempted by the peer');
      if (r.kind === 'disk-error') throw new Error(r.detail);
    },
    reserve: () => fencer.reserve(),
    // Stopping a group must not drop the reservation: a type-5 PREEMPT only
    // shuts the old owner out while one exists. It moves at the next fence.
    release: () => Promise.resolve(),
    verifyOwnRegistration: async () => (await fencer.verifyOwnRegistration()).kind !== 'lost',
  };
}
