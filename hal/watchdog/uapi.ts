// The /dev/watchdog uAPI (<linux/watchdog.h>): ioctl numbers and the
// watchdog_info layout, checked against the headers by ioctl-layout.test.ts.
import { ior, iowr } from '../ioctl/ioc.ts';

export const WATCHDOG_STRUCTS = {
  watchdog_info: { size: 40, offsets: { options: 0, firmware_version: 4, identity: 8 } },
} as const;

/** Every watchdog ioctl passes an int (4 bytes) except GETSUPPORT. */
const INT = 4;

export const WDIOC = {
  WDIOC_GETSUPPORT: ior('W', 0, WATCHDOG_STRUCTS.watchdog_info.size),
  WDIOC_KEEPALIVE: ior('W', 5, INT),
  WDIOC_SETTIMEOUT: iowr('W', 6, INT),
  WDIOC_GETTIMEOUT: ior('W', 7, INT),
} as const;

export const WDIOF = { SETTIMEOUT: 0x0080, MAGICCLOSE: 0x0100, KEEPALIVEPING: 0x8000 } as const;

export const WATCHDOG_CONSTANTS: Record<string, number> = {
  ...WDIOC,
  WDIOF_SETTIMEOUT: WDIOF.SETTIMEOUT,
  WDIOF_MAGICCLOSE: WDIOF.MAGICCLOSE,
  WDIOF_KEEPALIVEPING: WDIOF.KEEPALIVEPING,
};

/** The character written before close() to disarm ("magic close"). */
export const MAGIC_CLOSE_CHAR = 'V';

/** The watchdog core accepts timeouts that fit its unsigned int seconds; we bound to 16 bits like most hardware. */
export const MIN_TIMEOUT_S = 1;
export const MAX_TIMEOUT_S = 65535;

export function encodeInt(value: number): Buffer {
  const buf = Buffer.alloc(INT);
  buf.writeInt32LE(value, 0);
  return buf;
}

export function decodeInt(buf: Buffer): number {
  return buf.readInt32LE(0);
}
