// Typed SCSI commands over any ScsiDevice: build the CDB, execute with a
// timeout, turn status/sense into a ScsiError, parse the answer.
//
// tgt quirk (REFERENCE 3): the expected transfer length must be >= the CDB's
// allocation length, so dataInLength is always the allocation length itself.
import type { Capacity, ReadWriteFlags, SyncCacheOptions } from './cdb/block.ts';
import {
  READ_CAPACITY_16_LENGTH,
  parseReadCapacity16,
  read16Cdb,
  readCapacity16Cdb,
  synchronizeCache16Cdb,
  testUnitReadyCdb,
  write16Cdb,
} from './cdb/block.ts';
import type { StandardInquiry } from './cdb/inquiry.ts';
import { inquiryCdb, parseStandardInquiry } from './cdb/inquiry.ts';
import type { PrCapabilities, ReadKeys, ReadReservation } from './cdb/pr-in.ts';
import {
  parseReadKeys,
  parseReadReservation,
  parseReportCapabilities,
  prInCdb,
  prInTotalLength,
} from './cdb/pr-in.ts';
import type { PrOutRequest } from './cdb/pr-out.ts';
import { prOut } from './cdb/pr-out.ts';
import type { PrType } from './cdb/pr-types.ts';
import { PrInAction, PrOutAction } from './cdb/pr-types.ts';
import type { Designator } from './cdb/vpd.ts';
import {
  VpdPage,
  parseDeviceIdentification,
  parseSupportedVpdPages,
  parseUnitSerialNumber,
  vpdPageTotalLength,
} from './cdb/vpd.ts';
import { checkUint } from './field-reader.ts';
import { resultError } from './check.ts';
import { SCSI_IO_TIMEOUT_MS, type ScsiCommand, type ScsiDevice, type ScsiResult } from './device.ts';
import type { ScsiError } from './errors.ts';
import { ScsiArgumentError, ScsiParseError } from './errors.ts';

export interface CommandOptions {
  readonly timeoutMs?: number;
  /**
   * A unit attention is reported instead of running the command, so retrying
   * is safe. Default 3. Fencing should poll READ KEYS rather than rely on them.
   */
  readonly unitAttentionRetries?: number;
  /** Told about each unit attention swallowed by a retry. */
  readonly onUnitAttention?: (err: ScsiError) => void;
}

type Request = Omit<ScsiCommand, 'timeoutMs'>;

function timeoutOf(what: string, opts: CommandOptions): number {
  const timeoutMs = opts.timeoutMs ?? SCSI_IO_TIMEOUT_MS;
  if (!(timeoutMs > 0)) throw new ScsiArgumentError(what, 'timeoutMs', `must be > 0, got ${timeoutMs}`);
  return timeoutMs;
}

/**
 * Execute `cmd`, retrying it as-is after a unit attention, and return the data
 * of a GOOD result. The hot path of every I/O, so a plain promise chain with
 * the command object built once by the caller rather than an async function
 * re-spreading a request per attempt. Callers are async functions, so a
 * synchronous throw here still reaches their caller as a rejection.
 */
function run(dev: ScsiDevice, what: string, cmd: ScsiCommand, opts: CommandOptions): Promise<Uint8Array> {
  const retries = opts.unitAttentionRetries ?? 3;
  let attempt = 0;
  const settle = (result: ScsiResult): Uint8Array | Promise<Uint8Array> => {
    const err = resultError(result, what, dev.description);
    if (err === undefined) return result.data;
    if (err.kind !== 'unit-attention' || attempt >= retries) throw err;
    attempt++;
    opts.onUnitAttention?.(err);
    return dev.execute(cmd).then(settle);
  };
  return dev.execute(cmd).then(settle);
}

/** run() for the commands off the I/O path, which build a Request without the timeout. */
function runReq(dev: ScsiDevice, what: string, req: Request, opts: CommandOptions): Promise<Uint8Array> {
  const cmd: ScsiCommand = {
    cdb: req.cdb,
    direction: req.direction,
    dataOut: req.dataOut,
    dataInLength: req.dataInLength,
    timeoutMs: timeoutOf(what, opts),
  };
  return run(dev, what, cmd, opts);
}

