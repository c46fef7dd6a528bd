// What the controller holds of its one session to the shared LUN, whichever
// transport carries it (shared-disk.ts picks). Both the witness heartbeat
// (DiskPath) and the reservation manager use it: a PR registration belongs
// to the I_T nexus that made it, and under the type-5 reservation only
// registered nexuses may write, so a second session for the witness would be
// refused as soon as anyone reserves (docs/reservations.md).
import type { ScsiDevice } from '../../hal/scsi/device.ts';
import type { DiskTransport } from '../heartbeat/disk-path.ts';

export interface SharedDisk {
  /** For the reservation manager; emits 'reconnected' after a new session, so it re-registers. */
  readonly device: ScsiDevice;
  /** DiskPath's transport over the same session. */
  transport(): DiskTransport;
  /** Resolves once the session is up; rejects while it is not (the failover core treats that itself). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/**
 * DiskPath's "open a session" becomes "wait for the shared one", and its
 * "close" (after an I/O error) leaves the session to the fencer: the shared
 * session re-establishes itself, and DiskPath's own backoff asks again.
 */
export function sharedTransport(device: ScsiDevice, ready: () => Promise<void>): DiskTransport {
  return {
    description: device.description,
    open: async () => {
      await ready();
      return {
        description: device.description,
        execute: (cmd) => device.execute(cmd),
        close: () => Promise.resolve(),
      };
    },
  };
}
