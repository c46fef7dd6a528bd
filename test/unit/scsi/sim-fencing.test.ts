import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import { PrType } from '../../../hal/scsi/cdb/pr-types.ts';
import * as scsi from '../../../hal/scsi/commands.ts';
import type { ScsiError } from '../../../hal/scsi/errors.ts';
import { isScsiError } from '../../../hal/scsi/errors.ts';
import { isHalError } from '../../../hal/errors.ts';
import { SimScsiTarget } from '../../../hal/scsi/sim.ts';
import type { SimQuirks } from '../../../hal/scsi/sim.ts';

const KEY_A = 0xa0a0n;
const KEY_B = 0xb0b0n;
const WE_RO = PrType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY;
const block = (fill: number): Uint8Array => new Uint8Array(512).fill(fill);

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe.each(['spc4', 'tgt'] as SimQuirks[])('fencing sequence on the sim (%s)', (quirks) => {
  it('A reserves type 5, B is fenced from writes, B preempts A, A is fenced but can read', async () => {
    const target = new SimScsiTarget({ quirks, blocks: 64 });
    const a = target.connect('iqn.2026-01.tandem:a');
    const b = target.connect('iqn.2026-01.tandem:b');
    const seen: ScsiError[] = [];
    const opts = { onUnitAttention: (e: ScsiError) => seen.push(e) };

    await scsi.registerIgnore(a, KEY_A, opts);
    await scsi.registerIgnore(b, KEY_B, opts);
    await scsi.reserve(a, KEY_A, WE_RO, opts);
    expect(await scsi.readKeys(a)).toEqual({ generation: 2, keys: [KEY_A, KEY_B] });
    expect(await scsi.readReservation(b)).toEqual({
      generation: 2,
      reservation: { key: KEY_A, scope: 0, type: WE_RO },
    });

    await scsi.write16(a, 1n, block(0xaa), { fua: true });
    // B is registered, so under type 5 it may write too; unregister it to show the non-registrant rule.
    await scsi.register(b, KEY_B, 0n);
    const denied = await rejection(scsi.write16(b, 1n, block(0xbb)));
    expect(isScsiError(denied, 'reservation-conflict')).toBe(true);
    expect(await scsi.read16(b, 1n, 1, 512)).toEqual(block(0xaa));

    await scsi.registerIgnore(b, KEY_B);
    await scsi.preempt(b, KEY_B, KEY_A, WE_RO);
    expect(await scsi.readKeys(b)).toEqual({ generation: 5, keys: [KEY_B] });
    expect((await scsi.readReservation(b)).reservation).toEqual({ key: KEY_B, scope: 0, type: WE_RO });

    // A learns it was preempted through a unit attention, then is fenced.
    const first = await rejection(scsi.write16(a, 2n, block(0xa2), { unitAttentionRetries: 0 }));
    expect(isScsiError(first, 'unit-attention')).toBe(true);
    expect((first as ScsiError).condition).toBe(
      quirks === 'tgt' ? 'reservations-preempted' : 'registrations-preempted',
    );
    const fenced = await rejection(scsi.write16(a, 2n, block(0xa2)));
    expect(isScsiError(fenced, 'reservation-conflict')).toBe(true);
    expect(await scsi.read16(a, 1n, 1, 512)).toEqual(block(0xaa));
    await scsi.write16(b, 2n, block(0xb2));
    expect(target.peek(2)).toEqual(block(0xb2));
    // tgt opens every session with POWER ON RESET, which the command layer retried past.
    expect(seen.some((e) => e.condition === 'power-on-reset')).toBe(quirks === 'tgt');
  });

  it('REGISTER with a wrong current key is a RESERVATION CONFLICT; key 0 unregisters', async () => {
    const target = new SimScsiTarget({ quirks });
    const a = target.connect('a');
    await scsi.register(a, 0n, KEY_A);
    expect(isScsiError(await rejection(scsi.register(a, 0x1234n, KEY_B)), 'reservation-conflict')).toBe(true);
    await scsi.register(a, KEY_A, KEY_B);
    expect((await scsi.readKeys(a)).keys).toEqual([KEY_B]);
    await scsi.register(a, KEY_B, 0n);
    expect(await scsi.readKeys(a)).toEqual({ generation: 3, keys: [] });
  });

  it('RELEASE and CLEAR', async () => {
    const target = new SimScsiTarget({ quirks });
    const a = target.connect('a');
    const b = target.connect('b');
    await scsi.registerIgnore(a, KEY_A);
    await scsi.registerIgnore(b, KEY_B);
    await scsi.reserve(a, KEY_A, WE_RO);
    expect(isScsiError(await rejection(scsi.reserve(b, KEY_B, WE_RO)), 'reservation-conflict')).toBe(true);
    expect(
      isScsiError(await rejection(scsi.release(a, KEY_A, PrType.EXCLUSIVE_ACCESS)), 'illegal-request'),
    ).toBe(true);
    await scsi.release(a, KEY_A, WE_RO);
    expect((await scsi.readReservation(a)).reservation).toBeNull();
    await scsi.clear(b, KEY_B);
    expect(await scsi.readKeys(b)).toEqual({ generation: 3, keys: [] });
  });
});

