// The few libc calls the ioctl-level drivers need, through koffi. Loaded
// lazily on first use so that sims, pure encoders and their tests never load
// native code, and a board without a koffi prebuild fails only when a real
// device is opened, with a typed error.
import { createRequire } from 'node:module';
import { HalError } from '../errors.ts';
import { SyscallError, errnoValue } from './errors.ts';
import type koffiDefault from 'koffi';

type Koffi = typeof koffiDefault;
type NativeFn = ((...args: unknown[]) => unknown) & {
  async: (...args: unknown[]) => void;
};

interface Libc {
  koffi: Koffi;
  ioctl: NativeFn;
  ioctlValue: NativeFn;
  fcntl: NativeFn;
  socket: NativeFn;
  bind: NativeFn;
  sendto: NativeFn;
  recv: NativeFn;
  close: NativeFn;
  schedSetscheduler: NativeFn;
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
    // The same ioctl for requests whose argument is a value, not a pointer (I2C_SLAVE).
    ioctlValue: lib.func('int ioctl(int fd, unsigned long request, unsigned long arg)') as NativeFn,
    fcntl: lib.func('int fcntl(int fd, int cmd, int arg)') as NativeFn,
    // Raw packet sockets (our own ARP). socklen_t is unsigned int, ssize_t is
    // long on both LP64 ABIs.
    socket: lib.func('int socket(int domain, int type, int protocol)') as NativeFn,
    bind: lib.func('int bind(int fd, const void *addr, unsigned int addrlen)') as NativeFn,
    sendto: lib.func(
      'long sendto(int fd, const void *buf, size_t len, int flags, const void *dest, unsigned int addrlen)',
    ) as NativeFn,
    recv: lib.func('long recv(int fd, void *buf, size_t len, int flags)') as NativeFn,
    close: lib.func('int close(int fd)') as NativeFn,
    // Real-time scheduling for the heartbeat (hal/sched).
    schedSetscheduler: lib.func('int sched_setscheduler(int pid, int policy, const void *param)') as NativeFn,
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

/** ioctl(fd, request, value) for requests that take an integer argument (I2C_SLAVE). */
export function ioctlValueSync(
  fd: number,
  request: number,
  value: number,
  device: string,
  what: string,
): number {
  const c = libc();
  const rc = c.ioctlValue(fd, request, value) as number;
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

// ---- sockets, for the raw AF_PACKET socket of our own ARP (hal/net) --------
// All on the calling thread: with SOCK_NONBLOCK / MSG_DONTWAIT none of them
// waits, so the event loop is never blocked.

/** socket(2); returns the new fd. */
export function socketSync(domain: number, type: number, protocol: number, device: string): number {
  const c = libc();
  const fd = c.socket(domain, type, protocol) as number;
  if (fd < 0) throw new SyscallError('socket', c.koffi.errno(), device);
  return fd;
}

/** bind(2) to an encoded sockaddr. */
export function bindSync(fd: number, addr: Buffer, device: string): void {
  const c = libc();
  if ((c.bind(fd, addr, addr.length) as number) < 0) throw new SyscallError('bind', c.koffi.errno(), device);
}

/** sendto(2); returns the number of bytes sent. */
export function sendToSync(fd: number, data: Buffer, flags: number, addr: Buffer, device: string): number {
  const c = libc();
  const n = c.sendto(fd, data, data.length, flags, addr, addr.length) as number;
  if (n < 0) throw new SyscallError('sendto', c.koffi.errno(), device);
  return n;
}

/**
 * recv(2) into `buf` with `flags` (pass MSG_DONTWAIT): the frame length, or
 * null when nothing is queued (EAGAIN) or a signal interrupted the call.
 */
export function recvSync(fd: number, buf: Buffer, flags: number, device: string): number | null {
  const c = libc();
  const n = c.recv(fd, buf, buf.length, flags) as number;
  if (n >= 0) return n;
  const errno = c.koffi.errno();
  if (errno === errnoValue('EAGAIN') || errno === errnoValue('EINTR')) return null;
  throw new SyscallError('recv', errno, device);
}

/**
 * close(2). Linux releases the descriptor even when close reports an error
 * (EINTR, EIO), so there is nothing to retry; the error is only reported.
 */
export function closeSync(fd: number, device: string): void {
  const c = libc();
  if ((c.close(fd) as number) < 0) throw new SyscallError('close', c.koffi.errno(), device);
}

// ---- scheduling (hal/sched) ----------------------------------------------

/**
 * sched_setscheduler(2) for the calling thread (pid 0) with an encoded
 * struct sched_param. Threads and processes it starts afterwards inherit
 * the policy unless it carries SCHED_RESET_ON_FORK.
 */
export function schedSetschedulerSync(policy: number, param: Buffer): void {
  const c = libc();
  if ((c.schedSetscheduler(0, policy, param) as number) < 0)
    throw new SyscallError('sched_setscheduler', c.koffi.errno(), 'process');
}
