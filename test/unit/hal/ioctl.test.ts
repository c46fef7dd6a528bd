import { describe, expect, it } from 'vitest';
import {
  errnoName,
  errnoValue,
  fromNodeError,
  halCodeForErrno,
  SyscallError,
} from '../../../hal/ioctl/errors.ts';
import { io, ioc, ior, iow, iowr } from '../../../hal/ioctl/ioc.ts';
import { ioctlSync } from '../../../hal/ioctl/libc.ts';
import { openSync, closeSync } from 'node:fs';

describe('_IOC encoding', () => {
  it('matches well-known request numbers', () => {
    expect(iowr(0xb4, 0x07, 592)).toBe(0xc250b407); // GPIO_V2_GET_LINE_IOCTL
    expect(ior('W', 5, 4)).toBe(0x80045705); // WDIOC_KEEPALIVE
    expect(iow('T', 0x31, 4)).toBe(0x40045431); // TIOCSPTLCK
    expect(io('T', 0x40)).toBe(0x5440);
    expect(ioc(0, 0x22, 0x85, 0)).toBe(0x2285); // SG_IO is an old-style plain number
  });

  it('rejects fields that do not fit', () => {
    expect(() => ior('W', 256, 4)).toThrow(/nr/);
    expect(() => ior('W', 1, 1 << 14)).toThrow(/size/);
    expect(() => ioc(4, 1, 1, 1)).toThrow(/dir/);
  });
});

describe('errno mapping', () => {
  it('names errnos, including Linux ones Node does not list', () => {
    expect(errnoName(errnoValue('ENOTTY'))).toBe('ENOTTY');
    expect(errnoValue('EREMOTEIO')).toBe(121);
    expect(errnoName(121)).toBe('EREMOTEIO');
    expect(errnoName(9999)).toBe('errno 9999');
    expect(() => errnoValue('ENOPE')).toThrow(/unknown errno/);
  });

  it('maps errnos to HAL error codes', () => {
    expect(halCodeForErrno(errnoValue('EBUSY'))).toBe('busy');
    expect(halCodeForErrno(errnoValue('ENOTTY'))).toBe('not-supported');
    expect(halCodeForErrno(errnoValue('EINVAL'))).toBe('invalid-argument');
    expect(halCodeForErrno(errnoValue('ETIMEDOUT'))).toBe('timeout');
    expect(halCodeForErrno(errnoValue('ENODEV'))).toBe('disconnected');
    expect(halCodeForErrno(errnoValue('EIO'))).toBe('io');
  });

  it('turns Node fs errors (negative errno) into SyscallErrors', () => {
    let nodeErr: unknown;
    try {
      openSync('/nonexistent/x', 'r');
    } catch (err) {
      nodeErr = err;
    }
    const err = fromNodeError('open', '/nonexistent/x', nodeErr);
    expect(err).toBeInstanceOf(SyscallError);
    expect(err).toMatchObject({ errnoName: 'ENOENT', code: 'disconnected', syscall: 'open' });
    expect(fromNodeError('x', 'y', 'plain')).toBeInstanceOf(Error);
  });
});

describe('ioctl through koffi', () => {
  it('reports the real errno of a failed ioctl as a typed error', () => {
    const fd = openSync('/dev/null', 'r');
    try {
      expect(() =>
        ioctlSync(fd, 0x5413 /* TIOCGWINSZ */, Buffer.alloc(8), '/dev/null', 'TIOCGWINSZ'),
      ).toThrow(
        expect.objectContaining({ errnoName: 'ENOTTY', syscall: 'ioctl(TIOCGWINSZ)', code: 'not-supported' }),
      );
    } finally {
      closeSync(fd);
    }
    expect(() => ioctlSync(-1, 0x5413, Buffer.alloc(8), 'bad fd', 'TIOCGWINSZ')).toThrow(
      expect.objectContaining({ errnoName: 'EBADF', code: 'closed' }),
    );
  });
});
