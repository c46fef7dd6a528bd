import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import { SimPcf8574Hd44780 } from '../../../hal/i2c/hd44780.ts';
import { isNak } from '../../../hal/i2c/i2c.ts';
import type { I2cBus } from '../../../hal/i2c/i2c.ts';
import { LinuxI2cBus } from '../../../hal/i2c/linux.ts';
import { SimI2cBus } from '../../../hal/i2c/sim.ts';
import type { SimI2cDevice } from '../../../hal/i2c/sim.ts';
import {
  I2C_SMBUS_BYTE,
  I2C_SMBUS_WRITE,
  encodeI2cMsgs,
  encodeRdwrData,
  encodeSmbusIoctl,
} from '../../../hal/i2c/uapi.ts';
import { SyscallError } from '../../../hal/ioctl/errors.ts';

/** A 256-byte register file with an auto-incrementing pointer, like an EEPROM or sensor. */
class RegisterFile implements SimI2cDevice {
  readonly regs = Buffer.alloc(256);
  private pointer = 0;
  write(data: Buffer): void {
    if (data.length === 0) return;
    this.pointer = data[0]!;
    for (const b of data.subarray(1)) this.regs[this.pointer++ & 0xff] = b;
  }
  read(length: number): Buffer {
    const out = Buffer.alloc(length);
    for (let i = 0; i < length; i++) out[i] = this.regs[this.pointer++ & 0xff]!;
    return out;
  }
}

describe('I2C_RDWR encoding', () => {
  it('encodes struct i2c_msg records: addr, I2C_M_RD, len, buffer pointer', () => {
    const buf = encodeI2cMsgs([
      { addr: 0x27, read: false, len: 1, bufAddress: 0x1122334455667788n },
      { addr: 0x27, read: true, len: 300, bufAddress: 0x1000n },
    ]);
    expect(buf.toString('hex')).toBe(
      '2700' +
        '0000' +
        '0100' +
        '0000' +
        '8877665544332211' +
        '2700' +
        '0100' +
        '2c01' +
        '0000' +
        '0010000000000000',
    );
  });

  it('encodes struct i2c_rdwr_ioctl_data', () => {
    expect(encodeRdwrData(0xdeadbeefn, 2).toString('hex')).toBe('efbeadde00000000' + '02000000' + '00000000');
  });
});

describe('LinuxI2cBus syscall layer', () => {
  it('runs I2C_RDWR through koffi and maps ENOTTY on a non-I2C device to not-supported', async () => {
    const bus = LinuxI2cBus.open('/dev/null');
    try {
      const err: unknown = await bus.readRegister(0x48, 0, 2).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SyscallError);
      expect(err).toMatchObject({ code: 'not-supported', errnoName: 'ENOTTY', syscall: 'ioctl(I2C_RDWR)' });
    } finally {
      await bus.close();
    }
    await expect(bus.transfer([{ addr: 0x48, read: true, length: 1 }])).rejects.toMatchObject({
      code: 'closed',
    });
  });

  it('maps a missing bus to disconnected', () => {
    expect(() => LinuxI2cBus.open('/nonexistent/i2c-9')).toThrow(
      expect.objectContaining({ code: 'disconnected' }),
    );
  });

  it('whenPresent: an absent adapter fails each transfer as disconnected, and is opened once it appears', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-i2c-'));
    const path = join(dir, 'i2c-1');
    const bus = LinuxI2cBus.whenPresent(path);
    try {
      for (let i = 0; i < 2; i++) {
        await expect(bus.transfer([{ addr: 0x27, read: true, length: 1 }])).rejects.toMatchObject({
          code: 'disconnected',
        });
        await expect(bus.sendByte(0x27, 0x08)).rejects.toMatchObject({ code: 'disconnected' });
      }
      // The adapter appears (a regular file stands in: the ioctl then says ENOTTY, so it was opened).
      writeFileSync(path, '');
      await expect(bus.transfer([{ addr: 0x27, read: true, length: 1 }])).rejects.toMatchObject({
        code: 'not-supported',
        errnoName: 'ENOTTY',
      });
    } finally {
      await bus.close();
      rmSync(dir, { recursive: true, force: true });
    }
    await expect(bus.sendByte(0x27, 0x08)).rejects.toMatchObject({ code: 'closed' });
  });
});

