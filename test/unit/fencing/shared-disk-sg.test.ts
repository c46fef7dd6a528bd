// The shared disk over SG_IO as the daemon assembles it: createSharedDisk
// from a validated config with transport "sg", the real ReservationManager on
// its device and a DiskPath on its transport, for both controllers. Below
// that everything is real down to the ioctl: SgDevice, its worker thread, the
// native sg_io_hdr; the sim kernel answers it (byte-checked) from one shared
// SimScsiTarget with SPC-4 persistent reservations. Timers run on SimClock;
// the worker threads on real time, hence the waits.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import * as scsi from '../../../hal/scsi/commands.ts';
import { openSgDevice } from '../../../hal/scsi/sg/sg-device.ts';
import { SimSgHost } from '../../../hal/scsi/sg/sim-host.ts';
import { SimScsiTarget } from '../../../hal/scsi/sim.ts';
import type { ControllerId } from '../../../firmware/cluster/codes.ts';
import { MIN_HEARTBEAT_BYTES } from '../../../firmware/cluster/message.ts';
import { decodeWitnessSlot, witnessLba } from '../../../firmware/cluster/witness-layout.ts';
import { validateConfig } from '../../../firmware/config/validate.ts';
import { boxPrefix, makeKey } from '../../../firmware/fencing/keys.ts';
import { ReservationManager } from '../../../firmware/fencing/reservation-manager.ts';
import { createSharedDisk } from '../../../firmware/fencing/shared-disk.ts';
import { SharedSgSession } from '../../../firmware/fencing/shared-sg.ts';
import { DiskPath } from '../../../firmware/heartbeat/disk-path.ts';
import type { PathHooks } from '../../../firmware/heartbeat/path-driver.ts';

const BOX = 'box-7';
const P = boxPrefix(BOX);
const AREA = { baseLba: 64n, sectorCount: 64n };
const cleanup: (() => Promise<void>)[] = [];
/** Worker threads answer in real time, slowly on a loaded machine. */
const settle = (check: () => void): Promise<void> => vi.waitFor(check, { timeout: 8000, interval: 10 });

afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

function config(sgDevice: string) {
  const r = validateConfig({
    box: { id: BOX },
    cluster: {
      heartbeat: { intervalMs: 500, warntimeMs: 1000, deadtimeMs: 2000, initdeadMs: 4000 },
      disk: { transport: 'sg', sgDevice, witnessLba: 64, witnessSectors: 64 },
    },
  });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.config;
}

function slotOf(target: SimScsiTarget, id: ControllerId): Uint8Array {
  return target.peek(Number(witnessLba(AREA, { kind: 'slot', controller: id })));
}

/** The first byte of the message in a slot sector (the test's fill), or undefined. */
function messageIn(sector: Uint8Array, owner: ControllerId): number | undefined {
  const slot = decodeWitnessSlot(sector, owner);
  return slot.ok ? slot.value.message[0] : undefined;
}

function controller(id: ControllerId, target: SimScsiTarget, clock: SimClock) {
  const cfg = config('/dev/sg4');
  const host = new SimSgHost({ target, initiator: `sas:${id}`, path: '/dev/sg4' });
  // The one seam: open the node through the sim kernel instead of the kernel's.
  const disk = createSharedDisk(cfg, clock, {
    openSg: (path) => openSgDevice({ ...host.deviceOptions(), path, graceMs: 500 }),
    random: () => 0.5,
  });
  if (!(disk instanceof SharedSgSession)) throw new Error('transport "sg" must build the SG session');
  const fencer = new ReservationManager({ device: disk.device, boxId: BOX, controller: id, clock });
  const path = new DiskPath({
    clock,
    transport: disk.transport(),
    area: AREA,
    self: id,
    boxId: 7,
    key: new Uint8Array(32).fill(0x42),
    intervalMs: cfg.cluster.heartbeat.intervalMs,
    deadtimeMs: cfg.cluster.heartbeat.deadtimeMs,
  });
  const seen = { up: false, peerSlots: [] as Uint8Array[], notices: [] as string[] };
  const hooks: PathHooks = {
    receive: () => undefined,
    receiveWitnessSlot: (sector) => seen.peerSlots.push(sector),
    mailbox: () => undefined,
    transport: (up) => {
      seen.up = up;
    },
    notice: (code) => seen.notices.push(code),
  };
  cleanup.push(async () => {
    fencer.stop();
    await path.stop();
    await disk.close();
    expect(host.violations).toEqual([]); // every header the driver sent passed the byte check
    host.close();
  });
  /**
   * One heartbeat: a message of `fill` bytes into our slot (then the read of
   * both slots). A send while the previous tick still runs is skipped, as on
   * the box; here it is offered again until a tick takes it.
   */
  const beat = async (fill: number): Promise<void> => {
    const message = new Uint8Array(MIN_HEARTBEAT_BYTES + 16).fill(fill);
    const ticks = path.counters()['ticks'] ?? 0;
    await settle(() => {
      path.send(message);
      expect(path.counters()['ticks']).toBe(ticks + 1);
    });
    await settle(() => expect(messageIn(slotOf(target, id), id)).toBe(fill));
  };
  return { id, host, disk, fencer, path, hooks, seen, beat };
}

