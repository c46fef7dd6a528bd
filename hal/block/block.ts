// The block-device contract: whole sectors addressed by LBA, as the witness
// area on the shared enclosure is used (sbd-style one-sector mailboxes).
import { HalError } from '../errors.ts';
import type { HalErrorCode } from '../errors.ts';

export interface WriteOptions {
  /** Force Unit Access: the write is on stable media when the promise resolves. */
  readonly fua?: boolean;
}

export interface BlockDevice {
  readonly name: string;
  /** Bytes per logical sector (512 or 4096). */
  readonly sectorSize: number;
  readonly sectorCount: bigint;
  /** Read `count` whole sectors starting at `lba`. */
  read(lba: bigint, count: number): Promise<Uint8Array>;
  /** Write whole sectors; data.length must be a non-zero multiple of sectorSize. */
  write(lba: bigint, data: Uint8Array, options?: WriteOptions): Promise<void>;
  /** Make every completed write durable (drain the volatile write cache). */
  flush(): Promise<void>;
  /** Idempotent; every later call rejects with code 'closed'. */
  close(): Promise<void>;
}

/** Base of block errors; `code` says which kind for callers that branch on it. */
export class BlockError extends HalError {
  constructor(code: HalErrorCode, device: string, message: string, options?: ErrorOptions) {
    super(code, device, message, options);
    this.name = 'BlockError';
  }
}

/** The request reaches past the last sector or starts before the first. */
export class BlockRangeError extends BlockError {
  readonly lba: bigint;
  readonly count: number;
  constructor(device: string, lba: bigint, count: number, sectorCount: bigint) {
    super('invalid-argument', device, `sectors ${lba}+${count} outside device of ${sectorCount} sectors`);
    this.name = 'BlockRangeError';
    this.lba = lba;
    this.count = count;
  }
}

/** A length that is not a positive whole number of sectors. */
export class BlockAlignmentError extends BlockError {
  constructor(device: string, what: string) {
    super('invalid-argument', device, what);
    this.name = 'BlockAlignmentError';
  }
}

/** The medium failed the request (EIO, an injected fault, a torn write). */
export class BlockIoError extends BlockError {
  readonly lba: bigint;
  constructor(device: string, lba: bigint, message: string, options?: ErrorOptions) {
    super('io', device, message, options);
    this.name = 'BlockIoError';
    this.lba = lba;
  }
}

/**
 * Validate a request against the geometry and return the sector count it
 * covers. Shared by every driver so they reject exactly the same requests.
 */
export function checkRequest(
  dev: Pick<BlockDevice, 'name' | 'sectorSize' | 'sectorCount'>,
  lba: bigint,
  count: number,
): void {
  if (typeof lba !== 'bigint')
    throw new BlockAlignmentError(dev.name, `lba must be a bigint, got ${typeof lba}`);
  if (!Number.isSafeInteger(count) || count <= 0) {
    throw new BlockAlignmentError(dev.name, `sector count must be a positive integer, got ${count}`);
  }
  if (lba < 0n || lba + BigInt(count) > dev.sectorCount) {
    throw new BlockRangeError(dev.name, lba, count, dev.sectorCount);
  }
}

/** Sector count of a write buffer, or a BlockAlignmentError. */
export function sectorsIn(dev: Pick<BlockDevice, 'name' | 'sectorSize'>, data: Uint8Array): number {
  if (!(data instanceof Uint8Array)) throw new BlockAlignmentError(dev.name, 'data must be a Uint8Array');
  if (data.length === 0 || data.length % dev.sectorSize !== 0) {
    throw new BlockAlignmentError(
      dev.name,
      `write of ${data.length} bytes is not a positive multiple of the ${dev.sectorSize}-byte sector`,
    );
  }
  return data.length / dev.sectorSize;
}

export function closedError(device: string): BlockError {
  return new BlockError('closed', device, 'device is closed');
}
