// Cross-check a koffi struct (laid out by koffi with this platform's C ABI)
// against the offsets our pure encoders use. Drivers run it once when they
// open a device, so an ABI we have not verified fails with a typed error
// instead of corrupting kernel structs.
import { HalError } from '../errors.ts';
import type { TypeObject } from 'koffi';

export interface StructClaim {
  size: number;
  offsets: Readonly<Record<string, number>>;
}

/** Differences between a koffi struct and a claim; empty when they agree. */
export function layoutMismatches(name: string, type: TypeObject, claim: StructClaim): string[] {
  const out: string[] = [];
  if (type.size !== claim.size) out.push(`${name}: size ${type.size}, expected ${claim.size}`);
  for (const [member, info] of Object.entries(type.members ?? {})) {
    const want = claim.offsets[member];
    if (want === undefined) out.push(`${name}.${member}: not in the claimed layout`);
    else if (info.offset !== want) out.push(`${name}.${member}: offset ${info.offset}, expected ${want}`);
  }
  return out;
}

export function assertLayouts(device: string, pairs: readonly [string, TypeObject, StructClaim][]): void {
  const problems = pairs.flatMap(([name, type, claim]) => layoutMismatches(name, type, claim));
  if (problems.length > 0) {
    throw new HalError(
      'not-supported',
      device,
      `uAPI struct layout differs on this platform: ${problems.join('; ')}`,
    );
  }
}
