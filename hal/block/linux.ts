// BlockDevice on node:fs file handles, for a block device node (/dev/sdX) or
// a regular file (disk images in tests and the lab).
//
// FUA: writes with {fua: true} go through a second descriptor opened with
// O_DSYNC. That is exactly FUA's contract: this one write is on stable media
// when it returns (Linux turns O_DSYNC on a block device into REQ_FUA, or a
// write plus cache flush where the disk lacks FUA), and it costs one syscall.
// The alternative, write then fdatasync, also drains every unrelated cached
// write of the file, which is slower and more than the caller asked for.
// flush() is fdatasync on the main descriptor.
//
// Caveat: reads go through the page cache. On a disk shared with the peer
// controller a cached sector can be stale; sectors the peer writes must be
// read with O_DIRECT or SG_IO (hal/scsi), which node:fs cannot do (no
// aligned buffers).
import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open, readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { paths } from '../paths.ts';
import { BlockError, BlockIoError, checkRequest, closedError, sectorsIn } from './block.ts';
import type { BlockDevice, WriteOptions } from './block.ts';
import { errorMessage } from '../errors.ts';

export interface LinuxBlockOptions {
  /** Sector size for a regular file (default 512); a device node's comes from sysfs. */
  readonly sectorSize?: number;
  /** Where to look up device geometry; defaults to paths.sysBlock. */
  readonly sysBlock?: string;
}

export class LinuxBlockDevice implements BlockDevice {
  readonly name: string;
  readonly sectorSize: number;
  readonly sectorCount: bigint;
  private readonly fh: FileHandle;
  private readonly fuaFh: FileHandle;
  private closed = false;

  private constructor(
    name: string,
    sectorSize: number,
    sectorCount: bigint,
    fh: FileHandle,
    fuaFh: FileHandle,
  ) {
    this.name = name;
    this.sectorSize = sectorSize;
    this.sectorCount = sectorCount;
    this.fh = fh;
    this.fuaFh = fuaFh;
  }

  static async open(path: string, options: LinuxBlockOptions = {}): Promise<LinuxBlockDevice> {
    if (typeof path !== 'string' || !path.startsWith('/')) {
      throw new BlockError('invalid-argument', String(path), 'block device path must be absolute');
    }
    let fh: FileHandle | undefined;
    let fuaFh: FileHandle | undefined;
    try {
      fh = await open(path, constants.O_RDWR);
      fuaFh = await open(path, constants.O_RDWR | constants.O_DSYNC);
      const st = await fh.stat({ bigint: true });
      let sectorSize: number;
      let bytes: bigint;
      if (st.isFile()) {
        sectorSize = options.sectorSize ?? 512;
        if (![512, 4096].includes(sectorSize)) {
          throw new BlockError(
            'invalid-argument',
            path,
            `sector size must be 512 or 4096, got ${sectorSize}`,
          );
        }
        bytes = st.size;
      } else if (st.isBlockDevice()) {
        ({ sectorSize, bytes } = await sysfsGeometry(options.sysBlock ?? paths.sysBlock, basename(path)));
      } else {
        throw new BlockError('not-supported', path, 'neither a regular file nor a block device');
      }
      if (bytes % BigInt(sectorSize) !== 0n || bytes === 0n) {
        throw new BlockError(
          'invalid-argument',
          path,
          `size ${bytes} is not a positive multiple of ${sectorSize}`,
        );
      }
      return new LinuxBlockDevice(path, sectorSize, bytes / BigInt(sectorSize), fh, fuaFh);
    } catch (err) {
      await fh?.close().catch(() => undefined);
      await fuaFh?.close().catch(() => undefined);
      throw err instanceof BlockError ? err : mapFsError(path, 0n, 'open', err);
    }
  }

  async read(lba: bigint, count: number): Promise<Uint8Array> {
    this.checkOpen();
    checkRequest(this, lba, count);
    const out = new Uint8Array(count * this.sectorSize);
    const base = lba * BigInt(this.sectorSize);
    let done = 0;
    try {
      while (done < out.length) {
        const { bytesRead } = await this.fh.read(out, done, out.length - done, base + BigInt(done));
        if (bytesRead === 0)
          throw new BlockIoError(this.name, lba, 'short read: device shrank underneath us');
        done += bytesRead;
      }
    } catch (err) {
      throw err instanceof BlockError ? err : mapFsError(this.name, lba, 'read', err);
    }
    return out;
  }

  async write(lba: bigint, data: Uint8Array, options: WriteOptions = {}): Promise<void> {
    this.checkOpen();
    checkRequest(this, lba, sectorsIn(this, data));
    const fh = options.fua ? this.fuaFh : this.fh;
    const base = lba * BigInt(this.sectorSize);
    let done = 0;
    try {
      while (done < data.length) {
        // FileHandle.write takes a number position; our offsets stay far below 2^53.
        const { bytesWritten } = await fh.write(data, done, data.length - done, Number(base + BigInt(done)));
        if (bytesWritten === 0) throw new BlockIoError(this.name, lba, 'write made no progress');
        done += bytesWritten;
      }
    } catch (err) {
      throw err instanceof BlockError ? err : mapFsError(this.name, lba, 'write', err);
    }
  }

  async flush(): Promise<void> {
    this.checkOpen();
    try {
      await this.fh.datasync();
    } catch (err) {
      throw mapFsError(this.name, 0n, 'flush', err);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([this.fh.close(), this.fuaFh.close()]);
  }

  private checkOpen(): void {
    if (this.closed) throw closedError(this.name);
  }
}

/** Geometry of a disk or partition from sysfs (whose `size` is in 512-byte units). */
export async function sysfsGeometry(
  sysBlock: string,
  name: string,
): Promise<{ sectorSize: number; bytes: bigint }> {
  let dir = join(sysBlock, name);
  let diskDir = dir;
  const found = await readSysfs(join(dir, 'size'));
  if (found === null) {
    // A partition lives under its disk: /sys/block/sda/sda1.
    for (const disk of await readdir(sysBlock).catch(() => [] as string[])) {
      if ((await readSysfs(join(sysBlock, disk, name, 'size'))) !== null) {
        diskDir = join(sysBlock, disk);
        dir = join(diskDir, name);
        break;
      }
    }
  }
  const size = parseSysfsInt(await readSysfs(join(dir, 'size')), name, 'size');
  const sectorSize = Number(
    parseSysfsInt(await readSysfs(join(diskDir, 'queue', 'logical_block_size')), name, 'logical_block_size'),
  );
  if (![512, 1024, 2048, 4096].includes(sectorSize)) {
    throw new BlockError('protocol', name, `sysfs logical_block_size ${sectorSize} is not a sector size`);
  }
  return { sectorSize, bytes: size * 512n };
}

async function readSysfs(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return null;
  }
}

function parseSysfsInt(text: string | null, device: string, what: string): bigint {
  const t = text?.trim() ?? '';
  if (!/^\d{1,20}$/.test(t))
    throw new BlockError(
      'protocol',
      device,
      `sysfs ${what} unreadable or not a number: ${JSON.stringify(text)}`,
    );
  return BigInt(t);
}

function mapFsError(device: string, lba: bigint, op: string, err: unknown): BlockError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const message = errorMessage(err);
  if (code === 'ENXIO' || code === 'ENODEV' || code === 'ENOENT') {
    return new BlockError('disconnected', device, `${op}: ${message}`, { cause: err });
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new BlockError('invalid-argument', device, `${op}: ${message}`, { cause: err });
  }
  return new BlockIoError(device, lba, `${op}: ${message}`, { cause: err });
}
