// GPIO on Linux through the v2 character device (/dev/gpiochipN): each
// requested line gets its own fd from GPIO_V2_GET_LINE_IOCTL; values go
// through GET/SET_VALUES on that fd, and edge events are read from it as
// struct gpio_v2_line_event records when libuv reports it readable, so the
// event loop never blocks.
import { EventEmitter } from 'node:events';
import { closeSync, openSync, readSync } from 'node:fs';
import { HalError, asError } from '../errors.ts';
import { paths } from '../paths.ts';
import { errnoOf, errnoValue, fromNodeError } from '../ioctl/errors.ts';
import { ioctlSync, setNonBlocking, watchReadable } from '../ioctl/libc.ts';
import type { ReadableWatch } from '../ioctl/libc.ts';
import { validateInputOptions, validateOffset, validateOutputOptions } from './gpio.ts';
import type {
  GpioChip,
  GpioInput,
  GpioInputEvents,
  GpioOutput,
  InputOptions,
  OutputOptions,
} from './gpio.ts';
import { assertGpioLayouts } from './structs.ts';
import {
  GPIO_IOCTL,
  GPIO_STRUCTS,
  decodeChipInfo,
  decodeLineEvents,
  decodeLineRequestFd,
  decodeLineValues,
  encodeLineRequest,
  encodeLineValues,
  inputRequest,
  outputRequest,
} from './uapi.ts';
import type { ChipInfo, LineRequest } from './uapi.ts';

/** Read up to this many events per read(2); the kernel buffers 16 per line. */
const EVENTS_PER_READ = 16;
const EAGAIN = errnoValue('EAGAIN');

class LineFd {
  readonly device: string;
  private fd: number | null;

  constructor(device: string, fd: number) {
    this.device = device;
    this.fd = fd;
  }

  get value(): number {
    if (this.fd === null) throw new HalError('closed', this.device, 'line already released');
    return this.fd;
  }

  getValue(): boolean {
    const buf = encodeLineValues(0n, 1n);
    ioctlSync(
      this.value,
      GPIO_IOCTL.GPIO_V2_LINE_GET_VALUES_IOCTL,
      buf,
      this.device,
      'GPIO_V2_LINE_GET_VALUES',
    );
    return (decodeLineValues(buf).bits & 1n) === 1n;
  }

  setValue(v: boolean): void {
    const buf = encodeLineValues(v ? 1n : 0n, 1n);
    ioctlSync(
      this.value,
      GPIO_IOCTL.GPIO_V2_LINE_SET_VALUES_IOCTL,
      buf,
      this.device,
      'GPIO_V2_LINE_SET_VALUES',
    );
  }

  close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    closeSync(fd);
  }
}

class LinuxGpioOutput implements GpioOutput {
  readonly offset: number;
  private readonly line: LineFd;

  constructor(offset: number, line: LineFd) {
    this.offset = offset;
    this.line = line;
  }

  set(value: boolean): Promise<void> {
    return Promise.resolve().then(() => this.line.setValue(value));
  }

  get(): Promise<boolean> {
    return Promise.resolve().then(() => this.line.getValue());
  }

  release(): Promise<void> {
    this.line.close();
    return Promise.resolve();
  }
}

class LinuxGpioInput extends EventEmitter<GpioInputEvents> implements GpioInput {
  readonly offset: number;
  private readonly line: LineFd;
  private watch: ReadableWatch | null = null;
  private readonly buf = Buffer.alloc(GPIO_STRUCTS.gpio_v2_line_event.size * EVENTS_PER_READ);

  constructor(offset: number, line: LineFd, watchEdges: boolean) {
    super();
    this.offset = offset;
    this.line = line;
    if (watchEdges) {
      setNonBlocking(line.value, line.device);
      this.watch = watchReadable(line.value, () => this.drain());
    }
  }

  get(): Promise<boolean> {
    return Promise.resolve().then(() => this.line.getValue());
  }

  release(): Promise<void> {
    this.watch?.close();
    this.watch = null;
    this.line.close();
    return Promise.resolve();
  }

  /** Read every queued event; EAGAIN means the queue is empty. */
  private drain(): void {
    for (;;) {
      let n: number;
      try {
        n = readSync(this.line.value, this.buf, 0, this.buf.length, null);
      } catch (err) {
        if (errnoOf(err) === EAGAIN) return;
        this.emit('error', fromNodeError('read(line event)', this.line.device, err));
        return;
      }
      if (n === 0) return;
      try {
        for (const ev of decodeLineEvents(this.line.device, this.buf, n)) {
          this.emit('edge', {
            offset: ev.offset,
            edge: ev.edge,
            timestampNs: ev.timestampNs,
            seqno: ev.seqno,
          });
        }
      } catch (err) {
        this.emit('error', asError(err));
        return;
      }
    }
  }
}

export class LinuxGpioChip implements GpioChip {
  readonly description: string;
  readonly lineCount: number;
  readonly info: ChipInfo;
  private fd: number | null;

  private constructor(description: string, fd: number, info: ChipInfo) {
    this.description = description;
    this.fd = fd;
    this.info = info;
    this.lineCount = info.lines;
  }

  /** Open the chip and read its line count (GPIO_GET_CHIPINFO_IOCTL). */
  static open(path: string = paths.gpioChip): LinuxGpioChip {
    assertGpioLayouts(path);
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (err) {
      throw fromNodeError('open', path, err);
    }
    try {
      const buf = Buffer.alloc(GPIO_STRUCTS.gpiochip_info.size);
      ioctlSync(fd, GPIO_IOCTL.GPIO_GET_CHIPINFO_IOCTL, buf, path, 'GPIO_GET_CHIPINFO');
      return new LinuxGpioChip(path, fd, decodeChipInfo(buf));
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  requestOutput(offset: number, options: OutputOptions): Promise<GpioOutput> {
    return Promise.resolve().then(() => {
      validateOffset(this.description, offset, this.lineCount);
      const { consumer, initial } = validateOutputOptions(this.description, options);
      return new LinuxGpioOutput(offset, this.requestLine(outputRequest(offset, consumer, initial)));
    });
  }

  requestInput(offset: number, options: InputOptions): Promise<GpioInput> {
    return Promise.resolve().then(() => {
      validateOffset(this.description, offset, this.lineCount);
      const o = validateInputOptions(this.description, options);
      const line = this.requestLine(inputRequest(offset, o.consumer, o.edge, o.debounceUs));
      try {
        return new LinuxGpioInput(offset, line, o.edge !== 'none');
      } catch (err) {
        line.close();
        throw err;
      }
    });
  }

  close(): Promise<void> {
    // Lines keep their own fds and stay requested until released, as in the kernel.
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    return Promise.resolve();
  }

  private requestLine(req: LineRequest): LineFd {
    if (this.fd === null) throw new HalError('closed', this.description, 'chip is closed');
    const buf = encodeLineRequest(req);
    ioctlSync(this.fd, GPIO_IOCTL.GPIO_V2_GET_LINE_IOCTL, buf, this.description, 'GPIO_V2_GET_LINE');
    const fd = decodeLineRequestFd(buf);
    if (fd < 0) throw new HalError('protocol', this.description, `kernel returned line fd ${fd}`);
    return new LineFd(`${this.description} line ${req.offsets.join(',')}`, fd);
  }
}