/** Ask, and ask again with a bigger allocation when the answer says it was cut short. */
async function runVariable(
  dev: ScsiDevice,
  what: string,
  cdbFor: (alloc: number) => Uint8Array,
  totalLength: (data: Uint8Array) => number,
  firstAlloc: number,
  opts: CommandOptions,
): Promise<Uint8Array> {
  const data = await runReq(
    dev,
    what,
    { cdb: cdbFor(firstAlloc), direction: 'in', dataInLength: firstAlloc },
    opts,
  );
  const total = totalLength(data);
  if (total <= data.length || data.length < firstAlloc) return data;
  const alloc = Math.min(total, 0xffff);
  return runReq(dev, what, { cdb: cdbFor(alloc), direction: 'in', dataInLength: alloc }, opts);
}

export async function testUnitReady(dev: ScsiDevice, opts: CommandOptions = {}): Promise<void> {
  await runReq(dev, 'TEST UNIT READY', { cdb: testUnitReadyCdb(), direction: 'none' }, opts);
}

export async function inquiry(dev: ScsiDevice, opts: CommandOptions = {}): Promise<StandardInquiry> {
  const alloc = 96;
  const data = await runReq(
    dev,
    'INQUIRY',
    { cdb: inquiryCdb(alloc), direction: 'in', dataInLength: alloc },
    opts,
  );
  return parseStandardInquiry(data);
}

async function vpd(dev: ScsiDevice, page: number, opts: CommandOptions): Promise<Uint8Array> {
  const what = `INQUIRY VPD 0x${page.toString(16)}`;
  return runVariable(dev, what, (alloc) => inquiryCdb(alloc, page), vpdPageTotalLength, 252, opts);
}

export async function supportedVpdPages(dev: ScsiDevice, opts: CommandOptions = {}): Promise<number[]> {
  return parseSupportedVpdPages(await vpd(dev, VpdPage.SUPPORTED_PAGES, opts));
}

export async function unitSerialNumber(dev: ScsiDevice, opts: CommandOptions = {}): Promise<string> {
  return parseUnitSerialNumber(await vpd(dev, VpdPage.UNIT_SERIAL_NUMBER, opts));
}

export async function deviceIdentification(
  dev: ScsiDevice,
  opts: CommandOptions = {},
): Promise<Designator[]> {
  return parseDeviceIdentification(await vpd(dev, VpdPage.DEVICE_IDENTIFICATION, opts));
}

export async function readCapacity16(dev: ScsiDevice, opts: CommandOptions = {}): Promise<Capacity> {
  const alloc = READ_CAPACITY_16_LENGTH;
  const cdb = readCapacity16Cdb(alloc);
  return parseReadCapacity16(
    await runReq(dev, 'READ CAPACITY(16)', { cdb, direction: 'in', dataInLength: alloc }, opts),
  );
}

export async function read16(
  dev: ScsiDevice,
  lba: bigint,
  blocks: number,
  blockSize: number,
  opts: CommandOptions & ReadWriteFlags = {},
): Promise<Uint8Array> {
  checkUint('READ(16)', 'block size', blockSize, 1 << 20);
  const length = blocks * blockSize;
  if (!Number.isSafeInteger(length) || length > 0x7fffffff) {
    throw new ScsiArgumentError('READ(16)', 'transfer length', `${blocks} x ${blockSize} bytes is too large`);
  }
  const cdb = read16Cdb(lba, blocks, opts);
  const cmd: ScsiCommand = {
    cdb,
    direction: 'in',
    dataInLength: length,
    timeoutMs: timeoutOf('READ(16)', opts),
  };
  const data = await run(dev, 'READ(16)', cmd, opts);
  if (data.length !== length) {
    throw new ScsiParseError(
      'READ(16)',
      'data',
      `device returned ${data.length} of ${length} bytes with GOOD status`,
    );
  }
  return data;
}

export async function write16(
  dev: ScsiDevice,
  lba: bigint,
  data: Uint8Array,
  opts: CommandOptions & ReadWriteFlags & { readonly blockSize?: number } = {},
): Promise<void> {
  const blockSize = checkUint('WRITE(16)', 'block size', opts.blockSize ?? 512, 1 << 20);
  if (blockSize === 0 || data.length === 0 || data.length % blockSize !== 0) {
    throw new ScsiArgumentError(
      'WRITE(16)',
      'data',
      `${data.length} bytes is not a whole number of ${blockSize}-byte blocks`,
    );
  }
  const cdb = write16Cdb(lba, data.length / blockSize, opts);
  const cmd: ScsiCommand = { cdb, direction: 'out', dataOut: data, timeoutMs: timeoutOf('WRITE(16)', opts) };
  await run(dev, 'WRITE(16)', cmd, opts);
}

