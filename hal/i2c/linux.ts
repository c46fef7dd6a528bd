// I2C on Linux through i2c-dev's I2C_RDWR ioctl, and SMBus send/receive byte
// through I2C_SMBUS (which also works on SMBus-only adapters, where I2C_RDWR
// answers EOPNOTSUPP). The transfers run on koffi's worker thread because the
// kernel waits for the bus (milliseconds at 100 kHz, up to the adapter
// timeout on a stuck bus).
import { closeSync, openSync } from 'node:fs';
import { HalError } from '../errors.ts';
import { paths } from '../paths.ts';
import { SyscallError, fromNodeError } from '../ioctl/errors.ts';
import { addressOf, ioctlAsync, ioctlValueSync } from '../ioctl/libc.ts';
import { I2cBusBase, i2cErrorFromErrno, validateAddress, validateByte, validateMessages } from './i2c.ts';
import type { I2cMessage } from './i2c.ts';
import { assertI2cLayouts } from './structs.ts';
import {
  I2C_RDWR,
  I2C_SLAVE,
  I2C_SMBUS,
  I2C_SMBUS_BYTE,
  I2C_SMBUS_DATA_BYTES,
  I2C_SMBUS_READ,
  I2C_SMBUS_WRITE,
  encodeI2cMsgs,
  encodeRdwrData,
  encodeSmbusIoctl,
} from './uapi.ts';

export class LinuxI2cBus extends I2cBusBase {
  readonly description: string;
  /** null until opened (see whenPresent) and after close. */
  private fd: number | null;
  private closed = false;
  /** SMBus calls are two ioctls (address, then transfer) on one fd: one at a time. */
  private smbusQueue: Promise<unknown> = Promise.resolve();

  private constructor(description: string, fd: number | null) {
    super();
    this.description = description;
    this.fd = fd;
  }

  static open(path: string = paths.i2cBus): LinuxI2cBus {
    assertI2cLayouts(path);
    return new LinuxI2cBus(path, openAdapter(path));
  }

  /**
   * A bus whose adapter may be absent now (its driver not loaded yet, a board
   * without it): each transfer opens the adapter if it is not open yet, and
   * fails with the open error while it cannot be opened. The panel keeps
   * running on such a bus and reports its LCD faulty instead of exiting.
   */
  static whenPresent(path: string = paths.i2cBus): LinuxI2cBus {
    assertI2cLayouts(path);
    let fd: number | null;
    try {
      fd = openAdapter(path);
    } catch {
      fd = null; // each transfer tries again and throws the open error
    }
    return new LinuxI2cBus(path, fd);
  }

  /** The open fd, opening the adapter first if needed. */
  private openFd(): number {
    if (this.closed) throw new HalError('closed', this.description, 'bus is closed');
    this.fd ??= openAdapter(this.description);
    return this.fd;
  }

  async transfer(messages: readonly I2cMessage[]): Promise<Buffer[]> {
    const msgs = validateMessages(this.description, messages);
    const fd = this.openFd();
    // Every buffer below is referenced from this frame until the ioctl ends,
    // so the raw pointers inside the structs stay valid.
    const buffers = msgs.map((m) => (m.read ? Buffer.alloc(m.length) : Buffer.from(m.data)));
    const raw = encodeI2cMsgs(
      msgs.map((m, i) => {
        const b = buffers[i]!;
        return { addr: m.addr, read: m.read, len: b.length, bufAddress: b.length === 0 ? 0n : addressOf(b) };
      }),
    );
    const rdwr = encodeRdwrData(addressOf(raw), msgs.length);
    try {
      await ioctlAsync(fd, I2C_RDWR, rdwr, this.description, 'I2C_RDWR');
    } catch (err) {
      if (err instanceof SyscallError) throw i2cErrorFromErrno(err.errno, this.description);
      throw err;
    }
    void raw; // keep alive until here
    return buffers.filter((_, i) => msgs[i]!.read);
  }

  override sendByte(addr: number, byte: number): Promise<void> {
    const value = validateByte(this.description, byte);
    return this.smbus(addr, I2C_SMBUS_WRITE, value, null).then(() => undefined);
  }

  override receiveByte(addr: number): Promise<number> {
    return this.smbus(addr, I2C_SMBUS_READ, 0, Buffer.alloc(I2C_SMBUS_DATA_BYTES)).then((d) => d![0]!);
  }

  /** I2C_SLAVE then I2C_SMBUS, queued behind any SMBus call still running. */
  private smbus(
    addr: number,
    readWrite: number,
    command: number,
    data: Buffer | null,
  ): Promise<Buffer | null> {
    validateAddress(this.description, addr);
    const run = async (): Promise<Buffer | null> => {
      const fd = this.openFd();
      ioctlValueSync(fd, I2C_SLAVE, addr, this.description, 'I2C_SLAVE');
      const arg = encodeSmbusIoctl(readWrite, command, I2C_SMBUS_BYTE, data === null ? 0n : addressOf(data));
      try {
        await ioctlAsync(fd, I2C_SMBUS, arg, this.description, 'I2C_SMBUS');
      } catch (err) {
        if (err instanceof SyscallError)
          throw i2cErrorFromErrno(err.errno, this.description, 'ioctl(I2C_SMBUS)');
        throw err;
      }
      return data; // referenced until here, so its address stayed valid
    };
    const result = this.smbusQueue.then(run, run);
    this.smbusQueue = result.catch(() => undefined);
    return result;
  }

  close(): Promise<void> {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.closed = true;
    return Promise.resolve();
  }
}

function openAdapter(path: string): number {
  try {
    return openSync(path, 'r+');
  } catch (err) {
    throw fromNodeError('open', path, err);
  }
}
