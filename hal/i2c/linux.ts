// I2C on Linux through i2c-dev's I2C_RDWR ioctl. The ioctl runs on koffi's
// worker thread because the kernel waits for the bus (milliseconds at
// 100 kHz, up to the adapter timeout on a stuck bus).
import { closeSync, openSync } from 'node:fs';
import { HalError } from '../errors.ts';
import { paths } from '../paths.ts';
import { SyscallError, fromNodeError } from '../ioctl/errors.ts';
import { addressOf, ioctlAsync } from '../ioctl/libc.ts';
import { I2cBusBase, i2cErrorFromErrno, validateMessages } from './i2c.ts';
import type { I2cMessage } from './i2c.ts';
import { assertI2cLayouts } from './structs.ts';
import { I2C_RDWR, encodeI2cMsgs, encodeRdwrData } from './uapi.ts';

export class LinuxI2cBus extends I2cBusBase {
  readonly description: string;
  private fd: number | null;

  private constructor(description: string, fd: number) {
    super();
    this.description = description;
    this.fd = fd;
  }

  static open(path: string = paths.i2cBus): LinuxI2cBus {
    assertI2cLayouts(path);
    try {
      return new LinuxI2cBus(path, openSync(path, 'r+'));
    } catch (err) {
      throw fromNodeError('open', path, err);
    }
  }

  async transfer(messages: readonly I2cMessage[]): Promise<Buffer[]> {
    const msgs = validateMessages(this.description, messages);
    if (this.fd === null) throw new HalError('closed', this.description, 'bus is closed');
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
      await ioctlAsync(this.fd, I2C_RDWR, rdwr, this.description, 'I2C_RDWR');
    } catch (err) {
      if (err instanceof SyscallError) throw i2cErrorFromErrno(err.errno, this.description);
      throw err;
    }
    void raw; // keep alive until here
    return buffers.filter((_, i) => msgs[i]!.read);
  }

  close(): Promise<void> {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    return Promise.resolve();
  }
}
