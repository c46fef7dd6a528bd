// The I2C_RDWR and I2C_SMBUS uAPI (<linux/i2c.h>, <linux/i2c-dev.h>): constants, struct
// layouts (checked against the headers by ioctl-layout.test.ts) and pure
// encoders. Pointers are passed in as addresses so this file stays native-free.
import { MAX_MESSAGES, MAX_MESSAGE_LENGTH } from './i2c.ts';

export const I2C_STRUCTS = {
  i2c_msg: { size: 16, offsets: { addr: 0, flags: 2, len: 4, buf: 8 } },
  i2c_rdwr_ioctl_data: { size: 16, offsets: { msgs: 0, nmsgs: 8 } },
  i2c_smbus_ioctl_data: { size: 16, offsets: { read_write: 0, command: 1, size: 4, data: 8 } },
} as const;

export const I2C_RDWR = 0x0707;
export const I2C_M_RD = 0x0001;
/** Sets the address later I2C_SMBUS calls on this fd talk to (an integer argument, not a pointer). */
export const I2C_SLAVE = 0x0703;
export const I2C_SMBUS = 0x0720;
export const I2C_SMBUS_READ = 1;
export const I2C_SMBUS_WRITE = 0;
/** Transaction size "byte": SMBus send byte / receive byte, no command code on the wire. */
export const I2C_SMBUS_BYTE = 1;
/** sizeof(union i2c_smbus_data): a byte, a word or a block of up to 32 bytes plus length and PEC. */
export const I2C_SMBUS_DATA_BYTES = 34;

export const I2C_CONSTANTS: Record<string, number> = {
  I2C_RDWR,
  I2C_M_RD,
  I2C_SLAVE,
  I2C_SMBUS,
  I2C_SMBUS_READ,
  I2C_SMBUS_WRITE,
  I2C_SMBUS_BYTE,
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

/**
 * struct i2c_smbus_ioctl_data. For SMBus send byte the byte travels in
 * `command` and data is NULL; receive byte returns it in data->byte.
 */
export function encodeSmbusIoctl(
  readWrite: number,
  command: number,
  size: number,
  dataAddress: bigint,
): Buffer {
  const { size: bytes, offsets: o } = I2C_STRUCTS.i2c_smbus_ioctl_data;
  const buf = Buffer.alloc(bytes);
  buf.writeUInt8(readWrite, o.read_write);
  buf.writeUInt8(command, o.command);
  buf.writeUInt32LE(size, o.size);
  buf.writeBigUInt64LE(dataAddress, o.data);
  return buf;
}