describe('tgt deviations', () => {
  it('PREEMPT AND ABORT is ILLEGAL REQUEST 24/00 under tgt and works under spc4', async () => {
    for (const quirks of ['tgt', 'spc4'] as const) {
      const target = new SimScsiTarget({ quirks });
      const a = target.connect('a');
      const b = target.connect('b');
      await scsi.registerIgnore(a, KEY_A);
      await scsi.registerIgnore(b, KEY_B);
      await scsi.reserve(a, KEY_A, WE_RO);
      const p = scsi.preemptAndAbort(b, KEY_B, KEY_A, WE_RO);
      if (quirks === 'tgt') {
        const err = await rejection(p);
        expect(isScsiError(err, 'illegal-request') && err.condition === 'invalid-field-in-cdb').toBe(true);
      } else {
        await p;
        expect((await scsi.readReservation(b)).reservation?.key).toBe(KEY_B);
      }
    }
  });

  it('a reconnect orphans the registration under tgt but not under spc4', async () => {
    for (const quirks of ['tgt', 'spc4'] as const) {
      const target = new SimScsiTarget({ quirks });
      const old = target.connect('a');
      await scsi.registerIgnore(old, KEY_A);
      await scsi.reserve(old, KEY_A, PrType.EXCLUSIVE_ACCESS_REGISTRANTS_ONLY);
      await old.close();
      const fresh = target.connect('a');
      const write = scsi.write16(fresh, 0n, block(1));
      if (quirks === 'tgt') {
        expect(isScsiError(await rejection(write), 'reservation-conflict')).toBe(true);
        await scsi.registerIgnore(fresh, KEY_A);
        await scsi.preempt(fresh, KEY_A, KEY_A, PrType.EXCLUSIVE_ACCESS_REGISTRANTS_ONLY);
        await scsi.write16(fresh, 0n, block(1));
      } else {
        await write;
      }
      expect(target.peek(0)).toEqual(block(1));
    }
  });

  it('tgt refuses an expected transfer length below the allocation length', async () => {
    const dev = new SimScsiTarget({ quirks: 'tgt' }).connect('a');
    await scsi.testUnitReady(dev); // consumes the session's UA 29/00 via retry
    const res = await dev.execute({
      cdb: Uint8Array.from([0x12, 0, 0, 0, 96, 0]),
      direction: 'in',
      dataInLength: 36,
      timeoutMs: 100,
    });
    expect(res.status).toBe(2);
  });
});

describe('sim target data path and faults', () => {
  it('answers INQUIRY, VPD pages, READ CAPACITY(16), TUR and SYNCHRONIZE CACHE', async () => {
    const target = new SimScsiTarget({ blocks: 100, serial: 'SN-7', senseFormat: 'descriptor' });
    const dev = target.connect('a');
    expect(await scsi.inquiry(dev)).toMatchObject({
      vendor: 'TANDEM',
      product: 'SIM DISK',
      deviceType: 0,
      version: 6,
    });
    expect(await scsi.supportedVpdPages(dev)).toEqual([0x00, 0x80, 0x83]);
    expect(await scsi.unitSerialNumber(dev)).toBe('SN-7');
    const ids = await scsi.deviceIdentification(dev);
    expect(ids.map((d) => d.type)).toEqual(['naa', 't10-vendor-id', 'relative-target-port']);
    expect(await scsi.readCapacity16(dev)).toMatchObject({ lastLba: 99n, blockLength: 512, blocks: 100n });
    await scsi.testUnitReady(dev);
    await scsi.synchronizeCache(dev);
    expect((await scsi.reportCapabilities(dev)).types).toEqual([1, 3, 5, 6, 7, 8]);
    const past = await rejection(scsi.read16(dev, 99n, 2, 512));
    expect(isScsiError(past, 'illegal-request') && past.condition === 'lba-out-of-range').toBe(true);
  });

  it('medium error on an LBA range reports the failing LBA', async () => {
    const target = new SimScsiTarget();
    const dev = target.connect('a');
    target.addMediumError(10n, 5n);
    const err = await rejection(scsi.read16(dev, 8n, 4, 512));
    expect(isScsiError(err, 'medium-error')).toBe(true);
    expect((err as ScsiError).sense?.information).toBe(10n);
    expect(isScsiError(await rejection(scsi.write16(dev, 14n, block(0))), 'medium-error')).toBe(true);
    await scsi.read16(dev, 15n, 1, 512);
  });

  it('offline, fail-next and closed sessions reject with HalErrors', async () => {
    const target = new SimScsiTarget();
    const dev = target.connect('a');
    target.setOffline(true);
    expect(isHalError(await rejection(scsi.testUnitReady(dev)), 'disconnected')).toBe(true);
    target.setOffline(false);
    target.failNext(2);
    expect(isHalError(await rejection(scsi.testUnitReady(dev)), 'injected-fault')).toBe(true);
    expect(isHalError(await rejection(scsi.testUnitReady(dev)), 'injected-fault')).toBe(true);
    await scsi.testUnitReady(dev);
    await dev.close();
    expect(isHalError(await rejection(scsi.testUnitReady(dev)), 'closed')).toBe(true);
  });

  it('latency and stalls run on the clock; a stalled command times out and never executes late', async () => {
    const clock = new SimClock();
    const target = new SimScsiTarget({ clock });
    const dev = target.connect('a');
    target.setLatency(50);
    let done = false;
    const slow = scsi.testUnitReady(dev).then(() => (done = true));
    await clock.advance(49);
    expect(done).toBe(false);
    await clock.advance(1);
    await slow;
    expect(done).toBe(true);

    target.setLatency(0);
    target.stall();
    const stalled = rejection(scsi.write16(dev, 3n, block(7), { timeoutMs: 1000 }));
    await clock.advance(1000);
    expect(isHalError(await stalled, 'timeout')).toBe(true);
    target.releaseStall();
    expect(target.peek(3)).toEqual(block(0));

    target.stall();
    const released = scsi.write16(dev, 3n, block(8), { timeoutMs: 1000 });
    await clock.advance(500);
    target.releaseStall();
    await released;
    expect(target.peek(3)).toEqual(block(8));
  });
});
