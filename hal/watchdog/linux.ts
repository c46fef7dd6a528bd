// The Linux /dev/watchdog driver: opening arms it, WDIOC_KEEPALIVE pings,
// WDIOC_SETTIMEOUT returns the timeout the hardware granted, and writing 'V'
// just before close disarms it (unless the kernel has nowayout set).
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { HalError } from '../errors.ts';
import { paths } from '../paths.ts';
import { fromNodeError } from '../ioctl/errors.ts';
import { ioctlSync } from '../ioctl/libc.ts';
import { assertWatchdogLayouts } from './structs.ts';
import { validateTimeoutSeconds } from './timeout.ts';
import { MAGIC_CLOSE_CHAR, WDIOC, decodeInt, encodeInt } from './uapi.ts';
import type { Watchdog } from './watchdog.ts';

export class LinuxWatchdog implements Watchdog {
  readonly description: string;
  private fd: number | null = null;

  constructor(path: string = paths.watchdogDev) {
    this.description = path;
  }

  open(): Promise<void> {
    return Promise.resolve().then(() => {
      if (this.fd !== null) throw new HalError('busy', this.description, 'already open');
      assertWatchdogLayouts(this.description);
      try {
        // No O_CREAT: a missing device must fail, not become a regular file.
        // (libuv opens every fd close-on-exec, so children never inherit it.)
        this.fd = openSync(this.description, constants.O_WRONLY);
      } catch (err) {
        throw fromNodeError('open', this.description, err);
      }
    });
  }

  keepalive(): Promise<void> {
    return Promise.resolve().then(() => {
      ioctlSync(this.openFd(), WDIOC.WDIOC_KEEPALIVE, encodeInt(0), this.description, 'WDIOC_KEEPALIVE');
    });
  }

  setTimeoutSeconds(seconds: number): Promise<number> {
    return Promise.resolve().then(() => {
      const buf = encodeInt(validateTimeoutSeconds(this.description, seconds));
      ioctlSync(this.openFd(), WDIOC.WDIOC_SETTIMEOUT, buf, this.description, 'WDIOC_SETTIMEOUT');
      return decodeInt(buf);
    });
  }

  getTimeoutSeconds(): Promise<number> {
    return Promise.resolve().then(() => {
      const buf = encodeInt(0);
      ioctlSync(this.openFd(), WDIOC.WDIOC_GETTIMEOUT, buf, this.description, 'WDIOC_GETTIMEOUT');
      return decodeInt(buf);
    });
  }

  close(magic: boolean): Promise<void> {
    return Promise.resolve().then(() => {
      const fd = this.openFd();
      this.fd = null;
      try {
        if (magic) writeSync(fd, MAGIC_CLOSE_CHAR);
      } catch (err) {
        throw fromNodeError('write(magic close)', this.description, err);
      } finally {
        closeSync(fd);
      }
    });
  }

  private openFd(): number {
    if (this.fd === null) throw new HalError('not-open', this.description, 'watchdog is not open');
    return this.fd;
  }
}