export async function synchronizeCache(
  dev: ScsiDevice,
  opts: CommandOptions & SyncCacheOptions & { readonly lba?: bigint; readonly blocks?: number } = {},
): Promise<void> {
  const cdb = synchronizeCache16Cdb(opts.lba ?? 0n, opts.blocks ?? 0, opts);
  await runReq(dev, 'SYNCHRONIZE CACHE(16)', { cdb, direction: 'none' }, opts);
}

export async function readKeys(dev: ScsiDevice, opts: CommandOptions = {}): Promise<ReadKeys> {
  const cdbFor = (alloc: number): Uint8Array => prInCdb(PrInAction.READ_KEYS, alloc);
  return parseReadKeys(await runVariable(dev, 'READ KEYS', cdbFor, prInTotalLength, 8 + 8 * 32, opts));
}

export async function readReservation(dev: ScsiDevice, opts: CommandOptions = {}): Promise<ReadReservation> {
  const alloc = 24;
  const cdb = prInCdb(PrInAction.READ_RESERVATION, alloc);
  return parseReadReservation(
    await runReq(dev, 'READ RESERVATION', { cdb, direction: 'in', dataInLength: alloc }, opts),
  );
}

export async function reportCapabilities(
  dev: ScsiDevice,
  opts: CommandOptions = {},
): Promise<PrCapabilities> {
  const alloc = 8;
  const cdb = prInCdb(PrInAction.REPORT_CAPABILITIES, alloc);
  return parseReportCapabilities(
    await runReq(dev, 'REPORT CAPABILITIES', { cdb, direction: 'in', dataInLength: alloc }, opts),
  );
}

async function prOutRun(
  dev: ScsiDevice,
  what: string,
  req: PrOutRequest,
  opts: CommandOptions,
): Promise<void> {
  const { cdb, parameters } = prOut(req);
  await runReq(dev, what, { cdb, direction: 'out', dataOut: parameters }, opts);
}

/** REGISTER: replace `currentKey` (0n when unregistered) with `newKey` (0n unregisters). */
export function register(
  dev: ScsiDevice,
  currentKey: bigint,
  newKey: bigint,
  opts: CommandOptions = {},
): Promise<void> {
  const req = { action: PrOutAction.REGISTER, key: currentKey, serviceActionKey: newKey };
  return prOutRun(dev, 'PR OUT REGISTER', req, opts);
}

/** REGISTER AND IGNORE EXISTING KEY: what fence_scsi uses, immune to a stale key. */
export function registerIgnore(dev: ScsiDevice, newKey: bigint, opts: CommandOptions = {}): Promise<void> {
  const req = { action: PrOutAction.REGISTER_AND_IGNORE_EXISTING_KEY, key: 0n, serviceActionKey: newKey };
  return prOutRun(dev, 'PR OUT REGISTER AND IGNORE EXISTING KEY', req, opts);
}

export function reserve(
  dev: ScsiDevice,
  key: bigint,
  type: PrType,
  opts: CommandOptions = {},
): Promise<void> {
  return prOutRun(dev, 'PR OUT RESERVE', { action: PrOutAction.RESERVE, key, type }, opts);
}

export function release(
  dev: ScsiDevice,
  key: bigint,
  type: PrType,
  opts: CommandOptions = {},
): Promise<void> {
  return prOutRun(dev, 'PR OUT RELEASE', { action: PrOutAction.RELEASE, key, type }, opts);
}

export function clear(dev: ScsiDevice, key: bigint, opts: CommandOptions = {}): Promise<void> {
  return prOutRun(dev, 'PR OUT CLEAR', { action: PrOutAction.CLEAR, key }, opts);
}

export function preempt(
  dev: ScsiDevice,
  key: bigint,
  victimKey: bigint,
  type: PrType,
  opts: CommandOptions = {},
): Promise<void> {
  const req = { action: PrOutAction.PREEMPT, key, serviceActionKey: victimKey, type };
  return prOutRun(dev, 'PR OUT PREEMPT', req, opts);
}

export function preemptAndAbort(
  dev: ScsiDevice,
  key: bigint,
  victimKey: bigint,
  type: PrType,
  opts: CommandOptions = {},
): Promise<void> {
  const req = { action: PrOutAction.PREEMPT_AND_ABORT, key, serviceActionKey: victimKey, type };
  return prOutRun(dev, 'PR OUT PREEMPT AND ABORT', req, opts);
}
