// The I2C_RDWR uAPI (<linux/i2c.h>, <linux/i2c-dev.h>): constants, struct
// layouts (checked against the headers by ioctl-layout.test.ts) and pure
// encoders. Pointers are passed in as addresses so this file stays native-free.
import { MAX_MESSAGES, MAX_MESSAGE_LENGTH } from './i2c.ts';

export const I2C_STRUCTS = {
  i2c_msg: { size: 16, offsets: { addr: 0, flags: 2, len: 4, buf: 8 } },
  i2c_rdwr_ioctl_data: { size: 16, offsets: { msgs: 0, nmsgs: 8 } },
} as const;

export const I2C_RDWR = 0x0707;
export const I2C_M_RD = 0x0001;

export const I2C_CONSTANTS: Record<string, number> = {
  I2C_RDWR,
  I2C_M_RD,
  I2C_RDWR_IOCTL_MAX_MSGS: MAX_MESSAGES,
};

export { MAX_MESSAGE_LENGTH };

export interface RawI2cMsg {
  addr: number;
  read: boolean;
  len: number;
  /** User-space address of the message's bytes (0 for an empty message). */
  bufAddress: bigint;
}

/** An array of struct i2c_msg. */
export function encodeI2cMsgs(msgs: readonly RawI2cMsg[]): Buffer {
  const { size, offsets: o } = I2C_STRUCTS.i2c_msg;
  const buf = Buffer.alloc(size * msgs.length);
  msgs.forEach((m, i) => {
    const at = i * size;
    buf.writeUInt16LE(m.addr, at + o.addr);
    buf.writeUInt16LE(m.read ? I2C_M_RD : 0, at + o.flags);
    buf.writeUInt16LE(m.len, at + o.len);
    buf.writeBigUInt64LE(m.bufAddress, at + o.buf);
  });
  return buf;
}

/** struct i2c_rdwr_ioctl_data pointing at an encoded message array. */
export function encodeRdwrData(msgsAddress: bigint, nmsgs: number): Buffer {
  const { size, offsets: o } = I2C_STRUCTS.i2c_rdwr_ioctl_data;
  const buf = Buffer.alloc(size);
  buf.writeBigUInt64LE(msgsAddress, o.msgs);
  buf.writeUInt32LE(nmsgs, o.nmsgs);
  return buf;
}
