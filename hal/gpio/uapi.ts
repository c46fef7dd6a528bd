// The GPIO v2 character-device uAPI (<linux/gpio.h>): constants, struct
// layouts and pure encoders/decoders. No native code here: the layouts are
// checked against the kernel headers by test/unit/hal/ioctl-layout.test.ts.
import { HalError } from '../errors.ts';
import { ior, iowr } from '../ioctl/ioc.ts';

export const GPIO_MAX_NAME_SIZE = 32;
export const GPIO_V2_LINES_MAX = 64;
export const GPIO_V2_LINE_NUM_ATTRS_MAX = 10;

export const GPIO_STRUCTS = {
  gpiochip_info: { size: 68, offsets: { name: 0, label: 32, lines: 64 } },
  gpio_v2_line_attribute: {
    size: 16,
    offsets: { id: 0, padding: 4, flags: 8, values: 8, debounce_period_us: 8 },
  },
  gpio_v2_line_config_attribute: { size: 24, offsets: { attr: 0, mask: 16 } },
  gpio_v2_line_config: { size: 272, offsets: { flags: 0, num_attrs: 8, padding: 12, attrs: 32 } },
  gpio_v2_line_request: {
    size: 592,
    offsets: {
      offsets: 0,
      consumer: 256,
      config: 288,
      num_lines: 560,
      event_buffer_size: 564,
      padding: 568,
      fd: 588,
    },
  },
  gpio_v2_line_values: { size: 16, offsets: { bits: 0, mask: 8 } },
  gpio_v2_line_event: {
    size: 48,
    offsets: { timestamp_ns: 0, id: 8, offset: 12, seqno: 16, line_seqno: 20, padding: 24 },
  },
} as const;

const S = GPIO_STRUCTS;

export const GPIO_V2_LINE_FLAG = {
  USED: 1,
  ACTIVE_LOW: 2,
  INPUT: 4,
  OUTPUT: 8,
  EDGE_RISING: 16,
  EDGE_FALLING: 32,
  OPEN_DRAIN: 64,
  OPEN_SOURCE: 128,
  BIAS_PULL_UP: 256,
  BIAS_PULL_DOWN: 512,
  BIAS_DISABLED: 1024,
  EVENT_CLOCK_REALTIME: 2048,
} as const;

export const GPIO_V2_LINE_ATTR_ID = { FLAGS: 1, OUTPUT_VALUES: 2, DEBOUNCE: 3 } as const;
export const GPIO_V2_LINE_EVENT_ID = { RISING_EDGE: 1, FALLING_EDGE: 2 } as const;

export const GPIO_IOCTL = {
  GPIO_GET_CHIPINFO_IOCTL: ior(0xb4, 0x01, S.gpiochip_info.size),
  GPIO_V2_GET_LINE_IOCTL: iowr(0xb4, 0x07, S.gpio_v2_line_request.size),
  GPIO_V2_LINE_SET_CONFIG_IOCTL: iowr(0xb4, 0x0d, S.gpio_v2_line_config.size),
  GPIO_V2_LINE_GET_VALUES_IOCTL: iowr(0xb4, 0x0e, S.gpio_v2_line_values.size),
  GPIO_V2_LINE_SET_VALUES_IOCTL: iowr(0xb4, 0x0f, S.gpio_v2_line_values.size),
} as const;

/** Every constant the layout test compares with the C headers. */
export const GPIO_CONSTANTS: Record<string, number> = {
  GPIO_MAX_NAME_SIZE,
  GPIO_V2_LINES_MAX,
  GPIO_V2_LINE_NUM_ATTRS_MAX,
  ...prefixed('GPIO_V2_LINE_FLAG_', GPIO_V2_LINE_FLAG),
  GPIO_V2_LINE_ATTR_ID_FLAGS: GPIO_V2_LINE_ATTR_ID.FLAGS,
  GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES: GPIO_V2_LINE_ATTR_ID.OUTPUT_VALUES,
  GPIO_V2_LINE_ATTR_ID_DEBOUNCE: GPIO_V2_LINE_ATTR_ID.DEBOUNCE,
  GPIO_V2_LINE_EVENT_RISING_EDGE: GPIO_V2_LINE_EVENT_ID.RISING_EDGE,
  GPIO_V2_LINE_EVENT_FALLING_EDGE: GPIO_V2_LINE_EVENT_ID.FALLING_EDGE,
  ...GPIO_IOCTL,
};

