// SgDevice end to end over the sim kernel: the real worker loop, native
// buffers, header encoding and result classification, with only the system
// calls answered by hal/scsi/sg/sim-kernel.ts and the commands executed by a
// SimScsiTarget (SPC-4 persistent reservations included) through SimSgHost.
import { constants } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { PrType } from '../../../hal/scsi/cdb/pr-types.ts';
import * as scsi from '../../../hal/scsi/commands.ts';
import { ScsiStatus } from '../../../hal/scsi/device.ts';
import { isScsiError } from '../../../hal/scsi/errors.ts';
import { decodeSense } from '../../../hal/scsi/sense.ts';
import { DidStatus, SG_IO_HDR_SIZE } from '../../../hal/scsi/sg/constants.ts';
import { SgError } from '../../../hal/scsi/sg/errors.ts';
import { encodeSgIoHdr } from '../../../hal/scsi/sg/header.ts';
import { openSgDevice, type SgDevice } from '../../../hal/scsi/sg/sg-device.ts';
import { SimSgHost } from '../../../hal/scsi/sg/sim-host.ts';
import { SimScsiTarget } from '../../../hal/scsi/sim.ts';

const E = constants.errno;
const opened: SgDevice[] = [];
const hosts: SimSgHost[] = [];

function box() {
  const target = new SimScsiTarget({ blocks: 4096 });
  const a = new SimSgHost({ target, initiator: 'sas:5000c500a0000001', path: '/dev/sg1' });
  const b = new SimSgHost({ target, initiator: 'sas:5000c500b0000001', path: '/dev/sg1' });
  hosts.push(a, b);
  return { target, a, b };
}

async function open(host: SimSgHost, graceMs = 500): Promise<SgDevice> {
  const dev = await openSgDevice({ ...host.deviceOptions(), graceMs });
  opened.push(dev);
  return dev;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((d) => d.close()));
  for (const h of hosts.splice(0)) {
    expect(h.violations).toEqual([]); // the driver never sent a header the kernel would refuse
    h.close();
  }
});

