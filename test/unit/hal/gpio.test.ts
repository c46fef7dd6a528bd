import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import { isHalError } from '../../../hal/errors.ts';
import type { GpioEdgeEvent } from '../../../hal/gpio/gpio.ts';
import { LinuxGpioChip } from '../../../hal/gpio/linux.ts';
import { SimGpioChip } from '../../../hal/gpio/sim.ts';
import {
  GPIO_STRUCTS,
  GPIO_V2_LINE_FLAG,
  decodeChipInfo,
  decodeLineEvents,
  decodeLineRequestFd,
  encodeLineEvent,
  encodeLineRequest,
  inputRequest,
  outputRequest,
} from '../../../hal/gpio/uapi.ts';
import { SyscallError } from '../../../hal/ioctl/errors.ts';

const R = GPIO_STRUCTS.gpio_v2_line_request.offsets;
const C = GPIO_STRUCTS.gpio_v2_line_config.offsets;
const CONFIG_ATTRS = R.config + C.attrs;

describe('GPIO v2 encoding', () => {
  it('encodes an output request with its initial value as an OUTPUT_VALUES attribute', () => {
    const buf = encodeLineRequest(outputRequest(17, 'tandem-led', true));
    expect(buf.length).toBe(592);
    expect(buf.readUInt32LE(R.offsets)).toBe(17);
    expect(buf.toString('latin1', R.consumer, R.consumer + 11)).toBe('tandem-led\0');
    expect(buf.readBigUInt64LE(R.config + C.flags)).toBe(BigInt(GPIO_V2_LINE_FLAG.OUTPUT));
    expect(buf.readUInt32LE(R.config + C.num_attrs)).toBe(1);
    expect(buf.readUInt32LE(CONFIG_ATTRS)).toBe(2); // GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES
    expect(buf.readBigUInt64LE(CONFIG_ATTRS + 8)).toBe(1n); // values
    expect(buf.readBigUInt64LE(CONFIG_ATTRS + 16)).toBe(1n); // mask: first requested line
    expect(buf.readUInt32LE(R.num_lines)).toBe(1);
    expect(decodeLineRequestFd(buf)).toBe(-1);
    // The kernel rejects a request whose padding is not zero.
    expect(buf.subarray(R.padding, R.fd).every((b) => b === 0)).toBe(true);
    expect(buf.subarray(R.config + C.padding, CONFIG_ATTRS).every((b) => b === 0)).toBe(true);
  });

  it('encodes an input with both edges and a debounce attribute', () => {
    const buf = encodeLineRequest(inputRequest(3, 'button', 'both', 5000));
    const F = GPIO_V2_LINE_FLAG;
    expect(buf.readBigUInt64LE(R.config + C.flags)).toBe(BigInt(F.INPUT | F.EDGE_RISING | F.EDGE_FALLING));
    expect(buf.readUInt32LE(CONFIG_ATTRS)).toBe(3); // GPIO_V2_LINE_ATTR_ID_DEBOUNCE
    expect(buf.readUInt32LE(CONFIG_ATTRS + 8)).toBe(5000);
    expect(buf.readBigUInt64LE(CONFIG_ATTRS + 16)).toBe(1n);
  });

  it('encodes an input without debounce with no attributes', () => {
    const buf = encodeLineRequest(inputRequest(3, 'button', 'falling', 0));
    expect(buf.readUInt32LE(R.config + C.num_attrs)).toBe(0);
    expect(buf.readBigUInt64LE(R.config + C.flags)).toBe(
      BigInt(GPIO_V2_LINE_FLAG.INPUT | GPIO_V2_LINE_FLAG.EDGE_FALLING),
    );
  });

  it('decodes 48-byte line events and rejects torn or unknown records', () => {
    const a = { timestampNs: 123_456_789_012n, edge: 'rising' as const, offset: 4, seqno: 1, lineSeqno: 1 };
    const b = { timestampNs: 123_999_000_000n, edge: 'falling' as const, offset: 4, seqno: 2, lineSeqno: 2 };
    const buf = Buffer.concat([encodeLineEvent(a), encodeLineEvent(b)]);
    expect(buf.length).toBe(96);
    expect(decodeLineEvents('chip', buf, 96)).toEqual([a, b]);
    expect(() => decodeLineEvents('chip', buf, 50)).toThrow(/not a multiple of 48/);
    buf.writeUInt32LE(9, 8);
    expect(() => decodeLineEvents('chip', buf, 48)).toThrow(/unknown line event id 9/);
  });

  it('decodes gpiochip_info', () => {
    const buf = Buffer.alloc(68);
    buf.write('gpiochip0', 0, 'latin1');
    buf.write('pinctrl-bcm2711', 32, 'latin1');
    buf.writeUInt32LE(58, 64);
    expect(decodeChipInfo(buf)).toEqual({ name: 'gpiochip0', label: 'pinctrl-bcm2711', lines: 58 });
  });
});