describe('I2C argument validation (shared by every bus)', () => {
  const bus: I2cBus = new SimI2cBus({ clock: new SimClock() });
  const invalid = { code: 'invalid-argument' };
  it.each([
    ['reserved low address', [{ addr: 0x03, read: true, length: 1 }]],
    ['reserved high address', [{ addr: 0x78, read: true, length: 1 }]],
    ['10-bit address', [{ addr: 0x150, read: true, length: 1 }]],
    ['zero-length read', [{ addr: 0x20, read: true, length: 0 }]],
    ['oversized read', [{ addr: 0x20, read: true, length: 8193 }]],
    ['non-buffer data', [{ addr: 0x20, read: false, data: [1, 2] }]],
    ['missing read flag', [{ addr: 0x20, length: 1 }]],
    ['no messages', []],
    ['43 messages', Array.from({ length: 43 }, () => ({ addr: 0x20, read: true, length: 1 }))],
  ])('rejects %s', async (_name, msgs) => {
    await expect(bus.transfer(msgs as never)).rejects.toMatchObject(invalid);
  });
  it('rejects register numbers outside a byte', async () => {
    await expect(bus.readRegister(0x20, 256, 1)).rejects.toMatchObject(invalid);
    await expect(bus.writeRegister(0x20, -1, Buffer.alloc(1))).rejects.toMatchObject(invalid);
  });
});

describe('SimI2cBus', () => {
  it('writes and reads registers with a repeated-start transaction', async () => {
    const bus = new SimI2cBus({ clock: new SimClock() });
    const dev = new RegisterFile();
    bus.attach(0x50, dev);
    await bus.writeRegister(0x50, 0x10, Buffer.from([0xaa, 0xbb, 0xcc]));
    expect(dev.regs.subarray(0x10, 0x13)).toEqual(Buffer.from([0xaa, 0xbb, 0xcc]));
    expect(await bus.readRegister(0x50, 0x11, 2)).toEqual(Buffer.from([0xbb, 0xcc]));
    expect(bus.log.map((e) => [e.addr, e.read, e.data.toString('hex')])).toEqual([
      [0x50, false, '10aabbcc'],
      [0x50, false, '11'],
      [0x50, true, 'bbcc'],
    ]);
  });

  it('NAKs an absent address with ENXIO, aborting the rest of the transaction', async () => {
    const bus = new SimI2cBus({ clock: new SimClock() });
    const dev = new RegisterFile();
    bus.attach(0x50, dev);
    const err: unknown = await bus
      .transfer([
        { addr: 0x50, read: false, data: Buffer.from([0x00, 0x01]) },
        { addr: 0x51, read: false, data: Buffer.from([0x00]) },
        { addr: 0x50, read: false, data: Buffer.from([0x01, 0x02]) },
      ])
      .catch((e: unknown) => e);
    expect(isNak(err)).toBe(true);
    expect(err).toMatchObject({ code: 'io', errnoName: 'ENXIO' });
    expect(dev.regs[0]).toBe(1); // the first message went out before the NAK
    expect(dev.regs[1]).toBe(0); // the last one never did
  });

  it('reports a NAK as EREMOTEIO on adapters that do', async () => {
    const bus = new SimI2cBus({ clock: new SimClock(), nakErrno: 'EREMOTEIO' });
    const err: unknown = await bus.readRegister(0x20, 0, 1).catch((e: unknown) => e);
    expect(isNak(err)).toBe(true);
    expect(err).toMatchObject({ errno: 121, errnoName: 'EREMOTEIO' });
  });

  it('times out on a stuck bus after the adapter timeout instead of hanging', async () => {
    const clock = new SimClock();
    const bus = new SimI2cBus({ clock, adapterTimeoutMs: 1000 });
    bus.attach(0x50, new RegisterFile());
    bus.setStuck(true);
    let settled: unknown = 'pending';
    bus.readRegister(0x50, 0, 1).then(
      () => (settled = 'resolved'),
      (e: unknown) => (settled = e),
    );
    await clock.advance(999);
    expect(settled).toBe('pending');
    await clock.advance(1);
    expect(settled).toMatchObject({ code: 'timeout', errnoName: 'ETIMEDOUT' });
    bus.setStuck(false);
    expect(await bus.readRegister(0x50, 0, 1)).toEqual(Buffer.from([0]));
  });
});

/** A minimal PCF8574 backpack LCD driver, as the firmware's will be. */
class LcdWriter {
  private readonly bus: I2cBus;
  private readonly addr: number;
  constructor(bus: I2cBus, addr: number) {
    this.bus = bus;
    this.addr = addr;
  }
  private nibbleBytes(nibble: number, rs: boolean): number[] {
    const base = (nibble << 4) | 0x08 | (rs ? 0x01 : 0);
    return [base | 0x04, base]; // E high, then E low: latch on the falling edge
  }
  async nibble(nibble: number): Promise<void> {
    await this.bus.transfer([
      { addr: this.addr, read: false, data: Buffer.from(this.nibbleBytes(nibble, false)) },
    ]);
  }
  async byte(value: number, rs: boolean): Promise<void> {
    const data = [...this.nibbleBytes(value >> 4, rs), ...this.nibbleBytes(value & 0x0f, rs)];
    await this.bus.transfer([{ addr: this.addr, read: false, data: Buffer.from(data) }]);
  }
  async init(): Promise<void> {
    for (const n of [0x3, 0x3, 0x3, 0x2]) await this.nibble(n);
    await this.byte(0x28, false); // 4-bit, 2 lines, 5x8
    await this.byte(0x0c, false); // display on, no cursor
    await this.byte(0x06, false); // increment, no shift
    await this.byte(0x01, false); // clear
  }
  async print(line: 0 | 1, text: string): Promise<void> {
    await this.byte(0x80 | (line === 0 ? 0x00 : 0x40), false);
    for (const ch of text) await this.byte(ch.charCodeAt(0), true);
  }
}

