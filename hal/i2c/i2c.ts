// I2C contract, after the Linux I2C_RDWR ioctl: one transfer is a list of
// messages sent as one combined transaction (repeated starts, one STOP), so a
// register read cannot be split by another master. Addresses are 7-bit.
import { HalError } from '../errors.ts';
import { SyscallError, errnoName } from '../ioctl/errors.ts';
import type { HalErrorCode } from '../errors.ts';

export type I2cMessage =
  { addr: number; read: false; data: Uint8Array } | { addr: number; read: true; length: number };

export interface I2cBus {
  readonly description: string;
  /** Run the messages as one transaction; resolves with one buffer per read message, in order. */
  transfer(messages: readonly I2cMessage[]): Promise<Buffer[]>;
  /** Write the register number, then read `length` bytes (repeated start). */
  readRegister(addr: number, reg: number, length: number): Promise<Buffer>;
  /** Write the register number followed by the data, in one message. */
  writeRegister(addr: number, reg: number, data: Uint8Array): Promise<void>;
  /**
   * SMBus send byte: START, address+W, one byte, STOP. All a PCF8574 (the
   * LCD backpack) understands; also works on SMBus-only adapters.
   */
  sendByte(addr: number, byte: number): Promise<void>;
  /** SMBus receive byte: START, address+R, one byte, STOP. */
  receiveByte(addr: number): Promise<number>;
  close(): Promise<void>;
}

/** I2C_RDWR_IOCTL_MAX_MSGS in <linux/i2c-dev.h>. */
export const MAX_MESSAGES = 42;
/** i2c-dev refuses longer messages (EINVAL). */
export const MAX_MESSAGE_LENGTH = 8192;
/** 0x00-0x07 and 0x78-0x7f are reserved by the I2C specification. */
export const FIRST_ADDRESS = 0x08;
export const LAST_ADDRESS = 0x77;

function bad(device: string, message: string): HalError {
  return new HalError('invalid-argument', device, message);
}

export function validateAddress(device: string, addr: unknown): number {
  if (typeof addr !== 'number' || !Number.isInteger(addr) || addr < FIRST_ADDRESS || addr > LAST_ADDRESS) {
    throw bad(device, `I2C address must be a 7-bit address in 0x08..0x77, got ${String(addr)}`);
  }
  return addr;
}

export function validateMessages(device: string, messages: unknown): I2cMessage[] {
  if (!Array.isArray(messages) || messages.length < 1 || messages.length > MAX_MESSAGES) {
    throw bad(device, `a transfer needs 1..${MAX_MESSAGES} messages`);
  }
  return messages.map((m: unknown, i): I2cMessage => {
    if (typeof m !== 'object' || m === null) throw bad(device, `message ${i} is not an object`);
    const msg = m as Record<string, unknown>;
    const addr = validateAddress(device, msg['addr']);
    if (msg['read'] === true) {
      const length = msg['length'];
      if (
        typeof length !== 'number' ||
        !Number.isInteger(length) ||
        length < 1 ||
        length > MAX_MESSAGE_LENGTH
      ) {
        throw bad(
          device,
          `message ${i}: read length must be an integer in 1..${MAX_MESSAGE_LENGTH}, got ${String(length)}`,
        );
      }
      return { addr, read: true, length };
    }
    if (msg['read'] === false) {
      const data = msg['data'];
      if (!(data instanceof Uint8Array) || data.length > MAX_MESSAGE_LENGTH) {
        throw bad(device, `message ${i}: data must be a Uint8Array of at most ${MAX_MESSAGE_LENGTH} bytes`);
      }
      return { addr, read: false, data };
    }
    throw bad(device, `message ${i}: read must be true or false`);
  });
}

export function validateRegister(device: string, reg: unknown): number {
  if (typeof reg !== 'number' || !Number.isInteger(reg) || reg < 0 || reg > 0xff) {
    throw bad(device, `register must be an integer in 0..255, got ${String(reg)}`);
  }
  return reg;
}

/**
 * What an errno from an I2C adapter means (Documentation/i2c/fault-codes):
 * ENXIO / EREMOTEIO: no ACK (nothing at that address, or the device refused
 * a byte); ETIMEDOUT: the bus is stuck or a device stretched the clock too
 * long; EAGAIN: arbitration lost to another master.
 */
export function i2cErrorFromErrno(errno: number, device: string, op = 'ioctl(I2C_RDWR)'): SyscallError {
  let code: HalErrorCode;
  switch (errnoName(errno)) {
    case 'ENXIO':
    case 'EREMOTEIO':
    case 'EIO':
      code = 'io';
      break;
    case 'ETIMEDOUT':
      code = 'timeout';
      break;
    case 'EAGAIN':
    case 'EBUSY':
      code = 'busy';
      break;
    default:
      return new SyscallError(op, errno, device);
  }
  return new SyscallError(op, errno, device, code);
}

/** True when the device did not acknowledge (absent, or refused a byte). */
export function isNak(err: unknown): boolean {
  return err instanceof SyscallError && (err.errnoName === 'ENXIO' || err.errnoName === 'EREMOTEIO');
}

export function validateByte(device: string, byte: unknown): number {
  if (typeof byte !== 'number' || !Number.isInteger(byte) || byte < 0 || byte > 0xff) {
    throw bad(device, `byte must be an integer in 0..255, got ${String(byte)}`);
  }
  return byte;
}

/** The register and byte helpers, written once over transfer() (Linux overrides the byte ones). */
export abstract class I2cBusBase implements I2cBus {
  abstract readonly description: string;
  abstract transfer(messages: readonly I2cMessage[]): Promise<Buffer[]>;
  abstract close(): Promise<void>;

  async readRegister(addr: number, reg: number, length: number): Promise<Buffer> {
    validateRegister(this.description, reg);
    const [data] = await this.transfer([
      { addr, read: false, data: Uint8Array.of(reg) },
      { addr, read: true, length },
    ]);
    if (data === undefined)
      throw new HalError('protocol', this.description, 'transfer returned no read buffer');
    return data;
  }

  async writeRegister(addr: number, reg: number, data: Uint8Array): Promise<void> {
    validateRegister(this.description, reg);
    if (!(data instanceof Uint8Array)) throw bad(this.description, 'data must be a Uint8Array');
    await this.transfer([{ addr, read: false, data: Buffer.concat([Uint8Array.of(reg), data]) }]);
  }

  async sendByte(addr: number, byte: number): Promise<void> {
    await this.transfer([{ addr, read: false, data: Uint8Array.of(validateByte(this.description, byte)) }]);
  }

  async receiveByte(addr: number): Promise<number> {
    const [data] = await this.transfer([{ addr, read: true, length: 1 }]);
    if (data?.length !== 1) throw new HalError('protocol', this.description, 'receive byte returned no byte');
    return data[0]!;
  }
}