describe('shared disk over SG_IO, as the daemon assembles it', { timeout: 30_000 }, () => {
  it('registers, reserves and preempts through the ReservationManager; witness slots through DiskPath', async () => {
    const clock = new SimClock();
    const target = new SimScsiTarget({ blocks: 2048 });
    const a = controller('A', target, clock);
    const b = controller('B', target, clock);
    await Promise.all([a.disk.ready(), b.disk.ready()]);
    expect(a.disk.description).toBe('/dev/sg4');

    expect(await a.fencer.start()).toMatchObject({ kind: 'registered', key: makeKey(P, 'A', 1) });
    expect(await b.fencer.start()).toMatchObject({ kind: 'registered', key: makeKey(P, 'B', 1) });
    expect(await a.fencer.reserve()).toEqual({ kind: 'reserved', key: makeKey(P, 'A', 1) });
    // Both witness paths come up on the same sessions the fencers use.
    a.path.start(a.hooks);
    b.path.start(b.hooks);
    await settle(() => expect(a.seen.up && b.seen.up).toBe(true));
    expect(a.host.openCount).toBe(1); // one node open per controller: no second session
    expect(b.host.openCount).toBe(1);

    // Registered standby B may write its slot under A's type-5 reservation.
    // Each tick reads both slots after writing its own: each hears the other.
    await a.beat(0xa1);
    await b.beat(0xb1);
    await settle(() => expect(b.seen.peerSlots.map((s) => messageIn(s, 'A'))).toEqual([0xa1]));
    await a.beat(0xa2);
    await settle(() => expect(a.seen.peerSlots.map((s) => messageIn(s, 'B'))).toEqual([0xb1]));

    // B takes over: PREEMPT AND ABORT A's key, and the reservation with it.
    expect(await b.fencer.fencePeer()).toEqual({
      kind: 'peer-fenced',
      preempted: [makeKey(P, 'A', 1)],
      method: 'preempt-and-abort',
    });
    expect(b.fencer.snapshot()).toMatchObject({
      keys: [makeKey(P, 'B', 1)],
      reservation: { key: makeKey(P, 'B', 1), type: 5 },
    });
    // A's next witness write is a RESERVATION CONFLICT: DiskPath drops its
    // view, but the shared node stays open (a status is not a lost device).
    const errorsBefore = a.path.counters()['ioErrors'] ?? 0;
    await settle(() => {
      a.path.send(new Uint8Array(MIN_HEARTBEAT_BYTES + 16).fill(0xa3));
      expect(a.path.counters()['ioErrors']).toBe(errorsBefore + 1);
    });
    expect(a.seen.up).toBe(false);
    expect(a.disk.state).toBe('open');
    expect(a.host.openCount).toBe(1);
    expect(messageIn(slotOf(target, 'A'), 'A')).toBe(0xa2);
    expect((await a.fencer.verifyOwnRegistration()).kind).toMatch(/fenced/);
    await b.beat(0xb2);
  });

  it('comes back after its HBA lost the device: reopens the node, re-registers, writes its slot again', async () => {
    const clock = new SimClock();
    const target = new SimScsiTarget({ blocks: 2048 });
    const a = controller('A', target, clock);
    const b = controller('B', target, clock);
    await Promise.all([a.disk.ready(), b.disk.ready()]);
    await a.fencer.start();
    await b.fencer.start();
    await a.fencer.reserve();
    a.path.start(a.hooks);
    await settle(() => expect(a.seen.up).toBe(true));
    await a.beat(0x01);

    const changes: string[] = [];
    a.fencer.on('session-changed', (e) => changes.push(e.reason));
    a.host.unplug(); // HBA reset: the node is gone
    await settle(() => {
      a.path.send(new Uint8Array(MIN_HEARTBEAT_BYTES + 16).fill(0x02)); // again if a tick was still running
      expect(a.disk.state).toBe('reopening');
    });
    expect(a.seen.up).toBe(false);
    const retries: (number | null)[] = [];
    a.disk.on('reopen-failed', (_err, retryInMs) => retries.push(retryInMs));
    await clock.advance(200); // first reopen: the node is still missing (ENOENT)
    await settle(() => expect(retries).toEqual([400]));
    a.host.replug(); // back, and the LUN will report the reset (UA 29/00)
    await clock.advance(400);
    await settle(() => expect(a.disk.state).toBe('open'));
    // 'reconnected' (and UA 29/00) make the manager re-register: a new
    // generation; on an SPC-4 target it replaces the key in place.
    await settle(() => expect(a.fencer.snapshot().ourKey).toBe(makeKey(P, 'A', 2)));
    expect(changes[0]).toBe('reconnected');
    // No orphan left behind, and the reservation stayed with A's nexus.
    const onLun = await scsi.readKeys(b.disk.device);
    expect([...onLun.keys].sort()).toEqual([makeKey(P, 'A', 2), makeKey(P, 'B', 1)].sort());
    expect(await a.fencer.reserve()).toEqual({ kind: 'reserved', key: makeKey(P, 'A', 2) });

    // DiskPath's own backoff asks the shared session again and the witness resumes.
    await clock.advance(5000);
    await settle(() => expect(a.seen.up).toBe(true));
    await a.beat(0x03);
    expect(a.host.openCount).toBe(1);
  });
});
