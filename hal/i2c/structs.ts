// I2C_RDWR and I2C_SMBUS structs declared to koffi: the platform C ABI's layout, checked
// against uapi.ts when a bus is opened and in ioctl-layout.test.ts.
import type { TypeObject } from 'koffi';
import { assertLayouts } from '../ioctl/layout.ts';
import type { StructClaim } from '../ioctl/layout.ts';
import { koffiModule } from '../ioctl/libc.ts';
import { I2C_STRUCTS } from './uapi.ts';

let cached: [string, TypeObject, StructClaim][] | undefined;

export function i2cKoffiStructs(): [string, TypeObject, StructClaim][] {
  if (cached !== undefined) return cached;
  const k = koffiModule();
  const msg = k.struct({ addr: 'uint16', flags: 'uint16', len: 'uint16', buf: 'void *' });
  const rdwr = k.struct({ msgs: 'void *', nmsgs: 'uint32' });
  const smbus = k.struct({ read_write: 'uint8', command: 'uint8', size: 'uint32', data: 'void *' });
  cached = [
    ['i2c_msg', msg, I2C_STRUCTS.i2c_msg],
    ['i2c_rdwr_ioctl_data', rdwr, I2C_STRUCTS.i2c_rdwr_ioctl_data],
    ['i2c_smbus_ioctl_data', smbus, I2C_STRUCTS.i2c_smbus_ioctl_data],
  ];
  return cached;
}

export function assertI2cLayouts(device: string): void {
  assertLayouts(device, i2cKoffiStructs());
}
