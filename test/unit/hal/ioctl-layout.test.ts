// Our uAPI struct layouts and ioctl numbers, checked three ways: against the
// kernel headers compiled natively, against the aarch64 headers (the
// controller's CPU) via the cross compiler, and against koffi's own layout
// of the structs we declare to it.
import { describe, expect, it } from 'vitest';
import { GPIO_CONSTANTS, GPIO_STRUCTS } from '../../../hal/gpio/uapi.ts';
import { gpioKoffiStructs } from '../../../hal/gpio/structs.ts';
import { I2C_CONSTANTS, I2C_STRUCTS } from '../../../hal/i2c/uapi.ts';
import { i2cKoffiStructs } from '../../../hal/i2c/structs.ts';
import { WATCHDOG_CONSTANTS, WATCHDOG_STRUCTS } from '../../../hal/watchdog/uapi.ts';
import { watchdogKoffiStructs } from '../../../hal/watchdog/structs.ts';
import { SCHED_CONSTANTS, SCHED_STRUCTS } from '../../../hal/sched/uapi.ts';
import { schedKoffiStructs } from '../../../hal/sched/structs.ts';
import { layoutMismatches } from '../../../hal/ioctl/layout.ts';
import type { StructClaim } from '../../../hal/ioctl/layout.ts';
import type { TypeObject } from 'koffi';
import {
  asSortedRecord,
  claimsToProbeValues,
  parseAssemblyProbes,
  probeAssembly,
  probeNative,
} from './headers/probe.ts';
import type { LayoutClaims } from './headers/probe.ts';

interface Subsystem {
  name: string;
  probeFile: string;
  claims: LayoutClaims;
  koffiStructs: () => [string, TypeObject, StructClaim][];
}

const SUBSYSTEMS: Subsystem[] = [
  {
    name: 'gpio',
    probeFile: 'gpio.c',
    claims: { structs: GPIO_STRUCTS, constants: GPIO_CONSTANTS },
    koffiStructs: gpioKoffiStructs,
  },
  {
    name: 'i2c',
    probeFile: 'i2c.c',
    claims: { structs: I2C_STRUCTS, constants: I2C_CONSTANTS },
    koffiStructs: i2cKoffiStructs,
  },
  {
    name: 'watchdog',
    probeFile: 'watchdog.c',
    claims: { structs: WATCHDOG_STRUCTS, constants: WATCHDOG_CONSTANTS },
    koffiStructs: watchdogKoffiStructs,
  },
  {
    name: 'sched',
    probeFile: 'sched.c',
    claims: { structs: SCHED_STRUCTS, constants: SCHED_CONSTANTS },
    koffiStructs: schedKoffiStructs,
  },
];

const CROSS = {
  compiler: 'aarch64-linux-gnu-gcc',
  debianPackage: 'gcc-aarch64-linux-gnu (and libc6-dev-arm64-cross)',
};

describe.each(SUBSYSTEMS)('$name uAPI layout', (sub) => {
  const claimed = asSortedRecord(claimsToProbeValues(sub.claims));

  it('matches the native kernel headers (cc, run)', async () => {
    if (process.arch !== 'x64')
      throw new Error(`native layout test expects x86_64, running on ${process.arch}`);
    expect(asSortedRecord(await probeNative(sub.probeFile))).toEqual(claimed);
  });

  it('matches the aarch64 kernel headers (cross-compiled, read from assembly)', async () => {
    expect(asSortedRecord(await probeAssembly(CROSS.compiler, CROSS.debianPackage, sub.probeFile))).toEqual(
      claimed,
    );
  });

  it('matches koffi’s layout of the structs we declare', () => {
    const structs = sub.koffiStructs();
    expect(structs.map(([name]) => name).sort()).toEqual(Object.keys(sub.claims.structs).sort());
    for (const [name, type, claim] of structs) expect(layoutMismatches(name, type, claim)).toEqual([]);
  });
});

describe('probe helper', () => {
  it('reads the same values from host assembly as from running the probe', async () => {
    const ran = await probeNative('gpio.c');
    const asm = await probeAssembly('cc', 'gcc', 'gpio.c');
    expect(asSortedRecord(asm)).toEqual(asSortedRecord(ran));
  });

  it('refuses assembly without probe constants', () => {
    expect(() => parseAssemblyProbes('\t.text\nmain:\n\tret\n')).toThrow(/no probe_/);
  });

  it('reports a layout mismatch member by member', () => {
    const [name, type] = gpioKoffiStructs().find(([n]) => n === 'gpio_v2_line_values')!;
    expect(layoutMismatches(name, type, { size: 24, offsets: { bits: 0, mask: 4 } })).toEqual([
      'gpio_v2_line_values: size 16, expected 24',
      'gpio_v2_line_values.mask: offset 8, expected 4',
    ]);
  });
});
