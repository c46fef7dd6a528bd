// watchdog_info declared to koffi (platform C ABI), checked against uapi.ts.
import type { TypeObject } from 'koffi';
import { assertLayouts } from '../ioctl/layout.ts';
import type { StructClaim } from '../ioctl/layout.ts';
import { koffiModule } from '../ioctl/libc.ts';
import { WATCHDOG_STRUCTS } from './uapi.ts';

let cached: [string, TypeObject, StructClaim][] | undefined;

export function watchdogKoffiStructs(): [string, TypeObject, StructClaim][] {
  if (cached !== undefined) return cached;
  const k = koffiModule();
  const info = k.struct({ options: 'uint32', firmware_version: 'uint32', identity: k.array('uint8', 32) });
  cached = [['watchdog_info', info, WATCHDOG_STRUCTS.watchdog_info]];
  return cached;
}

export function assertWatchdogLayouts(device: string): void {
  assertLayouts(device, watchdogKoffiStructs());
}