describe('LinuxGpioChip syscall layer', () => {
  it('maps ENOTTY from a non-GPIO device to a typed not-supported error', () => {
    let caught: unknown;
    try {
      LinuxGpioChip.open('/dev/null');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SyscallError);
    expect(caught).toMatchObject({ code: 'not-supported', errnoName: 'ENOTTY', device: '/dev/null' });
  });

  it('maps a missing chip to a typed disconnected error', () => {
    expect(() => LinuxGpioChip.open('/nonexistent/gpiochip9')).toThrow(
      expect.objectContaining({ code: 'disconnected', errnoName: 'ENOENT' }),
    );
  });
});

function collect(input: { on(e: 'edge', f: (ev: GpioEdgeEvent) => void): unknown }): GpioEdgeEvent[] {
  const events: GpioEdgeEvent[] = [];
  input.on('edge', (ev) => events.push(ev));
  return events;
}

describe('SimGpioChip', () => {
  const setup = () => {
    const clock = new SimClock();
    return { clock, chip: new SimGpioChip({ clock, lines: 8 }) };
  };

  it('drives an output and reads it back', async () => {
    const { chip } = setup();
    const led = await chip.requestOutput(2, { consumer: 'led', initial: true });
    expect(chip.level(2)).toBe(true);
    expect(chip.directionOf(2)).toBe('output');
    expect(chip.consumerOf(2)).toBe('led');
    await led.set(false);
    expect(chip.level(2)).toBe(false);
    expect(await led.get()).toBe(false);
    await led.release();
    expect(chip.consumerOf(2)).toBeNull();
    await expect(led.set(true)).rejects.toMatchObject({ code: 'closed' });
  });

  it('validates offsets, consumers, edges and debounce with typed errors', async () => {
    const { chip } = setup();
    await expect(chip.requestOutput(8, { consumer: 'x', initial: false })).rejects.toMatchObject({
      code: 'invalid-argument',
    });
    await expect(chip.requestOutput(-1, { consumer: 'x', initial: false })).rejects.toMatchObject({
      code: 'invalid-argument',
    });
    await expect(chip.requestOutput(1.5, { consumer: 'x', initial: false })).rejects.toMatchObject({
      code: 'invalid-argument',
    });
    await expect(chip.requestOutput(0, { consumer: '', initial: false })).rejects.toMatchObject({
      code: 'invalid-argument',
    });
    await expect(chip.requestOutput(0, { consumer: 'x'.repeat(32), initial: false })).rejects.toThrow(
      /consumer/,
    );
    await expect(chip.requestInput(0, { consumer: 'x', edge: 'sideways' as 'both' })).rejects.toThrow(
      /edge must be/,
    );
    await expect(chip.requestInput(0, { consumer: 'x', edge: 'both', debounceUs: -1 })).rejects.toThrow(
      /debounceUs/,
    );
  });

  it('gives EBUSY for a line held elsewhere or already requested', async () => {
    const { chip } = setup();
    chip.holdElsewhere(5, 'other-daemon');
    const err: unknown = await chip
      .requestInput(5, { consumer: 'me', edge: 'none' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SyscallError);
    expect(isHalError(err, 'busy')).toBe(true);
    expect(err).toMatchObject({ errnoName: 'EBUSY' });
    await chip.requestInput(1, { consumer: 'a', edge: 'none' });
    await expect(chip.requestOutput(1, { consumer: 'b', initial: false })).rejects.toMatchObject({
      code: 'busy',
    });
  });

  it('reports edges with sequence numbers and timestamps, filtered by edge detection', async () => {
    const { clock, chip } = setup();
    const button = await chip.requestInput(3, { consumer: 'button', edge: 'falling' });
    const both = await chip.requestInput(4, { consumer: 'peer', edge: 'both' });
    const fallingOnly = collect(button);
    const all = collect(both);
    chip.drive(3, true);
    await clock.advance(10);
    chip.drive(3, false);
    chip.drive(4, true);
    await clock.advance(5);
    chip.drive(4, false);
    await clock.advance(0);
    expect(fallingOnly).toEqual([{ offset: 3, edge: 'falling', timestampNs: 10_000_000n, seqno: 1 }]);
    expect(all).toEqual([
      { offset: 4, edge: 'rising', timestampNs: 10_000_000n, seqno: 1 },
      { offset: 4, edge: 'falling', timestampNs: 15_000_000n, seqno: 2 },
    ]);
    expect(await both.get()).toBe(false);
  });

  it('debounces: short bounces are swallowed, a stable level is reported after the period', async () => {
    const { clock, chip } = setup();
    const button = await chip.requestInput(0, { consumer: 'button', edge: 'both', debounceUs: 5000 });
    const events = collect(button);
    // Contact bounce: high for 1 ms, low, high for 2 ms, low again.
    chip.drive(0, true);
    await clock.advance(1);
    chip.drive(0, false);
    await clock.advance(1);
    chip.drive(0, true);
    await clock.advance(2);
    chip.drive(0, false);
    await clock.advance(20);
    expect(events).toEqual([]);
    expect(await button.get()).toBe(false);
    // A press held for 10 ms: reported once, 5 ms after the last change.
    chip.drive(0, true);
    await clock.advance(4);
    expect(events).toEqual([]);
    await clock.advance(6);
    expect(events).toEqual([{ offset: 0, edge: 'rising', timestampNs: 29_000_000n, seqno: 1 }]);
    expect(await button.get()).toBe(true);
  });

  it('a stuck line ignores its driver: outputs read back wrong, inputs see no edges', async () => {
    const { clock, chip } = setup();
    const out = await chip.requestOutput(6, { consumer: 'buzzer', initial: false });
    chip.stick(6, true);
    await out.set(false);
    expect(await out.get()).toBe(true);
    const input = await chip.requestInput(7, { consumer: 'in', edge: 'both' });
    const events = collect(input);
    chip.stick(7, false);
    chip.drive(7, true);
    await clock.advance(1);
    expect(events).toEqual([]);
    chip.stick(7, null);
    await clock.advance(1);
    expect(events.map((e) => e.edge)).toEqual(['rising']);
  });

  it('stops reporting after release and refuses requests after close', async () => {
    const { clock, chip } = setup();
    const input = await chip.requestInput(2, { consumer: 'in', edge: 'both', debounceUs: 1000 });
    const events = collect(input);
    chip.drive(2, true);
    await input.release();
    await clock.advance(5);
    expect(events).toEqual([]);
    expect(clock.pendingTimers()).toBe(0);
    await chip.close();
    await expect(chip.requestInput(2, { consumer: 'in', edge: 'none' })).rejects.toMatchObject({
      code: 'closed',
    });
  });
});
