// GPIO contract, after the Linux GPIO v2 character device: a chip hands out
// lines by offset; a requested line is either an output we drive or an input
// we read and may watch for edges. Values are logical levels (true = high).
import type { EventEmitter } from 'node:events';
import { HalError } from '../errors.ts';

export type GpioEdgeDetection = 'none' | 'rising' | 'falling' | 'both';

export interface GpioEdgeEvent {
  offset: number;
  edge: 'rising' | 'falling';
  /** CLOCK_MONOTONIC nanoseconds when the kernel saw the edge. */
  timestampNs: bigint;
  /** Sequence number within this request; a gap means events were lost. */
  seqno: number;
}

export interface OutputOptions {
  /** Shown as the line's consumer in gpioinfo; 1..31 ASCII characters. */
  consumer: string;
  initial: boolean;
}

export interface InputOptions {
  consumer: string;
  edge: GpioEdgeDetection;
  /** Debounce period in microseconds (0 or absent: none). */
  debounceUs?: number;
}

export interface GpioOutput {
  readonly offset: number;
  set(value: boolean): Promise<void>;
  get(): Promise<boolean>;
  release(): Promise<void>;
}

export type GpioInputEvents = { edge: [GpioEdgeEvent]; error: [Error] };

export interface GpioInput extends EventEmitter<GpioInputEvents> {
  readonly offset: number;
  get(): Promise<boolean>;
  release(): Promise<void>;
}

export interface GpioChip {
  readonly description: string;
  /** Number of lines on the chip; valid offsets are 0..lineCount-1. */
  readonly lineCount: number;
  requestOutput(offset: number, options: OutputOptions): Promise<GpioOutput>;
  requestInput(offset: number, options: InputOptions): Promise<GpioInput>;
  close(): Promise<void>;
}

/** The kernel's consumer field is char[32], NUL-terminated. */
export const MAX_CONSUMER_LENGTH = 31;
/** debounce_period_us is a __u32. */
export const MAX_DEBOUNCE_US = 0xffff_ffff;

const EDGES: readonly string[] = ['none', 'rising', 'falling', 'both'] satisfies GpioEdgeDetection[];

export function validateOffset(device: string, offset: unknown, lineCount: number): number {
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0 || offset >= lineCount) {
    throw new HalError(
      'invalid-argument',
      device,
      `line offset must be an integer in 0..${lineCount - 1}, got ${String(offset)}`,
    );
  }
  return offset;
}

export function validateConsumer(device: string, consumer: unknown): string {
  if (
    typeof consumer !== 'string' ||
    consumer.length === 0 ||
    consumer.length > MAX_CONSUMER_LENGTH ||
    !/^[\x20-\x7e]+$/.test(consumer)
  ) {
    throw new HalError(
      'invalid-argument',
      device,
      `consumer must be 1..${MAX_CONSUMER_LENGTH} printable ASCII characters, got ${JSON.stringify(consumer)}`,
    );
  }
  return consumer;
}

export function validateInputOptions(device: string, options: InputOptions): Required<InputOptions> {
  const consumer = validateConsumer(device, options.consumer);
  if (!EDGES.includes(options.edge)) {
    throw new HalError(
      'invalid-argument',
      device,
      `edge must be one of ${EDGES.join(', ')}, got ${JSON.stringify(options.edge)}`,
    );
  }
  const debounceUs = options.debounceUs ?? 0;
  if (!Number.isInteger(debounceUs) || debounceUs < 0 || debounceUs > MAX_DEBOUNCE_US) {
    throw new HalError(
      'invalid-argument',
      device,
      `debounceUs must be an integer in 0..${MAX_DEBOUNCE_US}, got ${debounceUs}`,
    );
  }
  return { consumer, edge: options.edge, debounceUs };
}

export function validateOutputOptions(device: string, options: OutputOptions): OutputOptions {
  const consumer = validateConsumer(device, options.consumer);
  if (typeof options.initial !== 'boolean') {
    throw new HalError(
      'invalid-argument',
      device,
      `initial must be a boolean, got ${JSON.stringify(options.initial)}`,
    );
  }
  return { consumer, initial: options.initial };
}
