// sched_param declared to koffi (platform C ABI), checked against uapi.ts.
import type { TypeObject } from 'koffi';
import type { StructClaim } from '../ioctl/layout.ts';
import { koffiModule } from '../ioctl/libc.ts';
import { SCHED_STRUCTS } from './uapi.ts';

let cached: [string, TypeObject, StructClaim][] | undefined;

export function schedKoffiStructs(): [string, TypeObject, StructClaim][] {
  if (cached !== undefined) return cached;
  const param = koffiModule().struct({ sched_priority: 'int' });
  cached = [['sched_param', param, SCHED_STRUCTS.sched_param]];
  return cached;
}
