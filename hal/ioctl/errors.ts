// A failed system call as a typed HAL error: the errno (number and name) is
// kept so drivers can map it to what it means for their device class.
import { constants } from 'node:os';
import { HalError, asError } from '../errors.ts';
import type { HalErrorCode } from '../errors.ts';

// Linux errnos that Node's os.constants.errno leaves out (same value on
// x86_64 and aarch64, both asm-generic).
const LINUX_EXTRA_ERRNOS: Record<string, number> = { EREMOTEIO: 121 };

const errnoValues: Record<string, number> = { ...LINUX_EXTRA_ERRNOS, ...constants.errno };
const errnoNames = new Map<number, string>();
for (const [name, value] of Object.entries(errnoValues)) {
  // Aliases (EWOULDBLOCK = EAGAIN, EDEADLOCK = EDEADLK): keep the first, canonical name.
  if (!errnoNames.has(value)) errnoNames.set(value, name);
}

export function errnoName(errno: number): string {
  return errnoNames.get(errno) ?? `errno ${errno}`;
}

export function errnoValue(name: string): number {
  const value = errnoValues[name];
  if (value === undefined) throw new RangeError(`unknown errno name ${name}`);
  return value;
}

/** The generic meaning of an errno for any device; drivers refine it. */
export function halCodeForErrno(errno: number): HalErrorCode {
  switch (errnoName(errno)) {
    case 'EBUSY':
      return 'busy';
    case 'ENOTTY':
    case 'EOPNOTSUPP':
    case 'ENOSYS':
      return 'not-supported';
    case 'EINVAL':
    case 'ERANGE':
      return 'invalid-argument';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'EBADF':
      return 'closed';
    case 'ENODEV':
    case 'ENOENT':
    case 'ESHUTDOWN':
      return 'disconnected';
    default:
      return 'io';
  }
}

export class SyscallError extends HalError {
  readonly errno: number;
  readonly errnoName: string;
  readonly syscall: string;

  constructor(syscall: string, errno: number, device: string, code: HalErrorCode = halCodeForErrno(errno)) {
    super(code, device, `${syscall} failed: ${errnoName(errno)}`);
    this.name = 'SyscallError';
    this.errno = errno;
    this.errnoName = errnoName(errno);
    this.syscall = syscall;
  }
}

/** Node's fs errors carry errno as a negative number (-2 for ENOENT); normalise. */
export function errnoOf(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null && 'errno' in err && typeof err.errno === 'number') {
    return Math.abs(err.errno);
  }
  return undefined;
}

/** Rethrow a Node fs error as a SyscallError; anything else unchanged. */
export function fromNodeError(syscall: string, device: string, err: unknown): Error {
  const errno = errnoOf(err);
  if (errno !== undefined) {
    const out = new SyscallError(syscall, errno, device);
    (out as { cause?: unknown }).cause = err;
    return out;
  }
  return asError(err);
}
