// I2C on a real kernel: hal/i2c's Linux driver sends bytes with SMBus send
// byte (what a PCF8574 LCD backpack takes) to an i2c-stub chip at 0x27 and
// reads each back. GPIO stays tested against the kernel headers only: the
// bookworm kernel has neither gpio-sim nor gpio-mockup (REFERENCE 11).
import { describe, expect, it } from 'vitest';
import { nodeCommand } from '../../tools/kernel/guest.ts';
import { outFile, runJob } from './guest-run.ts';

// The HD44780 4-bit init nibbles as a PCF8574 backpack gets them (E high, then low; backlight on).
const BYTES = [0x3c, 0x38, 0x3c, 0x38, 0x2c, 0x28, 0x08, 0xf0, 0x00];

describe('I2C against i2c-stub (kernel tier)', () => {
  it('sends bytes to 0x27 with SMBus send byte and reads each back', async () => {
    const script = await nodeCommand('test/kernel/guest/i2c.ts');
    const job = `set -e
modprobe i2c-dev
modprobe i2c-stub chip_addr=0x27
for d in /sys/class/i2c-dev/*; do grep -q 'SMBus stub' "$d/name" && bus=\${d##*/}; done
# Each register of the stub holds its own number, so receive byte after send byte X answers X
# (busybox's i2cset reads numbers as hex).
for v in ${[...new Set(BYTES)].map((b) => `0x${b.toString(16)}`).join(' ')}; do busybox i2cset -y "\${bus#i2c-}" 0x27 "$v" "$v"; done
${script} "/dev/$bus" 0x27 ${BYTES.join(' ')} >/run/out/report.json`;
    const run = await runJob({ name: 'i2c', job, timeoutMs: 120_000 });
    const r = JSON.parse(outFile(run, 'report.json')) as {
      sent: number[];
      readBack: number[];
      absent: string;
      rdwr: string;
    };
    console.log(`kernel tier: i2c report ${JSON.stringify(r)}`);
    expect(r.sent).toEqual(BYTES);
    expect(r.readBack).toEqual(BYTES);
    // i2c-stub answers an empty address with ENODEV (a real adapter's NAK is ENXIO or EREMOTEIO).
    expect(r.absent).toMatch(/I2C_SMBUS.*(ENODEV|ENXIO|EREMOTEIO)/);
    // An SMBus-only adapter refuses plain I2C transfers (EOPNOTSUPP, which libuv names ENOTSUP).
    expect(r.rdwr).toMatch(/I2C_RDWR.*(ENOTSUP|EOPNOTSUPP)/);
  });
});
