// LinuxSerialLink over node-serialport's MockBinding: proves the driver's
// glue (open/close lifecycle, write draining, error mapping) without a tty.
// The same driver runs the shared contract over real ptys in the lab.
import { SerialPortMock } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { isHalError } from '../../../hal/errors.ts';
import { LinuxSerialLink } from '../../../hal/serial/linux.ts';
import type { PortFactory } from '../../../hal/serial/linux.ts';
import { receiveBytes } from './serial-contract.ts';

const PATH = '/dev/ttyMOCK0';
let lastPort: SerialPortMock | null = null;
const mockFactory: PortFactory = (o) => {
  lastPort = new SerialPortMock({ path: o.path, baudRate: o.baudRate, autoOpen: false });
  return lastPort;
};

function binding(): NonNullable<SerialPortMock['port']> {
  const p = lastPort?.port;
  if (!p) throw new Error('mock port is not open');
  return p;
}

describe('LinuxSerialLink on the mock binding', () => {
  afterEach(() => {
    SerialPortMock.binding.reset();
    lastPort = null;
  });

  it('opens, writes drained bytes to the port, and receives bytes', async () => {
    SerialPortMock.binding.createPort(PATH, { record: true });
    const link = new LinuxSerialLink({ path: PATH, baudRate: 19200 }, mockFactory);
    await link.open();
    expect(link.isOpen).toBe(true);
    await link.write(Buffer.from('beat'));
    expect(binding().recording.toString()).toBe('beat');
    const got = receiveBytes(link, 4);
    binding().emitData(Buffer.from('pong'));
    expect((await got).toString()).toBe('pong');
    await link.close();
    expect(link.isOpen).toBe(false);
  });

  it('maps an open failure to a HalError and stays closed', async () => {
    const link = new LinuxSerialLink({ path: '/dev/ttyMISSING', baudRate: 19200 }, mockFactory);
    const err: unknown = await link.open().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(isHalError(err)).toBe(true);
    expect(link.isOpen).toBe(false);
  });

  it('rejects writes before open and after close, without buffering them', async () => {
    SerialPortMock.binding.createPort(PATH, { record: true });
    const link = new LinuxSerialLink({ path: PATH, baudRate: 19200 }, mockFactory);
    await expect(link.write(Buffer.from('early'))).rejects.toSatisfy((e) => isHalError(e, 'not-open'));
    await link.open();
    expect(binding().recording.length).toBe(0);
    let closes = 0;
    link.on('close', () => closes++);
    await link.close();
    await link.close();
    expect(closes).toBe(1);
    await expect(link.write(Buffer.from('late'))).rejects.toSatisfy((e) => isHalError(e, 'not-open'));
  });

  it('rejects a second open with code busy', async () => {
    SerialPortMock.binding.createPort(PATH);
    const link = new LinuxSerialLink({ path: PATH, baudRate: 19200 }, mockFactory);
    await link.open();
    await expect(link.open()).rejects.toSatisfy((e) => isHalError(e, 'busy'));
    await link.close();
  });

  it('validates options: relative path and odd baud rates are refused', () => {
    expect(() => new LinuxSerialLink({ path: 'ttyS1', baudRate: 19200 }, mockFactory)).toThrow(/absolute/);
    expect(() => new LinuxSerialLink({ path: PATH, baudRate: 12345 }, mockFactory)).toThrow(/baud/);
  });
});
