// Runs inside a kernel-tier guest (test/kernel/i2c.test.ts): hal/i2c's Linux
// driver on i2c-stub at the LCD backpack's address, with the one transfer a
// PCF8574 understands, SMBus send byte, and its receive byte. i2c-stub is a
// register chip, not a port latch: send byte sets its register pointer and
// receive byte returns that register, which the job prefilled with its own
// number (busybox i2cset), so reading back a sent byte proves it arrived.
import { LinuxI2cBus } from '../../../hal/i2c/linux.ts';
import { errorMessage } from '../../../hal/errors.ts';

const [busPath, addrArg, ...bytes] = process.argv.slice(2);
if (busPath === undefined || addrArg === undefined) throw new Error('usage: i2c.ts /dev/i2c-N ADDR BYTE...');
const addr = Number(addrArg);
const bus = LinuxI2cBus.open(busPath);
const readBack: number[] = [];
for (const b of bytes.map(Number)) {
  await bus.sendByte(addr, b);
  readBack.push(await bus.receiveByte(addr));
}
// Nothing answers at 0x28: the adapter's NAK comes back as a typed error.
let absent: string;
try {
  await bus.sendByte(0x28, 0);
  absent = 'acknowledged';
} catch (err) {
  absent = errorMessage(err);
}
// I2C_RDWR (plain I2C) is what i2c-stub cannot do: say how it refuses.
let rdwr: string;
try {
  await bus.transfer([{ addr, read: false, data: Uint8Array.of(0) }]);
  rdwr = 'ok';
} catch (err) {
  rdwr = errorMessage(err);
}
await bus.close();
console.log(JSON.stringify({ sent: bytes.map(Number), readBack, absent, rdwr }));
