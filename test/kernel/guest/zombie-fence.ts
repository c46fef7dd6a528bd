// The reservation steps of test/kernel/zombie-writer.test.ts, with the
// firmware's ReservationManager over SG_IO (two nexuses of the LIO LUN).
//   zombie-fence.js start SG_A SG_B: A and B register (A reserves type 5), as
//     both daemons do at start.
//   zombie-fence.js fence SG_B: B's fresh manager registers (as B's daemon
//     did at its start) and fences A. Prints one JSON line with the fence's
//     outcome and its start and end times (ms since the epoch).
import { SystemClock } from '../../../hal/clock/system.ts';
import { openSgDevice } from '../../../hal/scsi/sg/index.ts';
import * as scsi from '../../../hal/scsi/commands.ts';
import { ReservationManager } from '../../../firmware/fencing/reservation-manager.ts';
import { formatKey } from '../../../firmware/fencing/keys.ts';

const clock = new SystemClock();
const manager = (
  device: Awaited<ReturnType<typeof openSgDevice>>,
  controller: 'A' | 'B',
): ReservationManager =>
  new ReservationManager({
    device,
    boxId: 'kernel-box',
    controller,
    clock,
    pollIntervalMs: 3_600_000,
    commandTimeoutMs: 10_000,
  });
const [verb, p1, p2] = process.argv.slice(2);
if (verb === 'start' && p1 !== undefined && p2 !== undefined) {
  const a = await openSgDevice({ path: p1 });
  const b = await openSgDevice({ path: p2 });
  const rmA = manager(a, 'A');
  const rmB = manager(b, 'B');
  const startA = (await rmA.start()).kind;
  const startB = (await rmB.start()).kind;
  rmA.stop();
  rmB.stop();
  const resv = (await scsi.readReservation(a, { timeoutMs: 10_000 })).reservation;
  console.log(
    JSON.stringify({
      startA,
      startB,
      keys: (await scsi.readKeys(a, { timeoutMs: 10_000 })).keys.map(formatKey),
      reservation: resv === null ? null : { key: formatKey(resv.key), type: resv.type },
    }),
  );
  await a.close();
  await b.close();
} else if (verb === 'fence' && p1 !== undefined) {
  const b = await openSgDevice({ path: p1 });
  const rmB = manager(b, 'B');
  const register = (await rmB.register()).kind;
  const fenceStart = Date.now();
  const fence = await rmB.fencePeer();
  const fenceEnd = Date.now();
  const resv = (await scsi.readReservation(b, { timeoutMs: 10_000 })).reservation;
  console.log(
    JSON.stringify({
      register,
      fence:
        fence.kind === 'peer-fenced'
          ? { kind: fence.kind, method: fence.method, preempted: fence.preempted.map(formatKey) }
          : { kind: fence.kind },
      fenceStart,
      fenceEnd,
      keys: (await scsi.readKeys(b, { timeoutMs: 10_000 })).keys.map(formatKey),
      reservation: resv === null ? null : { key: formatKey(resv.key), type: resv.type },
    }),
  );
  await b.close();
} else {
  throw new Error('usage: zombie-fence.js start SG_A SG_B | fence SG_B');
}
