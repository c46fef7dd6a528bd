// One outstanding SCSI command: collects Data-In, remembers what to send on
// R2T, and settles exactly once.
import type { ScsiCommand, ScsiResult } from '../device.ts';
import type { HalError } from '../../errors.ts';

export class Task {
  readonly itt: number;
  readonly cmd: ScsiCommand;
  readonly expectedLength: number;
  /** Clock.monotonicMs() at which the command times out (the connection's deadline sweep enforces it). */
  readonly deadline: number;
  /** Assembled Data-In, allocated only when the data comes in more than one PDU. */
  private buffer: Buffer | undefined;
  /** Single-PDU fast path: the Data-In payload itself, no copy. */
  private view: Buffer | undefined;
  /** Highest byte offset filled so far. */
  highWater = 0;
  private settled = false;
  private readonly resolveFn: (r: ScsiResult) => void;
  private readonly rejectFn: (e: HalError) => void;

  constructor(
    itt: number,
    cmd: ScsiCommand,
    deadline: number,
    resolve: (r: ScsiResult) => void,
    reject: (e: HalError) => void,
  ) {
    this.itt = itt;
    this.cmd = cmd;
    this.deadline = deadline;
    this.expectedLength =
      cmd.direction === 'in'
        ? (cmd.dataInLength ?? 0)
        : cmd.direction === 'out'
          ? (cmd.dataOut?.length ?? 0)
          : 0;
    this.resolveFn = resolve;
    this.rejectFn = reject;
  }

  /** Place Data-In bytes; the caller has checked offset + length <= expectedLength. */
  addData(offset: number, data: Buffer): void {
    if (data.length === 0) return;
    if (this.buffer === undefined && this.view === undefined && offset === 0) {
      this.view = data;
    } else {
      if (this.buffer === undefined) {
        // Zero-filled so a target that skips a range never exposes stale memory.
        this.buffer = Buffer.alloc(this.expectedLength);
        if (this.view !== undefined) this.view.copy(this.buffer, 0);
        this.view = undefined;
      }
      data.copy(this.buffer, offset);
    }
    this.highWater = Math.max(this.highWater, offset + data.length);
  }

  data(): Buffer {
    if (this.view !== undefined) return this.view;
    return this.buffer === undefined ? Buffer.alloc(0) : this.buffer.subarray(0, this.highWater);
  }

  get isSettled(): boolean {
    return this.settled;
  }

  resolve(result: ScsiResult): void {
    if (this.settled) return;
    this.settled = true;
    this.resolveFn(result);
  }

  reject(err: HalError): void {
    if (this.settled) return;
    this.settled = true;
    this.rejectFn(err);
  }
}