describe('SgDevice over the sim kernel and target', { timeout: 30_000 }, () => {
  it('sends the header byte for byte as REFERENCE section 5 lays it out', async () => {
    const { a } = box();
    const dev = await open(a);
    await scsi.read16(dev, 100n, 2, 512, { timeoutMs: 2500 });
    const got = a.received.at(-1)?.cmd;
    if (got === undefined) throw new Error('no command reached the target');
    expect(got.header).toHaveLength(SG_IO_HDR_SIZE);
    const v = new DataView(got.header.buffer, got.header.byteOffset, SG_IO_HDR_SIZE);
    // Pointers are wherever the worker allocated; everything else is fixed.
    const expected = encodeSgIoHdr({
      direction: -3,
      cmdLen: 16,
      mxSbLen: 252,
      dxferLen: 1024,
      dxferp: v.getBigUint64(16, true),
      cmdp: v.getBigUint64(24, true),
      sbp: v.getBigUint64(32, true),
      // What is left of the command's 2500 ms when it leaves the queue.
      timeoutMs: v.getUint32(40, true),
      flags: 0,
      packId: v.getInt32(48, true),
    });
    expect([...got.header]).toEqual([...expected]);
    expect([v.getBigUint64(16, true), v.getBigUint64(24, true), v.getBigUint64(32, true)]).not.toContain(0n);
    expect(v.getUint32(40, true)).toBeLessThanOrEqual(2500);
    expect(v.getUint32(40, true)).toBeGreaterThan(1500);
    expect(got.cdb).toEqual(Uint8Array.from([0x88, 0, 0, 0, 0, 0, 0, 0, 0, 100, 0, 0, 0, 2, 0, 0]));
  });

  it('reads and writes the medium, and answers INQUIRY and READ CAPACITY', async () => {
    const { target, a } = box();
    const dev = await open(a);
    const block = Uint8Array.from({ length: 1024 }, (_, i) => (i * 7) & 0xff);
    await scsi.write16(dev, 2048n, block, { fua: true });
    expect(target.peek(2048, 2)).toEqual(block);
    expect(await scsi.read16(dev, 2048n, 2, 512)).toEqual(block);
    expect((await scsi.readCapacity16(dev)).lastLba).toBe(4095n);
    expect(await scsi.inquiry(dev)).toMatchObject({ deviceType: 0, version: 6 });
  });

  it('returns a short data-in with its residual', async () => {
    const { a } = box();
    const dev = await open(a);
    const r = await dev.execute({
      cdb: Uint8Array.from([0x12, 0, 0, 0x01, 0, 0]), // INQUIRY, allocation 256
      direction: 'in',
      dataInLength: 256,
      timeoutMs: 1000,
    });
    expect(r.status).toBe(ScsiStatus.GOOD);
    expect(r.data.length).toBeLessThan(256);
    expect(r.residual).toBe(256 - r.data.length);
  });

  it('carries CHECK CONDITION sense from the target to the caller', async () => {
    const { a } = box();
    const dev = await open(a);
    const r = await dev.execute({
      cdb: Uint8Array.from([0x88, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 1, 0, 0]), // READ(16) far past the end
      direction: 'in',
      dataInLength: 512,
      timeoutMs: 1000,
    });
    expect(r.status).toBe(ScsiStatus.CHECK_CONDITION);
    expect(decodeSense(r.sense)).toMatchObject({ senseKey: 0x05, asc: 0x21, ascq: 0x00 });
    expect(r.residual).toBe(512);
  });

  it('runs persistent reservations between two controllers: register, reserve, preempt', async () => {
    const { a, b } = box();
    const devA = await open(a);
    const devB = await open(b);
    await scsi.registerIgnore(devA, 0xa1n);
    await scsi.registerIgnore(devB, 0xb1n);
    await scsi.reserve(devA, 0xa1n, PrType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY);
    expect((await scsi.readKeys(devB)).keys).toEqual([0xa1n, 0xb1n]);
    await scsi.preempt(devB, 0xb1n, 0xa1n, PrType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY);
    expect((await scsi.readReservation(devA)).reservation).toMatchObject({ key: 0xb1n });
    const err = await rejection(scsi.write16(devA, 10n, new Uint8Array(512)));
    expect(isScsiError(err, 'reservation-conflict')).toBe(true);
  });

  it('a vanished device: ENODEV on the open fd, ENOENT on open, then back with UA 29/00', async () => {
    const { a } = box();
    const dev = await open(a);
    a.unplug();
    expect(await rejection(scsi.testUnitReady(dev))).toMatchObject({ code: 'disconnected', errno: E.ENODEV });
    expect(await rejection(openSgDevice(a.deviceOptions()))).toMatchObject({
      code: 'disconnected',
      errno: E.ENOENT,
    });
    a.replug();
    const again = await open(a);
    const r = await again.execute({ cdb: new Uint8Array(6), direction: 'none', timeoutMs: 1000 });
    expect(r.status).toBe(ScsiStatus.CHECK_CONDITION);
    expect(decodeSense(r.sense)).toMatchObject({ senseKey: 0x06, asc: 0x29, ascq: 0x00 });
    await scsi.testUnitReady(again);
  });

  it('maps the HBA host status: DID_NO_CONNECT is disconnected, DID_BUS_BUSY busy', async () => {
    const { a } = box();
    const dev = await open(a);
    a.failNext(1, DidStatus.NO_CONNECT);
    const lost = await rejection(scsi.testUnitReady(dev));
    expect(lost).toBeInstanceOf(SgError);
    expect(lost).toMatchObject({ code: 'disconnected', hostStatus: DidStatus.NO_CONNECT });
    a.failNext(1, DidStatus.BUS_BUSY);
    expect(await rejection(scsi.testUnitReady(dev))).toMatchObject({ code: 'busy' });
    await scsi.testUnitReady(dev);
  });

  it('a target that does not answer: the kernel times the command out (DID_TIME_OUT), then carries on', async () => {
    const { target, a } = box();
    const dev = await open(a, 5000);
    target.stall();
    const err = await rejection(scsi.testUnitReady(dev, { timeoutMs: 150 }));
    // The kernel's answer (a host status), well before the JS-side grace would fire.
    expect(err).toMatchObject({ code: 'timeout', hostStatus: DidStatus.TIME_OUT });
    target.releaseStall(); // the late answer is dropped by the line
    await scsi.testUnitReady(dev);
    expect(await scsi.read16(dev, 0n, 1, 512)).toHaveLength(512);
  });
});
