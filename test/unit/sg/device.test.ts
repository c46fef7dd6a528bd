// End to end through the worker thread and koffi, without SCSI hardware: the
// kernel rejects SG_IO on non-SCSI fds with ENOTTY, which proves the real
// ioctl ran in the worker and that errno comes back as a typed error. A
// stand-in worker (fixtures/stalled-worker.ts) blocks natively to test
// timeouts, queueing, close() and that the main event loop keeps running.
import diagnostics from 'node:diagnostics_channel';
import { constants } from 'node:os';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { ScsiCommand } from '../../../hal/scsi/device.ts';
import { openSgDevice } from '../../../hal/scsi/sg/sg-device.ts';
import type { SgDevice, SgDeviceOptions } from '../../../hal/scsi/sg/sg-device.ts';
import { SgError } from '../../../hal/scsi/sg/errors.ts';

const TUR: ScsiCommand = { cdb: new Uint8Array(6), direction: 'none', timeoutMs: 1000 };
const INQUIRY: ScsiCommand = {
  cdb: new Uint8Array([0x12, 0, 0, 0, 96, 0]),
  direction: 'in',
  dataInLength: 96,
  timeoutMs: 1000,
};
const STALLED = new URL('./fixtures/stalled-worker.ts', import.meta.url);
const SLOW_START = new URL('./fixtures/slow-start-worker.ts', import.meta.url);

const dir = mkdtempSync(join(tmpdir(), 'tandem-sg-'));
const regularFile = join(dir, 'not-a-disk');
writeFileSync(regularFile, 'plain file');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const opened: SgDevice[] = [];
async function open(opts: SgDeviceOptions): Promise<SgDevice> {
  const dev = await openSgDevice(opts);
  opened.push(dev);
  return dev;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((d) => d.close()));
});

async function rejection(p: Promise<unknown>): Promise<SgError> {
  const err = await p.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  if (!(err instanceof SgError)) throw err;
  return err;
}

