// A simulated GPIO chip that behaves like the v2 character device: lines are
// requested exclusively (EBUSY when held elsewhere), inputs report edges with
// per-request sequence numbers, and debounce suppresses pulses shorter than
// the period, reporting the edge once the level has been stable that long
// (as gpiolib-cdev's software debounce does). Faults: a line held by another
// consumer, and a line stuck at a level whatever drives it.
import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '../clock/clock.ts';
import { HalError } from '../errors.ts';
import { SyscallError, errnoValue } from '../ioctl/errors.ts';
import { validateInputOptions, validateOffset, validateOutputOptions } from './gpio.ts';
import type {
  GpioChip,
  GpioEdgeDetection,
  GpioInput,
  GpioInputEvents,
  GpioOutput,
  InputOptions,
  OutputOptions,
} from './gpio.ts';

interface SimLine {
  /** Level driven from outside (for inputs) or by us (for outputs). */
  driven: boolean;
  direction: 'input' | 'output';
  consumer: string | null;
  stuckAt: boolean | null;
  owner: SimGpioInput | SimGpioOutput | null;
}

export interface SimGpioChipOptions {
  clock: Clock;
  lines: number;
  name?: string;
}

export class SimGpioChip implements GpioChip {
  readonly description: string;
  readonly lineCount: number;
  readonly clock: Clock;
  private readonly lines: SimLine[];
  private closed = false;

  constructor(options: SimGpioChipOptions) {
    if (!Number.isInteger(options.lines) || options.lines < 1 || options.lines > 65535) {
      throw new RangeError(`a chip has 1..65535 lines, got ${options.lines}`);
    }
    this.description = options.name ?? 'sim-gpiochip';
    this.lineCount = options.lines;
    this.clock = options.clock;
    this.lines = Array.from({ length: options.lines }, () => ({
      driven: false,
      direction: 'input' as const,
      consumer: null,
      stuckAt: null,
      owner: null,
    }));
  }

  // ---- the GpioChip contract ----

  requestOutput(offset: number, options: OutputOptions): Promise<GpioOutput> {
    return Promise.resolve().then(() => {
      const line = this.claim(offset, validateOutputOptions(this.description, options).consumer);
      line.direction = 'output';
      line.driven = options.initial;
      const out = new SimGpioOutput(this, offset);
      line.owner = out;
      return out;
    });
  }

  requestInput(offset: number, options: InputOptions): Promise<GpioInput> {
    return Promise.resolve().then(() => {
      const o = validateInputOptions(this.description, options);
      const line = this.claim(offset, o.consumer);
      line.direction = 'input';
      const input = new SimGpioInput(this, offset, o.edge, o.debounceUs, this.level(offset));
      line.owner = input;
      return input;
    });
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  // ---- test hooks ----

  /** Drive an input line from outside (a button, the peer's signal). */
  drive(offset: number, level: boolean): void {
    const line = this.line(offset);
    const before = this.level(offset);
    line.driven = level;
    const after = this.level(offset);
    if (after !== before && line.owner instanceof SimGpioInput) line.owner.levelChanged(after);
  }

  /** Physical level of a line as a scope would see it. */
  level(offset: number): boolean {
    const line = this.line(offset);
    return line.stuckAt ?? line.driven;
  }

  consumerOf(offset: number): string | null {
    return this.line(offset).consumer;
  }

  directionOf(offset: number): 'input' | 'output' {
    return this.line(offset).direction;
  }

  /** Fault: the line is held by another consumer, so requests get EBUSY. */
  holdElsewhere(offset: number, consumer: string): void {
    const line = this.line(offset);
    if (line.owner !== null) throw new Error(`line ${offset} is requested by ${line.consumer ?? '?'}`);
    line.consumer = consumer;
  }

  /** Fault: the line is shorted to a level (null clears the fault). */
  stick(offset: number, level: boolean | null): void {
    const line = this.line(offset);
    const before = this.level(offset);
    line.stuckAt = level;
    const after = this.level(offset);
    if (after !== before && line.owner instanceof SimGpioInput) line.owner.levelChanged(after);
  }

  // ---- used by the line handles ----

  /** @internal */
  release(offset: number, owner: SimGpioInput | SimGpioOutput): void {
    const line = this.line(offset);
    if (line.owner !== owner) return;
    line.owner = null;
    line.consumer = null;
  }

  /** @internal */
  setDriven(offset: number, level: boolean): void {
    this.line(offset).driven = level;
  }

  private claim(offset: number, consumer: string): SimLine {
    if (this.closed) throw new HalError('closed', this.description, 'chip is closed');
    validateOffset(this.description, offset, this.lineCount);
    const line = this.line(offset);
    if (line.consumer !== null)
      throw new SyscallError('ioctl(GPIO_V2_GET_LINE)', errnoValue('EBUSY'), this.description);
    line.consumer = consumer;
    return line;
  }

  private line(offset: number): SimLine {
    const line = this.lines[validateOffset(this.description, offset, this.lineCount)];
    if (line === undefined) throw new RangeError(`no line ${offset}`);
    return line;
  }
}

class SimGpioOutput implements GpioOutput {
  readonly offset: number;
  private readonly chip: SimGpioChip;
  private released = false;

