// Runs inside a kernel-tier guest (test/kernel/witness.test.ts): the heartbeat's
// disk path (DiskPath over each controller's SharedSgSession) writes its
// witness slot with WRITE(16) FUA through its own /dev/sg node of the LIO LUN
// and reads the peer's through the same node, under the type-5 reservation
// both sessions are registered for, as on the box. Prints one JSON report.
import { readFileSync } from 'node:fs';
import { SystemClock } from '../../../hal/clock/system.ts';
import { decodeHeartbeat, encodeHeartbeat } from '../../../firmware/cluster/message.ts';
import { decodeWitnessSlot, witnessLba } from '../../../firmware/cluster/witness-layout.ts';
import type { ControllerId } from '../../../firmware/cluster/codes.ts';
import { ReservationManager } from '../../../firmware/fencing/reservation-manager.ts';
import { SharedSgSession } from '../../../firmware/fencing/shared-sg.ts';
import { DiskPath } from '../../../firmware/heartbeat/disk-path.ts';
import { BOX, KEY, heartbeat } from '../../unit/cluster/fixtures.ts';

const [pathA, pathB, backstore] = process.argv.slice(2);
if (pathA === undefined || pathB === undefined || backstore === undefined)
  throw new Error('usage: witness.ts SG_A SG_B BACKSTORE_FILE');

const clock = new SystemClock();
const area = { baseLba: 2048n, sectorCount: 8n };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function side(self: ControllerId, path: string) {
  const session = new SharedSgSession({ path, clock });
  const received: Uint8Array[] = [];
  const events: string[] = [];
  const disk = new DiskPath({
    clock,
    transport: session.transport(),
    area,
    self,
    boxId: BOX,
    key: KEY,
    intervalMs: 1000,
    deadtimeMs: 15_000,
  });
  const start = (): void =>
    disk.start({
      receive: () => undefined,
      receiveWitnessSlot: (sector) => received.push(sector),
      mailbox: () => undefined,
      transport: (up, detail) => events.push(`${up ? 'up' : 'down'}: ${detail}`),
      notice: (code) => events.push(code),
    });
  return { self, session, disk, received, events, start };
}
type Side = ReturnType<typeof side>;

/** The newest peer slot this side read, as the heartbeat's sequence number (or why not). */
function lastSeq(s: Side): number | string {
  const sector = s.received.at(-1);
  if (sector === undefined) return 'nothing read';
  const slot = decodeWitnessSlot(sector, s.self === 'A' ? 'B' : 'A');
  if (!slot.ok) return `slot: ${slot.error.code}`;
  const beat = decodeHeartbeat(slot.value.message, KEY);
  return beat.ok ? beat.value.seq : `heartbeat: ${beat.error.code}`;
}

async function until(what: string, check: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const a = side('A', pathA);
const b = side('B', pathB);
const report: Record<string, unknown> = {};
await a.session.ready();
await b.session.ready();
// Register both nexuses and let A reserve type 5, as the box runs.
const managers = [a, b].map(
  (s) =>
    new ReservationManager({
      device: s.session.device,
      boxId: 'kernel-tier',
      controller: s.self,
      clock,
      pollIntervalMs: 3_600_000,
      commandTimeoutMs: 10_000,
    }),
);
report['registered'] = await Promise.all(managers.map(async (m) => (await m.start()).kind));
for (const m of managers) m.stop();
a.start();
b.start();
await until('both disk paths up', () => [a, b].every((s) => s.events.some((e) => e.startsWith('up'))));

/** Its last send finished: every tick ends by handing over the peer slot (or counting it stale). */
function settled(s: Side): boolean {
  const c = s.disk.counters();
  return s.received.length + (c['staleAtBoot'] ?? 0) === c['ticks'];
}

// Each round: A beats (write its slot, read both), then B does. B's read must
// show A's beat of this round; A's shows B's beat of the round before.
const seenByA: (number | string)[] = [];
const seenByB: (number | string)[] = [];
for (let seq = 1; seq <= 3; seq++) {
  for (const [s, seen] of [
    [a, seenByA],
    [b, seenByB],
  ] as const) {
    s.disk.send(encodeHeartbeat(heartbeat({ controller: s.self, seq }), KEY));
    await until(`${s.self}'s beat ${seq}`, () => settled(s));
    seen.push(lastSeq(s));
  }
}
report['seenByA'] = seenByA;
report['seenByB'] = seenByB;
// The bytes on the target's backing file are the ones the peer read.
const file = readFileSync(backstore);
const onDisk = (c: ControllerId): Buffer => {
  const at = Number(witnessLba(area, { kind: 'slot', controller: c })) * 512;
  return file.subarray(at, at + 512);
};
report['backstoreHoldsWhatBRead'] = onDisk('A').equals(b.received.at(-1) ?? new Uint8Array(0));
const seqOnDisk = (c: ControllerId): number | string => {
  const slot = decodeWitnessSlot(onDisk(c), c);
  if (!slot.ok) return slot.error.code;
  const beat = decodeHeartbeat(slot.value.message, KEY);
  return beat.ok ? beat.value.seq : beat.error.code;
};
report['seqOnDisk'] = { A: seqOnDisk('A'), B: seqOnDisk('B') };
report['counters'] = { A: a.disk.counters(), B: b.disk.counters() };
report['events'] = { A: a.events, B: b.events };
await a.disk.stop();
await b.disk.stop();
await a.session.close();
await b.session.close();
console.log(JSON.stringify(report));
