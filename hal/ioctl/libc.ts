// The few libc calls the ioctl-level drivers need, through koffi. Loaded
// lazily on first use so that sims, pure encoders and their tests never load
// native code, and a board without a koffi prebuild fails only when a real
// device is opened, with a typed error.
import { createRequire } from 'node:module';
import { HalError } from '../errors.ts';
import { SyscallError } from './errors.ts';
import type koffiDefault from 'koffi';

type Koffi = typeof koffiDefault;
type NativeFn = ((...args: unknown[]) => unknown) & {
  async: (...args: unknown[]) => void;
};

interface Libc {
  koffi: Koffi;
  ioctl: NativeFn;
  fcntl: NativeFn;
}

let loaded: Libc | undefined;

function libc(): Libc {
  if (loaded !== undefined) return loaded;
  // The uAPI structs we encode hold 64-bit pointers and aligned u64s; a 32-bit
  // userland (compat ioctls) would need other layouts, so refuse it outright.
  if (process.arch !== 'x64' && process.arch !== 'arm64') {
    throw new HalError('not-supported', 'libc', `ioctl HAL supports x64 and arm64 only, not ${process.arch}`);
  }
  let koffi: Koffi;
  try {
    koffi = createRequire(import.meta.url)('koffi') as Koffi;
  } catch (err) {
    throw new HalError('not-supported', 'libc', 'cannot load koffi (no prebuilt binary for this platform?)', {
      cause: err,
    });
  }
  const lib = koffi.load('libc.so.6');
  // ioctl and fcntl are variadic in C, but on the x86_64 SysV and Linux
  // AAPCS64 ABIs a variadic pointer/int is passed exactly like a fixed one, and
  // a fixed prototype lets koffi run the call on its async worker.
  loaded = {
    koffi,
    ioctl: lib.func('int ioctl(int fd, unsigned long request, void *arg)') as NativeFn,
    fcntl: lib.func('int fcntl(int fd, int cmd, int arg)') as NativeFn,
  };
  return loaded;
}

/** The koffi module itself, for struct declarations (layout self-checks). */
export function koffiModule(): Koffi {
  return libc().koffi;
}

/**
 * ioctl(fd, request, arg) on the calling thread. Use for calls the kernel
 * answers without waiting on hardware (GPIO values, watchdog pings).
 */
export function ioctlSync(
  fd: number,
  request: number,
  arg: Buffer | null,
  device: string,
  what: string,
): number {
  const c = libc();
  const rc = c.ioctl(fd, request, arg) as number;
  if (rc < 0) throw new SyscallError(`ioctl(${what})`, c.koffi.errno(), device);
  return rc;
}

/**
 * ioctl on koffi's worker thread, for calls that wait on a slow bus (I2C).
 * Every buffer reachable through raw pointers inside `arg` must stay
 * referenced by the caller until the promise settles.
 */
export function ioctlAsync(
  fd: number,
  request: number,
  arg: Buffer | null,
  device: string,
  what: string,
): Promise<number> {
  const c = libc();
  return new Promise((resolve, reject) => {
    c.ioctl.async(fd, request, arg, (err: unknown, rc: number) => {
      if (err !== null && err !== undefined) {
        reject(new HalError('io', device, `ioctl(${what}) could not be issued`, { cause: err }));
      } else if (rc < 0) {
        reject(new SyscallError(`ioctl(${what})`, c.koffi.errno(), device));
      } else {
        resolve(rc);
      }
    });
  });
}

const F_GETFL = 3;
const F_SETFL = 4;
const O_NONBLOCK = 0o4000;

/** Make reads on fd return EAGAIN instead of blocking the event loop. */
export function setNonBlocking(fd: number, device: string): void {
  const c = libc();
  const flags = c.fcntl(fd, F_GETFL, 0) as number;
  if (flags < 0) throw new SyscallError('fcntl(F_GETFL)', c.koffi.errno(), device);
  if ((c.fcntl(fd, F_SETFL, flags | O_NONBLOCK) as number) < 0) {
    throw new SyscallError('fcntl(F_SETFL)', c.koffi.errno(), device);
  }
}

export interface ReadableWatch {
  close(): void;
}

/** Call `onReadable` from the event loop whenever fd becomes readable (libuv poll). */
export function watchReadable(fd: number, onReadable: () => void): ReadableWatch {
  const handle = libc().koffi.node.poll(fd, { readable: true, disconnect: true }, () => onReadable());
  return {
    close: () => {
      handle.stop();
      handle.close();
    },
  };
}

/** Address of a Buffer's bytes, for pointers embedded in ioctl structs. */
export function addressOf(buf: Buffer): bigint {
  return libc().koffi.address(buf);
}