  constructor(chip: SimGpioChip, offset: number) {
    this.chip = chip;
    this.offset = offset;
  }

  set(value: boolean): Promise<void> {
    return Promise.resolve().then(() => {
      this.check();
      this.chip.setDriven(this.offset, value);
    });
  }

  /** Reads the pin back, so a stuck line shows up as a mismatch. */
  get(): Promise<boolean> {
    return Promise.resolve().then(() => {
      this.check();
      return this.chip.level(this.offset);
    });
  }

  release(): Promise<void> {
    this.released = true;
    this.chip.release(this.offset, this);
    return Promise.resolve();
  }

  private check(): void {
    if (this.released)
      throw new HalError('closed', this.chip.description, `line ${this.offset} already released`);
  }
}

class SimGpioInput extends EventEmitter<GpioInputEvents> implements GpioInput {
  readonly offset: number;
  private readonly chip: SimGpioChip;
  private readonly edge: GpioEdgeDetection;
  private readonly debounceUs: number;
  /** Level last accepted by the debouncer. */
  private settled: boolean;
  private pending: TimerHandle | null = null;
  private seqno = 0;
  private released = false;

  constructor(
    chip: SimGpioChip,
    offset: number,
    edge: GpioEdgeDetection,
    debounceUs: number,
    level: boolean,
  ) {
    super();
    this.chip = chip;
    this.offset = offset;
    this.edge = edge;
    this.debounceUs = debounceUs;
    this.settled = level;
  }

  get(): Promise<boolean> {
    return Promise.resolve().then(() => {
      if (this.released)
        throw new HalError('closed', this.chip.description, `line ${this.offset} already released`);
      // With debounce the kernel reports the debounced value.
      return this.debounceUs > 0 ? this.settled : this.chip.level(this.offset);
    });
  }

  release(): Promise<void> {
    this.released = true;
    this.pending?.cancel();
    this.pending = null;
    this.chip.release(this.offset, this);
    return Promise.resolve();
  }

  /** @internal The physical level changed. */
  levelChanged(level: boolean): void {
    if (this.released) return;
    if (this.debounceUs === 0) {
      this.accept(level);
      return;
    }
    // Any change restarts the debounce period; a bounce back to the settled
    // level before it ends is swallowed.
    this.pending?.cancel();
    this.pending = null;
    if (level === this.settled) return;
    this.pending = this.chip.clock.after(this.debounceUs / 1000, () => {
      this.pending = null;
      this.accept(level);
    });
  }

  private accept(level: boolean): void {
    if (level === this.settled) return;
    this.settled = level;
    const edge = level ? 'rising' : 'falling';
    const wanted = this.edge === 'both' || this.edge === edge;
    if (!wanted) return;
    const event = {
      offset: this.offset,
      edge,
      timestampNs: BigInt(Math.round(this.chip.clock.monotonicMs() * 1_000_000)),
      seqno: ++this.seqno,
    } as const;
    // The kernel queues the event and userspace reads it later: deliver async.
    queueMicrotask(() => {
      if (!this.released) this.emit('edge', event);
    });
  }
}