describe('SG_IO through the worker on non-SCSI files', () => {
  it.each([
    ['/dev/null', '/dev/null'],
    ['a regular file', regularFile],
  ])('%s: the real ioctl fails with ENOTTY -> not-supported', async (_name, path) => {
    const dev = await open({ path });
    expect(dev.description).toBe(path);
    for (const cmd of [TUR, INQUIRY, { ...TUR, direction: 'out', dataOut: new Uint8Array(512) } as const]) {
      const err = await rejection(dev.execute(cmd));
      expect(err.code).toBe('not-supported');
      expect(err.errno).toBe(constants.errno.ENOTTY);
      expect(err.message).toBe(`${path}: ioctl(SG_IO) failed: ENOTTY`);
    }
  });

  it('serialises a burst of commands and answers every one in order', async () => {
    const dev = await open({ path: '/dev/null' });
    const order: number[] = [];
    const all = Array.from({ length: 50 }, (_, i) =>
      dev.execute(TUR).catch((e: unknown) => {
        order.push(i);
        return e;
      }),
    );
    const results = await Promise.all(all);
    expect(results.every((e) => e instanceof SgError && e.code === 'not-supported')).toBe(true);
    expect(order).toEqual([...Array(50).keys()]);
  });

  it('uses paths.scsiGeneric (TANDEM_SCSI_GENERIC) when no path is given', async () => {
    vi.stubEnv('TANDEM_SCSI_GENERIC', regularFile);
    vi.resetModules();
    try {
      const fresh = await import('../../../hal/scsi/sg/sg-device.ts');
      const dev = await fresh.openSgDevice();
      opened.push(dev);
      expect(dev.description).toBe(regularFile);
      // A fresh module graph has its own SgError class, so match on fields.
      await expect(dev.execute(TUR)).rejects.toMatchObject({
        code: 'not-supported',
        errno: constants.errno.ENOTTY,
      });
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('fails open with a typed error naming the errno', async () => {
    const err = await rejection(openSgDevice({ path: join(dir, 'missing-sg') }));
    expect(err.code).toBe('disconnected');
    expect(err.errno).toBe(constants.errno.ENOENT);
    expect((await rejection(openSgDevice({ path: dir }))).errno).toBe(constants.errno.EISDIR);
    expect((await rejection(openSgDevice({ path: 'dev/sg0' }))).code).toBe('invalid-argument');
    expect((await rejection(openSgDevice({ path: '/dev/null', graceMs: -1 }))).code).toBe('invalid-argument');
  });

  it('an absent node fails without starting a worker (the disk path asks once per heartbeat interval)', async () => {
    // Node publishes each new Worker on this channel.
    let started = 0;
    const count = (): void => void started++;
    diagnostics.subscribe('worker_threads', count);
    try {
      const err = await rejection(openSgDevice({ path: join(dir, 'absent-sg') }));
      expect(err.errno).toBe(constants.errno.ENOENT);
      expect(started).toBe(0);
      // The channel does see the worker of a node that exists.
      await open({ path: regularFile });
      expect(started).toBe(1);
    } finally {
      diagnostics.unsubscribe('worker_threads', count);
    }
  });

  it('an open that times out while the worker still starts fails typed, and the process lives on', async () => {
    const err = await rejection(
      openSgDevice({ path: '/slow/600', workerUrl: SLOW_START, openTimeoutMs: 100 }),
    );
    expect(err.code).toBe('timeout');
    expect(err.message).toMatch(/open took over 100 ms/);
    // The worker finishes starting, is retired, and a later open works.
    await new Promise((r) => setTimeout(r, 800));
    const dev = await open({ path: '/dev/null' });
    expect(dev.description).toBe('/dev/null');
  });

  it('rejects invalid commands before they reach the worker', async () => {
    const dev = await open({ path: '/dev/null' });
    const err = await rejection(dev.execute({ ...TUR, cdb: new Uint8Array(3) }));
    expect(err.code).toBe('invalid-argument');
    expect((await rejection(dev.execute(TUR))).code).toBe('not-supported'); // still usable
  });

  it('close() ends the worker; later commands fail with closed', async () => {
    const dev = await openSgDevice({ path: '/dev/null' });
    await dev.close();
    await dev.close(); // idempotent
    await expect(dev.execute(TUR)).rejects.toMatchObject({ code: 'closed' });
  });
});

describe('a worker blocked in a native call (stand-in for a slow HBA)', () => {
  it('keeps the main event loop ticking while the worker is blocked', async () => {
    const dev = await open({ path: '/stall/400', workerUrl: STALLED });
    let ticks = 0;
    const interval = setInterval(() => ticks++, 10);
    const started = Date.now();
    const r = await dev.execute({ ...INQUIRY, dataInLength: 4 });
    clearInterval(interval);
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    expect(r.status).toBe(0);
    expect(ticks).toBeGreaterThanOrEqual(15); // ~40 expected; a blocked loop gives 0-1
  });

  it('rejects with a typed timeout after timeoutMs + grace, drops the late reply, then carries on', async () => {
    const dev = await open({ path: '/stall/600', workerUrl: STALLED, graceMs: 50 });
    const started = Date.now();
    const err = await rejection(dev.execute({ ...TUR, timeoutMs: 100 }));
    expect(err.code).toBe('timeout');
    expect(err.message).toMatch(/with no answer from SG_IO/);
    expect(Date.now() - started).toBeLessThan(500);
    // The next command waits for the worker to come back, then runs normally;
    // its header timeout is what remains of its own budget.
    const r = await dev.execute({ ...INQUIRY, dataInLength: 4, timeoutMs: 3000 });
    expect(r.status).toBe(0);
    const headerTimeout = new DataView(r.data.buffer, r.data.byteOffset).getUint32(0, true);
    expect(headerTimeout).toBeLessThanOrEqual(3000);
    expect(headerTimeout).toBeGreaterThan(2000);
  });

  it('times out a command still queued behind a stuck one', async () => {
    const dev = await open({ path: '/stall/500', workerUrl: STALLED, graceMs: 0 });
    const first = dev.execute({ ...TUR, timeoutMs: 3000 });
    const second = await rejection(dev.execute({ ...TUR, timeoutMs: 50 }));
    expect(second.code).toBe('timeout');
    expect(second.message).toMatch(/while queued/);
    expect((await first).status).toBe(0);
  });

  it('close() returns promptly even when the worker is stuck, failing the pending command', async () => {
    const dev = await openSgDevice({ path: '/stall/1500', workerUrl: STALLED, closeTimeoutMs: 100 });
    const pending = dev.execute({ ...TUR, timeoutMs: 5000 }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50)); // let it reach the worker
    const started = Date.now();
    await dev.close();
    expect(Date.now() - started).toBeLessThan(600);
    expect(await pending).toMatchObject({ code: 'closed' });
    await expect(dev.execute(TUR)).rejects.toMatchObject({ code: 'closed' });
  });
});
