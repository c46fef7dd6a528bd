// Runs inside a kernel-tier guest (test/kernel/sg-reservations.test.ts): the
// project's SG_IO driver and reservation manager against LIO, through two
// /dev/sg nodes of one LUN (two I_T nexuses, controllers A and B). One long
// Node process does every step (TypeScript start-up costs seconds under TCG)
// and prints one JSON report; the host test judges it.
import { SystemClock } from '../../../hal/clock/system.ts';
import * as scsi from '../../../hal/scsi/commands.ts';
import type { CommandOptions } from '../../../hal/scsi/commands.ts';
import { isScsiError } from '../../../hal/scsi/errors.ts';
import { openSgDevice } from '../../../hal/scsi/sg/index.ts';
import { guestManager } from './manager.ts';
import { formatKey } from '../../../firmware/fencing/keys.ts';
import { errorMessage } from '../../../hal/errors.ts';

const [pathA, pathB] = process.argv.slice(2);
if (pathA === undefined || pathB === undefined) throw new Error('usage: sg-reservations.ts SG_A SG_B');

const hex = (n: number | undefined): string => (n ?? 0).toString(16).padStart(2, '0');
const attentions: Record<'A' | 'B', string[]> = { A: [], B: [] };
const opts = (c: 'A' | 'B'): CommandOptions => ({
  timeoutMs: 10_000,
  onUnitAttention: (e) => attentions[c].push(`${hex(e.asc)}/${hex(e.ascq)}`),
});
const block = (fill: number): Uint8Array => new Uint8Array(512).fill(fill);
/** What a command ended in: 'ok', or the typed error's kind (or message). */
async function outcome(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
    return 'ok';
  } catch (err) {
    if (isScsiError(err)) {
      if (err.kind !== 'reservation-conflict') console.error(`${err.kind}: ${err.message}`);
      return err.kind;
    }
    return `error: ${errorMessage(err)}`;
  }
}

// The first open loads koffi in the worker: over 10 s under TCG on a loaded machine.
const a = await openSgDevice({ path: pathA, openTimeoutMs: 60_000 });
const b = await openSgDevice({ path: pathB, openTimeoutMs: 60_000 });
const inquiry = await scsi.inquiry(a, opts('A'));
const report: Record<string, unknown> = {
  vendor: inquiry.vendor.trim(),
  product: inquiry.product.trim(),
  serialA: await scsi.unitSerialNumber(a, opts('A')),
  serialB: await scsi.unitSerialNumber(b, opts('B')),
  capacity: await scsi.readCapacity16(a, opts('A')).then((c) => ({
    blocks: Number(c.blocks),
    blockLength: c.blockLength,
  })),
};

const clock = new SystemClock();
const rmA = guestManager(a, 'A', clock);
const rmB = guestManager(b, 'B', clock);
const startA = await rmA.start();
const startB = await rmB.start();
rmA.stop();
rmB.stop();
report['startA'] = startA.kind;
report['startB'] = startB.kind;
for (const s of [startA, startB]) if (s.kind === 'failed') console.error(`start failed: ${s.error.message}`);
const keysBefore = await scsi.readKeys(a, opts('A'));
report['keysBefore'] = keysBefore.keys.map(formatKey);
const resvBefore = (await scsi.readReservation(b, opts('B'))).reservation;
report['reservationBefore'] =
  resvBefore === null ? null : { key: formatKey(resvBefore.key), type: resvBefore.type };
report['keyA'] = rmA.snapshot().ourKey === null ? null : formatKey(rmA.snapshot().ourKey!);
report['keyB'] = rmB.snapshot().ourKey === null ? null : formatKey(rmB.snapshot().ourKey!);
// Type 5: every registrant may write, so B's write lands before the fence.
report['bWriteBeforeFence'] = await outcome(() =>
  scsi.write16(b, 100n, block(0xbb), { ...opts('B'), fua: true }),
);
attentions.A.length = 0;
attentions.B.length = 0;

const fence = await rmA.fencePeer();
report['fence'] =
  fence.kind === 'peer-fenced'
    ? { kind: fence.kind, method: fence.method, preempted: fence.preempted.map(formatKey) }
    : { kind: fence.kind, error: 'error' in fence ? fence.error.message : undefined };
report['bWriteAfterFence'] = await outcome(() =>
  scsi.write16(b, 100n, block(0xcc), { ...opts('B'), fua: true }),
);
const bRead = await scsi.read16(b, 100n, 1, 512, opts('B')).catch((e: unknown) => e);
report['bReadAfterFence'] =
  bRead instanceof Uint8Array
    ? bRead.every((x) => x === 0xbb)
      ? 'ok: B-data'
      : 'ok: other-data'
    : String(bRead);
report['aWriteAfterFence'] = await outcome(() =>
  scsi.write16(a, 101n, block(0xaa), { ...opts('A'), fua: true }),
);
const seenByB = await scsi.read16(b, 101n, 1, 512, opts('B'));
report['bSeesAWrite'] = seenByB.every((x) => x === 0xaa);
report['bVerify'] = (await rmB.verifyOwnRegistration()).kind;
report['bPoll'] = (await rmB.pollNow()).kind;
report['keysAfter'] = (await scsi.readKeys(b, opts('B'))).keys.map(formatKey);
const resvAfter = (await scsi.readReservation(b, opts('B'))).reservation;
report['reservationAfter'] =
  resvAfter === null ? null : { key: formatKey(resvAfter.key), type: resvAfter.type };
report['unitAttentionsAfterFence'] = attentions;
// The operator lets B rejoin: an explicit registration (a new generation of
// its key) makes it a registrant again, and type 5 lets registrants write.
const rejoin = await rmB.register();
report['bRejoin'] = rejoin.kind;
report['bKeyAfterRejoin'] = rejoin.kind === 'registered' ? formatKey(rejoin.key) : null;
report['bWriteAfterRejoin'] = await outcome(() =>
  scsi.write16(b, 102n, block(0xbd), { ...opts('B'), fua: true }),
);
await a.close();
await b.close();
console.log(JSON.stringify(report));
