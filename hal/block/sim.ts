// An in-memory disk with the faults a shared SAS LUN shows: bad LBA ranges,
// a write torn by power loss, slow I/O, the path going away, and a volatile
// write cache that loses whatever was neither flushed nor written with FUA.
import type { Clock } from '../clock/clock.ts';
import { SystemClock } from '../clock/system.ts';
import { BlockError, BlockIoError, checkRequest, closedError, sectorsIn } from './block.ts';
import type { BlockDevice, WriteOptions } from './block.ts';

export interface SimBlockOptions {
  readonly name?: string;
  readonly sectorSize?: number;
  readonly sectorCount: bigint;
  readonly clock?: Clock;
}

/** Inclusive first, exclusive end, in sectors. */
export interface LbaRange {
  readonly from: bigint;
  readonly to: bigint;
}

export class SimBlockDevice implements BlockDevice {
  readonly name: string;
  readonly sectorSize: number;
  readonly sectorCount: bigint;
  private readonly clock: Clock;
  // Sparse, so a simulated multi-terabyte LUN costs only what is written.
  private readonly media = new Map<bigint, Uint8Array>();
  private readonly cache = new Map<bigint, Uint8Array>();
  private readFaults: LbaRange[] = [];
  private writeFaults: LbaRange[] = [];
  private tearAfter: number | null = null;
  private latencyMs = 0;
  private offline = false;
  private closed = false;

  constructor(options: SimBlockOptions) {
    this.name = options.name ?? 'sim-block';
    this.sectorSize = options.sectorSize ?? 512;
    this.sectorCount = options.sectorCount;
    this.clock = options.clock ?? new SystemClock();
    if (![512, 4096].includes(this.sectorSize)) throw new RangeError(`sector size must be 512 or 4096`);
    if (this.sectorCount <= 0n) throw new RangeError('sectorCount must be positive');
  }

  // ---- fault hooks -------------------------------------------------------

  /** Reads touching [from, to) fail with an I/O error. */
  failReads(range: LbaRange): void {
    this.readFaults.push(range);
  }

  /** Writes touching [from, to) fail with an I/O error and change nothing. */
  failWrites(range: LbaRange): void {
    this.writeFaults.push(range);
  }

  /** The next write lands only its first `sectors` sectors, then fails. */
  tearNextWrite(sectors: number): void {
    this.tearAfter = sectors;
  }

  /** Every operation takes `ms` of clock time before it starts. */
  latency(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`latency(): ms must be >= 0, got ${ms}`);
    this.latencyMs = ms;
  }

  /** The path to the disk is lost: operations fail with code 'disconnected'. */
  goOffline(): void {
    this.offline = true;
  }

  goOnline(): void {
    this.offline = false;
  }

  /** Power loss: the volatile cache (unflushed, non-FUA writes) is gone. */
  powerCut(): void {
    this.cache.clear();
  }

  clearFaults(): void {
    this.readFaults = [];
    this.writeFaults = [];
    this.tearAfter = null;
    this.latencyMs = 0;
    this.offline = false;
  }

  // ---- BlockDevice -------------------------------------------------------

  async read(lba: bigint, count: number): Promise<Uint8Array> {
    this.checkOpen();
    checkRequest(this, lba, count);
    await this.beforeIo(lba);
    this.checkFault(this.readFaults, lba, count, 'read');
    const out = new Uint8Array(count * this.sectorSize);
    for (let i = 0; i < count; i++) {
      const at = lba + BigInt(i);
      const sector = this.cache.get(at) ?? this.media.get(at);
      if (sector) out.set(sector, i * this.sectorSize);
    }
    return out;
  }

  async write(lba: bigint, data: Uint8Array, options: WriteOptions = {}): Promise<void> {
    this.checkOpen();
    const count = sectorsIn(this, data);
    checkRequest(this, lba, count);
    const copy = data.slice(); // the caller may reuse its buffer during the latency
    await this.beforeIo(lba);
    this.checkFault(this.writeFaults, lba, count, 'write');
    const tear = this.tearAfter;
    this.tearAfter = null;
    const landed = tear === null ? count : Math.min(tear, count);
    for (let i = 0; i < landed; i++) {
      const sector = copy.slice(i * this.sectorSize, (i + 1) * this.sectorSize);
      const at = lba + BigInt(i);
      if (options.fua) {
        this.media.set(at, sector);
        this.cache.delete(at);
      } else {
        this.cache.set(at, sector);
      }
    }
    if (landed < count) {
      throw new BlockIoError(
        this.name,
        lba + BigInt(landed),
        `write torn after ${landed} of ${count} sectors`,
      );
    }
  }

  async flush(): Promise<void> {
    this.checkOpen();
    await this.beforeIo(0n);
    for (const [at, sector] of this.cache) this.media.set(at, sector);
    this.cache.clear();
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  private checkOpen(): void {
    if (this.closed) throw closedError(this.name);
  }

  private async beforeIo(lba: bigint): Promise<void> {
    if (this.latencyMs > 0) await this.clock.sleep(this.latencyMs);
    // Checked after the wait: a path can drop while a request is in flight.
    if (this.closed) throw closedError(this.name);
    if (this.offline) throw new BlockError('disconnected', this.name, `device offline at lba ${lba}`);
  }

  private checkFault(ranges: LbaRange[], lba: bigint, count: number, op: string): void {
    const end = lba + BigInt(count);
    for (const r of ranges) {
      if (lba < r.to && r.from < end) {
        const first = lba > r.from ? lba : r.from;
        throw new BlockIoError(this.name, first, `${op} failed: medium error at lba ${first}`);
      }
    }
  }
}