function prefixed(prefix: string, o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [prefix + k, v]));
}

/** One per-line attribute; `mask` selects which requested lines (by index) it applies to. */
export type LineAttribute =
  | { kind: 'flags'; flags: bigint; mask: bigint }
  | { kind: 'output-values'; values: bigint; mask: bigint }
  | { kind: 'debounce'; periodUs: number; mask: bigint };

export interface LineRequest {
  offsets: readonly number[];
  consumer: string;
  flags: bigint;
  attrs: readonly LineAttribute[];
  /** 0 lets the kernel pick (16 events per line). */
  eventBufferSize: number;
}

function encodeAttribute(buf: Buffer, at: number, attr: LineAttribute): void {
  const a = at + S.gpio_v2_line_config_attribute.offsets.attr;
  const value = a + S.gpio_v2_line_attribute.offsets.values;
  switch (attr.kind) {
    case 'flags':
      buf.writeUInt32LE(GPIO_V2_LINE_ATTR_ID.FLAGS, a);
      buf.writeBigUInt64LE(attr.flags, value);
      break;
    case 'output-values':
      buf.writeUInt32LE(GPIO_V2_LINE_ATTR_ID.OUTPUT_VALUES, a);
      buf.writeBigUInt64LE(attr.values, value);
      break;
    case 'debounce':
      buf.writeUInt32LE(GPIO_V2_LINE_ATTR_ID.DEBOUNCE, a);
      buf.writeUInt32LE(attr.periodUs, value);
      break;
  }
  buf.writeBigUInt64LE(attr.mask, at + S.gpio_v2_line_config_attribute.offsets.mask);
}

/** struct gpio_v2_line_request, zeroed padding as the kernel demands (else EINVAL). */
export function encodeLineRequest(req: LineRequest): Buffer {
  if (req.offsets.length < 1 || req.offsets.length > GPIO_V2_LINES_MAX) {
    throw new RangeError(`a line request needs 1..${GPIO_V2_LINES_MAX} offsets, got ${req.offsets.length}`);
  }
  if (req.attrs.length > GPIO_V2_LINE_NUM_ATTRS_MAX) {
    throw new RangeError(`at most ${GPIO_V2_LINE_NUM_ATTRS_MAX} line attributes, got ${req.attrs.length}`);
  }
  const consumer = Buffer.from(req.consumer, 'latin1');
  if (consumer.length >= GPIO_MAX_NAME_SIZE)
    throw new RangeError(`consumer longer than ${GPIO_MAX_NAME_SIZE - 1} bytes`);

  const r = S.gpio_v2_line_request.offsets;
  const c = S.gpio_v2_line_config.offsets;
  const buf = Buffer.alloc(S.gpio_v2_line_request.size);
  req.offsets.forEach((off, i) => buf.writeUInt32LE(off, r.offsets + 4 * i));
  consumer.copy(buf, r.consumer);
  buf.writeBigUInt64LE(req.flags, r.config + c.flags);
  buf.writeUInt32LE(req.attrs.length, r.config + c.num_attrs);
  req.attrs.forEach((attr, i) =>
    encodeAttribute(buf, r.config + c.attrs + i * S.gpio_v2_line_config_attribute.size, attr),
  );
  buf.writeUInt32LE(req.offsets.length, r.num_lines);
  buf.writeUInt32LE(req.eventBufferSize, r.event_buffer_size);
  buf.writeInt32LE(-1, r.fd);
  return buf;
}

/** The line fd the kernel wrote back into a gpio_v2_line_request. */
export function decodeLineRequestFd(buf: Buffer): number {
  return buf.readInt32LE(S.gpio_v2_line_request.offsets.fd);
}

export function encodeLineValues(bits: bigint, mask: bigint): Buffer {
  const buf = Buffer.alloc(S.gpio_v2_line_values.size);
  buf.writeBigUInt64LE(bits, S.gpio_v2_line_values.offsets.bits);
  buf.writeBigUInt64LE(mask, S.gpio_v2_line_values.offsets.mask);
  return buf;
}

export function decodeLineValues(buf: Buffer): { bits: bigint; mask: bigint } {
  return {
    bits: buf.readBigUInt64LE(S.gpio_v2_line_values.offsets.bits),
    mask: buf.readBigUInt64LE(S.gpio_v2_line_values.offsets.mask),
  };
}

