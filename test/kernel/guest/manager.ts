// The reservation manager as the kernel tier's guest scripts drive it: no
// background poll (every step is explicit, so the order is the test's) and
// a generous command timeout for TCG.
import type { Clock } from '../../../hal/clock/clock.ts';
import type { ScsiDevice } from '../../../hal/scsi/device.ts';
import {
  ReservationManager,
  type ReservationManagerOptions,
} from '../../../firmware/fencing/reservation-manager.ts';

export function guestManager(
  device: ScsiDevice,
  controller: 'A' | 'B',
  clock: Clock,
  sessionEvents?: ReservationManagerOptions['sessionEvents'],
): ReservationManager {
  return new ReservationManager({
    device,
    boxId: 'kernel-tier',
    controller,
    clock,
    pollIntervalMs: 3_600_000,
    commandTimeoutMs: 10_000,
    ...(sessionEvents === undefined ? {} : { sessionEvents }),
  });
}
