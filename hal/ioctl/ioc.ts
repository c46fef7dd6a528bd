// The Linux ioctl request encoding (_IOC from <asm-generic/ioctl.h>), used by
// x86_64 and aarch64 alike: dir:2 | size:14 | type:8 | nr:8, high to low.
// Pure arithmetic, so request numbers can be checked against the kernel
// headers without any native code.

export const IOC_NONE = 0;
export const IOC_WRITE = 1;
export const IOC_READ = 2;

const NRBITS = 8;
const TYPEBITS = 8;
const SIZEBITS = 14;
const NRSHIFT = 0;
const TYPESHIFT = NRSHIFT + NRBITS;
const SIZESHIFT = TYPESHIFT + TYPEBITS;
const DIRSHIFT = SIZESHIFT + SIZEBITS;

function field(name: string, value: number, bits: number): number {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** bits) {
    throw new RangeError(`_IOC ${name} must be an integer in 0..${2 ** bits - 1}, got ${value}`);
  }
  return value;
}

/** _IOC(dir, type, nr, size) as an unsigned 32-bit number. */
export function ioc(dir: number, type: number, nr: number, size: number): number {
  return (
    ((field('dir', dir, 2) << DIRSHIFT) |
      (field('type', type, TYPEBITS) << TYPESHIFT) |
      (field('nr', nr, NRBITS) << NRSHIFT) |
      (field('size', size, SIZEBITS) << SIZESHIFT)) >>>
    0
  );
}

/** Accepts a character code or a one-character string, as the C macros do ('W'). */
function typeCode(type: number | string): number {
  return typeof type === 'string' ? type.charCodeAt(0) : type;
}

export function io(type: number | string, nr: number): number {
  return ioc(IOC_NONE, typeCode(type), nr, 0);
}

export function ior(type: number | string, nr: number, size: number): number {
  return ioc(IOC_READ, typeCode(type), nr, size);
}

export function iow(type: number | string, nr: number, size: number): number {
  return ioc(IOC_WRITE, typeCode(type), nr, size);
}

export function iowr(type: number | string, nr: number, size: number): number {
  return ioc(IOC_READ | IOC_WRITE, typeCode(type), nr, size);
}