describe('SimPcf8574Hd44780 front-panel LCD', () => {
  const setup = () => {
    const bus = new SimI2cBus({ clock: new SimClock() });
    const lcd = new SimPcf8574Hd44780();
    bus.attach(0x27, lcd);
    return { bus, lcd, writer: new LcdWriter(bus, 0x27) };
  };

  it('decodes the 4-bit init sequence and text into the 2x16 buffer', async () => {
    const { lcd, writer } = setup();
    expect(lcd.fourBitMode).toBe(false);
    await writer.init();
    expect(lcd).toMatchObject({
      fourBitMode: true,
      twoLines: true,
      displayOn: true,
      cursorOn: false,
      backlight: true,
    });
    await writer.print(0, 'TANDEM  ctrl A');
    await writer.print(1, 'peer: OK');
    expect(lcd.lines()).toEqual(['TANDEM  ctrl A  ', 'peer: OK        ']);
  });

  it('wraps the address counter from the end of line 1 DDRAM (0x27) to line 2 (0x40)', async () => {
    const { lcd, writer } = setup();
    await writer.init();
    await writer.byte(0x80 | 0x26, false);
    await writer.byte(0x41, true);
    await writer.byte(0x42, true);
    await writer.byte(0x43, true);
    expect(lcd.cursorAddress()).toBe(0x41);
    // A and B went to 0x26/0x27, beyond the 16 visible columns; C starts line 2.
    expect(lcd.lines()).toEqual([' '.repeat(16), 'C               ']);
  });

  it('clear blanks the display; the backlight follows P3', async () => {
    const { bus, lcd, writer } = setup();
    await writer.init();
    await writer.print(0, 'FAILOVER');
    await writer.byte(0x01, false);
    expect(lcd.lines()).toEqual([' '.repeat(16), ' '.repeat(16)]);
    await bus.transfer([{ addr: 0x27, read: false, data: Buffer.from([0x00]) }]);
    expect(lcd.backlight).toBe(false);
  });

  it('without the init dance, nibbles are taken as 8-bit instructions, so text is garbled', async () => {
    const { lcd, writer } = setup();
    await writer.byte(0x28, false); // 0x2_ = function set 4-bit, then 0x8_ = set DDRAM address 0
    await writer.print(0, 'HI');
    expect(lcd.lines()[0]).not.toBe('HI              ');
  });

  it('drops instructions sent while the controller is busy (with a clock)', async () => {
    const clock = new SimClock();
    const bus = new SimI2cBus({ clock });
    const lcd = new SimPcf8574Hd44780(clock);
    bus.attach(0x27, lcd);
    const writer = new LcdWriter(bus, 0x27);
    for (const n of [0x3, 0x3, 0x3, 0x2]) {
      await writer.nibble(n);
      await clock.advance(5);
    }
    await writer.byte(0x01, false); // clear: 1.52 ms busy
    await writer.byte(0x0c, false); // sent at once: lost
    expect(lcd.droppedWhileBusy).toBe(1);
    expect(lcd.displayOn).toBe(false);
    await clock.advance(2);
    await writer.byte(0x0c, false);
    expect(lcd.displayOn).toBe(true);
  });
});

describe('SMBus send byte / receive byte', () => {
  it('are one one-byte write and one one-byte read message (what a PCF8574 sees)', async () => {
    const bus = new SimI2cBus({ clock: new SimClock() });
    const chip = new RegisterFile();
    chip.regs[0x3c] = 0x99;
    bus.attach(0x27, chip);
    await bus.sendByte(0x27, 0x3c);
    expect(await bus.receiveByte(0x27)).toBe(0x99);
    await expect(bus.sendByte(0x27, 0x100)).rejects.toThrow(/0\.\.255/);
  });

  it('encode struct i2c_smbus_ioctl_data: read_write, command, size, data pointer', () => {
    const buf = encodeSmbusIoctl(I2C_SMBUS_WRITE, 0x3c, I2C_SMBUS_BYTE, 0x1122334455667788n);
    expect(buf.toString('hex')).toBe('003c0000' + '01000000' + '8877665544332211');
  });
});
