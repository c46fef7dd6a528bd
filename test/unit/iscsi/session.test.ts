import { afterEach, describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import { SystemClock } from '../../../hal/clock/system.ts';
import { isHalError, type HalError } from '../../../hal/errors.ts';
import type { ScsiCommand } from '../../../hal/scsi/device.ts';
import { IscsiInitiator } from '../../../hal/scsi/iscsi/initiator.ts';
import { IscsiLoginError, IscsiProtocolError } from '../../../hal/scsi/iscsi/errors.ts';
import { InitiatorOpcode, RESERVED_TAG } from '../../../hal/scsi/iscsi/pdu.ts';
import { BLOCK, FakeTarget, TARGET_IQN, targetPdu, waitFor, type FakeTargetOptions } from './fake-target.ts';

const INITIATOR = 'iqn.2026-11.invalid.tandem:unit';

function cdb16(opcode: number, lba: number, blocks: number, byte1 = 0): Buffer {
  const c = Buffer.alloc(16);
  c[0] = opcode;
  c[1] = byte1;
  c.writeBigUInt64BE(BigInt(lba), 2);
  c.writeUInt32BE(blocks, 10);
  return c;
}
const read16 = (lba: number, blocks: number, timeoutMs = 1000): ScsiCommand => ({
  cdb: cdb16(0x88, lba, blocks),
  direction: 'in',
  dataInLength: blocks * BLOCK,
  timeoutMs,
});
const write16 = (lba: number, data: Buffer): ScsiCommand => ({
  cdb: cdb16(0x8a, lba, data.length / BLOCK, 0x08),
  direction: 'out',
  dataOut: data,
  timeoutMs: 1000,
});
const TUR: ScsiCommand = { cdb: Buffer.alloc(6), direction: 'none', timeoutMs: 1000 };

let target: FakeTarget | undefined;
let dev: IscsiInitiator | undefined;
afterEach(async () => {
  await dev?.close();
  await target?.stop();
  dev = undefined;
  target = undefined;
});

async function setup(opts: FakeTargetOptions = {}, auth: unknown = { method: 'none' }) {
  target = await FakeTarget.start(opts);
  const clock = new SimClock();
  dev = new IscsiInitiator(
    {
      portal: { host: '127.0.0.1', port: target.port },
      targetIqn: TARGET_IQN,
      initiatorName: INITIATOR,
      lun: 1,
      auth,
      reconnect: { initialDelayMs: 100, maxDelayMs: 1000, jitter: 0 },
    },
    { clock },
  );
  return { target, dev, clock };
}

function pattern(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

describe('iSCSI session against a scripted target', () => {
  it('logs in with AuthMethod=None and assumes MaxRecvDataSegmentLength 8192 when undeclared', async () => {
    const { dev, target } = await setup();
    await dev.connect();
    expect(dev.state).toBe('connected');
    expect(dev.negotiated).toMatchObject({
      targetMaxRecvDataSegmentLength: 8192,
      immediateData: true,
      tsih: 1,
    });
    expect(target.initiatorNames).toEqual([INITIATOR]);
    const r = await dev.execute(TUR);
    expect(r.status).toBe(0);
  });

  it('logs in with CHAP MD5 and is refused with a typed error on a wrong secret', async () => {
    const { dev } = await setup(
      { chap: { username: 'alice', secret: 'a-secret-of-16ch' } },
      {
        method: 'chap',
        username: 'alice',
        secret: 'a-secret-of-16ch',
      },
    );
    await dev.connect();
    expect(dev.state).toBe('connected');
    await dev.close();

    const bad = await setup(
      { chap: { username: 'alice', secret: 'right' } },
      { method: 'chap', username: 'alice', secret: 'wrong' },
    );
    const err = await bad.dev.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(IscsiLoginError);
    expect((err as IscsiLoginError).statusClass).toBe(2);
    expect((err as IscsiLoginError).message).toMatch(/authentication failed/);
    expect(bad.dev.state).toBe('idle');
  });

  it('reads multi-PDU Data-In with status folded into the last PDU, and reports residuals', async () => {
    const { dev, target } = await setup({ dataInChunk: 1000 });
    pattern(64 * BLOCK, 3).copy(target.disk, 0);
    await dev.connect();
    const r = await dev.execute(read16(0, 64));
    expect(r.status).toBe(0);
    expect(Buffer.from(r.data).equals(target.disk.subarray(0, 64 * BLOCK))).toBe(true);
    const inq = await dev.execute({
      cdb: Buffer.from([0x12, 0, 0, 0, 96, 0]),
      direction: 'in',
      dataInLength: 96,
      timeoutMs: 500,
    });
    expect(inq.data.length).toBe(36);
    expect(inq.residual).toBe(60);
  });

  it('writes with immediate data and answers R2T with Data-Out no larger than the target MRDSL', async () => {
    const { dev, target } = await setup({ declareMrdsl: 4096 });
    await dev.connect();
    const data = pattern(600 * 1024, 9);
    const r = await dev.execute(write16(10, data));
    expect(r.status).toBe(0);
    expect(target.disk.subarray(10 * BLOCK, 10 * BLOCK + data.length).equals(data)).toBe(true);
    const cmd = target.commands[0]!;
    expect(cmd.immediate.length).toBe(4096); // min(FirstBurstLength, target MRDSL)
    const outs = target.received.filter((p) => p.opcode === InitiatorOpcode.DATA_OUT);
    expect(outs.length).toBeGreaterThan(100);
    expect(Math.max(...outs.map((p) => p.data.length))).toBeLessThanOrEqual(4096);
    expect(outs.reduce((n, p) => n + p.data.length, 0)).toBe(data.length - 4096);
  });

  it('returns CHECK CONDITION with sense data as a result, not an exception', async () => {
    const { dev } = await setup();
    await dev.connect();
    const r = await dev.execute({
      cdb: Buffer.from([0xc1, 0, 0, 0, 0, 0]),
      direction: 'none',
      timeoutMs: 500,
    });
    expect(r.status).toBe(2);
    expect(r.sense[2]).toBe(5);
    expect(r.sense[12]).toBe(0x20);
  });

  it('answers a NOP-In ping by echoing TTT, LUN and data in an immediate NOP-Out', async () => {
    const { dev, target } = await setup();
    await dev.connect();
    target.last.sendNopIn(0xabcd, Buffer.from('ping'));
    await waitFor(() => target.received.some((p) => p.opcode === InitiatorOpcode.NOP_OUT), 'NOP-Out');
    const nop = target.received.find((p) => p.opcode === InitiatorOpcode.NOP_OUT)!;
    expect(nop.immediate).toBe(true);
    expect(nop.bhs.readUInt32BE(16)).toBe(RESERVED_TAG);
    expect(nop.bhs.readUInt32BE(20)).toBe(0xabcd);
    expect(nop.bhs[9]).toBe(1);
    expect(nop.data.toString()).toBe('ping');
    expect((await dev.execute(TUR)).status).toBe(0);
  });

  it('advances CmdSN per command and waits for the window to open', async () => {
    const { dev, target } = await setup({ window: 1 });
    await dev.connect();
    const results = await Promise.all([dev.execute(TUR), dev.execute(TUR), dev.execute(TUR)]);
    expect(results.map((r) => r.status)).toEqual([0, 0, 0]);
    const sns = target.commands.map((c) => c.cmdSN);
    expect(sns[1]).toBe(sns[0]! + 1);
    expect(sns[2]).toBe(sns[0]! + 2);
  });

  it('fails outstanding commands with a typed protocol error on a bad opcode', async () => {
    const { dev, target } = await setup();
    await dev.connect();
    target.onCommand = () => 'handled';
    const pending = dev.execute(TUR);
    await waitFor(() => target.commands.length === 1, 'command at target');
    target.last.send(targetPdu(0x1c, 0x80, () => {}));
    const err = await pending.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(IscsiProtocolError);
    expect((err as HalError).message).toMatch(/opcode 0x1c/);
  });

  it('treats a response for an unknown ITT as a protocol violation', async () => {
    const { dev, target } = await setup();
    await dev.connect();
    target.onCommand = () => 'handled';
    const pending = dev.execute(TUR);
    await waitFor(() => target.commands.length === 1, 'command at target');
    target.last.sendResponse(0x7777, 0);
    const err = await pending.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isHalError(err, 'protocol')).toBe(true);
    expect((err as HalError).message).toMatch(/unknown ITT 0x7777/);
  });

  it('times out a command with a typed error and drops the connection (ERL 0), then reconnects', async () => {
    const { dev, target, clock } = await setup();
    const events: string[] = [];
    dev.on('disconnected', ({ error }) => events.push(`disconnected:${error.code}`));
    dev.on('reconnected', ({ attempts }) => events.push(`reconnected:${attempts}`));
    await dev.connect();
    target.onCommand = () => 'handled';
    const pending = dev.execute({ ...TUR, timeoutMs: 250 });
    await waitFor(() => target.commands.length === 1, 'command at target');
    await clock.advance(249);
    let settled = false;
    void pending.catch(() => (settled = true));
    await clock.advance(0);
    expect(settled).toBe(false);
    await clock.advance(1);
    const err = await pending.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isHalError(err, 'timeout')).toBe(true);
    expect(events).toEqual(['disconnected:disconnected']);
    expect(dev.state).toBe('reconnecting');
    target.onCommand = () => 'default';
    await clock.advance(100);
    await waitFor(() => dev.state === 'connected', 'reconnect');
    expect(events).toEqual(['disconnected:disconnected', 'reconnected:1']);
    expect(target.connections.length).toBe(2);
    expect((await dev.execute(TUR)).status).toBe(0);
  });

  it('times each command out at its own deadline, however their timeouts interleave', async () => {
    const { dev, target, clock } = await setup();
    await dev.connect();
    // Completed commands leave the shared deadline timer armed; it must not fire anything.
    for (let i = 0; i < 5; i++) expect((await dev.execute({ ...TUR, timeoutMs: 100 })).status).toBe(0);
    await clock.advance(150);
    expect(dev.state).toBe('connected');
    target.onCommand = () => 'handled';
    const before = target.commands.length;
    const long = dev.execute({ ...TUR, timeoutMs: 800 });
    await clock.advance(100);
    const short = dev.execute({ ...TUR, timeoutMs: 300 }); // due at 400, before the first (at 800)
    await waitFor(() => target.commands.length === before + 2, 'commands at target');
    const outcome = (p: Promise<unknown>) =>
      p.then(
        () => 'resolved',
        (e: unknown) => (e as HalError).code,
      );
    const results = Promise.all([outcome(short), outcome(long)]);
    await clock.advance(299);
    expect(dev.state).toBe('connected');
    await clock.advance(1);
    // The short one times out; ERL 0 drops the session, failing the long one as disconnected.
    expect(await results).toEqual(['timeout', 'disconnected']);
  });

  it('reads an answer that came in during a stall of its own before timing the command out', async () => {
    // Real timers: after a stall Node runs due timers before it reads the
    // sockets, so the answer sits unread when the deadline fires.
    target = await FakeTarget.start({});
    dev = new IscsiInitiator(
      {
        portal: { host: '127.0.0.1', port: target.port },
        targetIqn: TARGET_IQN,
        initiatorName: INITIATOR,
        lun: 1,
        auth: { method: 'none' },
      },
      { clock: new SystemClock() },
    );
    await dev.connect();
    target.onCommand = () => {
      // The target answers at once; then this process stalls past the deadline.
      queueMicrotask(() => {
        const until = performance.now() + 300;
        while (performance.now() < until);
      });
      return 'default';
    };
    const r = await dev.execute({ ...TUR, timeoutMs: 100 });
    expect(r.status).toBe(0);
    expect(dev.state).toBe('connected');
  });

  it('rejects an in-flight command with a typed disconnected error when the link drops, and backs off', async () => {
    const { dev, target, clock } = await setup();
    await dev.connect();
    target.onCommand = () => 'handled';
    const pending = dev.execute({ ...TUR, timeoutMs: 5000 });
    await waitFor(() => target.commands.length === 1, 'command at target');
    await target.stop(); // connection drops and the portal is gone: reconnects fail
    const err = await pending.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isHalError(err, 'disconnected')).toBe(true);
    await expect(dev.execute(TUR)).rejects.toMatchObject({ code: 'disconnected' });
    expect(dev.backoffDelay(0)).toBe(100);
    expect(dev.backoffDelay(3)).toBe(800);
    expect(dev.backoffDelay(10)).toBe(1000);
    // The first retry is refused (portal gone): still reconnecting, no 'reconnected'.
    let reconnected = false;
    dev.on('reconnected', () => (reconnected = true));
    await clock.advance(100);
    await new Promise((r) => setTimeout(r, 50));
    expect(dev.state).toBe('reconnecting');
    expect(reconnected).toBe(false);
  });

  it('logs out on close and fails later commands with closed', async () => {
    const { dev, target } = await setup();
    await dev.connect();
    await dev.close();
    expect(target.received.some((p) => p.opcode === InitiatorOpcode.LOGOUT_REQUEST)).toBe(true);
    await expect(dev.execute(TUR)).rejects.toMatchObject({ code: 'closed' });
  });
});