export interface LineEvent {
  timestampNs: bigint;
  edge: 'rising' | 'falling';
  offset: number;
  seqno: number;
  lineSeqno: number;
}

/** Decode whole struct gpio_v2_line_event records read from a line fd. */
export function decodeLineEvents(device: string, buf: Buffer, length: number): LineEvent[] {
  const size = S.gpio_v2_line_event.size;
  const o = S.gpio_v2_line_event.offsets;
  if (length % size !== 0) {
    throw new HalError('protocol', device, `read ${length} bytes from a line fd, not a multiple of ${size}`);
  }
  const events: LineEvent[] = [];
  for (let at = 0; at < length; at += size) {
    const id = buf.readUInt32LE(at + o.id);
    let edge: 'rising' | 'falling';
    if (id === GPIO_V2_LINE_EVENT_ID.RISING_EDGE) edge = 'rising';
    else if (id === GPIO_V2_LINE_EVENT_ID.FALLING_EDGE) edge = 'falling';
    else throw new HalError('protocol', device, `unknown line event id ${id}`);
    events.push({
      timestampNs: buf.readBigUInt64LE(at + o.timestamp_ns),
      edge,
      offset: buf.readUInt32LE(at + o.offset),
      seqno: buf.readUInt32LE(at + o.seqno),
      lineSeqno: buf.readUInt32LE(at + o.line_seqno),
    });
  }
  return events;
}

/** Encode one event (for tests and the sim's byte-level fidelity). */
export function encodeLineEvent(ev: LineEvent): Buffer {
  const o = S.gpio_v2_line_event.offsets;
  const buf = Buffer.alloc(S.gpio_v2_line_event.size);
  buf.writeBigUInt64LE(ev.timestampNs, o.timestamp_ns);
  buf.writeUInt32LE(
    ev.edge === 'rising' ? GPIO_V2_LINE_EVENT_ID.RISING_EDGE : GPIO_V2_LINE_EVENT_ID.FALLING_EDGE,
    o.id,
  );
  buf.writeUInt32LE(ev.offset, o.offset);
  buf.writeUInt32LE(ev.seqno, o.seqno);
  buf.writeUInt32LE(ev.lineSeqno, o.line_seqno);
  return buf;
}

export interface ChipInfo {
  name: string;
  label: string;
  lines: number;
}

function cString(buf: Buffer, at: number, max: number): string {
  const end = buf.indexOf(0, at);
  return buf.toString('latin1', at, end < 0 || end > at + max ? at + max : end);
}

export function decodeChipInfo(buf: Buffer): ChipInfo {
  const o = S.gpiochip_info.offsets;
  return {
    name: cString(buf, o.name, GPIO_MAX_NAME_SIZE),
    label: cString(buf, o.label, GPIO_MAX_NAME_SIZE),
    lines: buf.readUInt32LE(o.lines),
  };
}

/** Request flags for an input with the given edge detection. */
export function inputFlags(edge: 'none' | 'rising' | 'falling' | 'both'): bigint {
  const F = GPIO_V2_LINE_FLAG;
  switch (edge) {
    case 'none':
      return BigInt(F.INPUT);
    case 'rising':
      return BigInt(F.INPUT | F.EDGE_RISING);
    case 'falling':
      return BigInt(F.INPUT | F.EDGE_FALLING);
    case 'both':
      return BigInt(F.INPUT | F.EDGE_RISING | F.EDGE_FALLING);
  }
}

/** A single-line output request with its initial value. */
export function outputRequest(offset: number, consumer: string, initial: boolean): LineRequest {
  return {
    offsets: [offset],
    consumer,
    flags: BigInt(GPIO_V2_LINE_FLAG.OUTPUT),
    attrs: [{ kind: 'output-values', values: initial ? 1n : 0n, mask: 1n }],
    eventBufferSize: 0,
  };
}

/** A single-line input request, with debounce as an attribute when asked for. */
export function inputRequest(
  offset: number,
  consumer: string,
  edge: 'none' | 'rising' | 'falling' | 'both',
  debounceUs: number,
): LineRequest {
  return {
    offsets: [offset],
    consumer,
    flags: inputFlags(edge),
    attrs: debounceUs > 0 ? [{ kind: 'debounce', periodUs: debounceUs, mask: 1n }] : [],
    eventBufferSize: 0,
  };
}
