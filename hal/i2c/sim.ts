// A simulated I2C adapter. Devices register at an address; a message to an
// address nobody answers fails the way the kernel reports it (ENXIO, or
// EREMOTEIO on adapters that report it so), aborting the rest of the
// transaction. Fault hooks: a stuck bus (SDA held low) that times out after
// the adapter timeout, as i2c-core does, instead of hanging.
import type { Clock } from '../clock/clock.ts';
import { HalError } from '../errors.ts';
import { errnoValue } from '../ioctl/errors.ts';
import { I2cBusBase, i2cErrorFromErrno, validateAddress, validateMessages } from './i2c.ts';
import type { I2cMessage } from './i2c.ts';

/** A device on the simulated bus: one call per message addressed to it. */
export interface SimI2cDevice {
  write(data: Buffer): void;
  read(length: number): Buffer;
}

export interface SimI2cBusOptions {
  clock: Clock;
  name?: string;
  /** How this adapter reports a missing ACK; drivers differ. */
  nakErrno?: 'ENXIO' | 'EREMOTEIO';
  /** i2c-core's default adapter timeout is one second (HZ). */
  adapterTimeoutMs?: number;
}

export interface SimI2cLogEntry {
  addr: number;
  read: boolean;
  data: Buffer;
}

const LOG_LIMIT = 50_000;

export class SimI2cBus extends I2cBusBase {
  readonly description: string;
  /**
   * The messages that reached a device, in order (for tests): the newest
   * LOG_LIMIT at most, so a simulated box that runs for days does not grow.
   */
  readonly log: SimI2cLogEntry[] = [];
  private readonly clock: Clock;
  private readonly nakErrno: number;
  private readonly timeoutMs: number;
  private readonly devices = new Map<number, SimI2cDevice>();
  private stuck = false;
  private closed = false;

  constructor(options: SimI2cBusOptions) {
    super();
    this.clock = options.clock;
    this.description = options.name ?? 'sim-i2c';
    this.nakErrno = errnoValue(options.nakErrno ?? 'ENXIO');
    this.timeoutMs = options.adapterTimeoutMs ?? 1000;
  }

  attach(addr: number, device: SimI2cDevice): void {
    validateAddress(this.description, addr);
    if (this.devices.has(addr)) throw new Error(`address 0x${addr.toString(16)} already has a device`);
    this.devices.set(addr, device);
  }

  detach(addr: number): void {
    this.devices.delete(addr);
  }

  /** Fault: the bus is stuck (a slave holds SDA low); transfers time out. */
  setStuck(stuck: boolean): void {
    this.stuck = stuck;
  }

  async transfer(messages: readonly I2cMessage[]): Promise<Buffer[]> {
    const msgs = validateMessages(this.description, messages);
    if (this.closed) throw new HalError('closed', this.description, 'bus is closed');
    if (this.stuck) {
      await this.clock.sleep(this.timeoutMs);
      throw i2cErrorFromErrno(errnoValue('ETIMEDOUT'), this.description);
    }
    const out: Buffer[] = [];
    for (const m of msgs) {
      const device = this.devices.get(m.addr);
      if (device === undefined) throw i2cErrorFromErrno(this.nakErrno, this.description);
      if (m.read) {
        const data = device.read(m.length);
        if (data.length !== m.length) {
          throw new HalError(
            'protocol',
            this.description,
            `sim device returned ${data.length} bytes, not ${m.length}`,
          );
        }
        this.log.push({ addr: m.addr, read: true, data });
        out.push(data);
      } else {
        const data = Buffer.from(m.data);
        device.write(data);
        this.log.push({ addr: m.addr, read: false, data });
      }
    }
    if (this.log.length > LOG_LIMIT) this.log.splice(0, this.log.length - LOG_LIMIT / 2);
    return out;
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
