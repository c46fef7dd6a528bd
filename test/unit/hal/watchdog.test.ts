import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import { SyscallError } from '../../../hal/ioctl/errors.ts';
import { LinuxWatchdog } from '../../../hal/watchdog/linux.ts';
import { SimWatchdog } from '../../../hal/watchdog/sim.ts';
import { decodeInt, encodeInt } from '../../../hal/watchdog/uapi.ts';

describe('LinuxWatchdog syscall layer', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('maps ENOTTY from a non-watchdog device to not-supported for every ioctl', async () => {
    const wd = new LinuxWatchdog('/dev/null');
    await wd.open();
    const expected = { code: 'not-supported', errnoName: 'ENOTTY' };
    await expect(wd.keepalive()).rejects.toMatchObject({ ...expected, syscall: 'ioctl(WDIOC_KEEPALIVE)' });
    await expect(wd.setTimeoutSeconds(10)).rejects.toBeInstanceOf(SyscallError);
    await expect(wd.getTimeoutSeconds()).rejects.toMatchObject(expected);
    await wd.close(true);
  });

  it('writes the magic V only on a magic close', async () => {
    dir = mkdtempSync(join(tmpdir(), 'tandem-wd-'));
    const dev = join(dir, 'watchdog');
    writeFileSync(dev, '');
    const wd = new LinuxWatchdog(dev);
    await wd.open();
    await wd.close(false);
    expect(readFileSync(dev, 'utf8')).toBe('');
    await wd.open();
    await wd.close(true);
    expect(readFileSync(dev, 'utf8')).toBe('V');
  });

  it('does not create a missing device, refuses double open and use before open', async () => {
    const missing = new LinuxWatchdog('/nonexistent/watchdog');
    await expect(missing.open()).rejects.toMatchObject({ code: 'disconnected', errnoName: 'ENOENT' });
    const wd = new LinuxWatchdog('/dev/null');
    await expect(wd.keepalive()).rejects.toMatchObject({ code: 'not-open' });
    await expect(wd.close(true)).rejects.toMatchObject({ code: 'not-open' });
    await wd.open();
    await expect(wd.open()).rejects.toMatchObject({ code: 'busy' });
    await expect(wd.setTimeoutSeconds(0)).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(wd.setTimeoutSeconds(65536)).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(wd.setTimeoutSeconds(2.5)).rejects.toMatchObject({ code: 'invalid-argument' });
    await wd.close(true);
  });

  it('encodes the int argument the ioctls exchange', () => {
    expect(encodeInt(30).toString('hex')).toBe('1e000000');
    expect(decodeInt(Buffer.from('3c000000', 'hex'))).toBe(60);
  });
});

describe('SimWatchdog', () => {
  it('fires when not fed within the timeout, and keepalives hold it off', async () => {
    const clock = new SimClock();
    const wd = new SimWatchdog({ clock, defaultTimeoutS: 60 });
    const fired: number[] = [];
    wd.on('fired', (at) => fired.push(at));
    await wd.open();
    expect(await wd.setTimeoutSeconds(5)).toBe(5);
    for (let i = 0; i < 10; i++) {
      await clock.advance(4000);
      await wd.keepalive();
    }
    expect(wd.fired).toBe(false);
    expect(wd.keepalives).toBe(10);
    await clock.advance(4999);
    expect(wd.fired).toBe(false);
    await clock.advance(1);
    expect(wd.fired).toBe(true);
    expect(fired).toEqual([45_000]);
    await expect(wd.keepalive()).rejects.toMatchObject({ code: 'disconnected' });
  });

  it('validates the timeout against the hardware range and rounds to its step', async () => {
    const wd = new SimWatchdog({
      clock: new SimClock(),
      minTimeoutS: 2,
      maxTimeoutS: 118,
      defaultTimeoutS: 30,
      granularityS: 4,
    });
    await expect(wd.setTimeoutSeconds(10)).rejects.toMatchObject({ code: 'not-open' });
    await wd.open();
    expect(await wd.getTimeoutSeconds()).toBe(30);
    expect(await wd.setTimeoutSeconds(10)).toBe(12);
    expect(await wd.getTimeoutSeconds()).toBe(12);
    expect(await wd.setTimeoutSeconds(117)).toBe(116); // 120 would exceed the hardware maximum
    await expect(wd.setTimeoutSeconds(1)).rejects.toMatchObject({
      code: 'invalid-argument',
      errnoName: 'EINVAL',
    });
    await expect(wd.setTimeoutSeconds(119)).rejects.toMatchObject({ errnoName: 'EINVAL' });
    await expect(wd.setTimeoutSeconds(70000)).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(wd.setTimeoutSeconds(Number.NaN)).rejects.toMatchObject({ code: 'invalid-argument' });
  });

  it('setting the timeout also pings, as the kernel does', async () => {
    const clock = new SimClock();
    const wd = new SimWatchdog({ clock, defaultTimeoutS: 10 });
    await wd.open();
    await clock.advance(9000);
    await wd.setTimeoutSeconds(10);
    await clock.advance(9000);
    expect(wd.fired).toBe(false);
  });

  it('magic close disarms; a plain close leaves it armed and it fires', async () => {
    const clock = new SimClock();
    const wd = new SimWatchdog({ clock, defaultTimeoutS: 10 });
    await wd.open();
    await wd.close(true);
    expect(wd.armed).toBe(false);
    await clock.advance(60_000);
    expect(wd.fired).toBe(false);

    await wd.open();
    expect(wd.armed).toBe(true);
    await clock.advance(5000);
    await wd.close(false);
    expect(wd.armed).toBe(true);
    await wd.open(); // reopening does not restart the countdown
    await clock.advance(5000);
    expect(wd.fired).toBe(true);
  });

  it('with nowayout, even a magic close leaves it armed', async () => {
    const clock = new SimClock();
    const wd = new SimWatchdog({ clock, defaultTimeoutS: 10, nowayout: true });
    await wd.open();
    await wd.close(true);
    expect(wd.armed).toBe(true);
    await clock.advance(10_000);
    expect(wd.fired).toBe(true);
  });

  it('is single-open like /dev/watchdog', async () => {
    const wd = new SimWatchdog({ clock: new SimClock() });
    await wd.open();
    await expect(wd.open()).rejects.toMatchObject({ code: 'busy', errnoName: 'EBUSY' });
  });
});
