import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LinuxBlockDevice, sysfsGeometry } from '../../../hal/block/linux.ts';
import { isHalError } from '../../../hal/errors.ts';
import { blockDeviceContract } from './block-contract.ts';

let dir = '';
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tandem-block-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function image(bytes: number): Promise<string> {
  const file = join(dir, `disk${n++}.img`);
  await writeFile(file, '');
  await truncate(file, bytes);
  return file;
}

blockDeviceContract('LinuxBlockDevice on a temp file', async (sectorSize, sectorCount) => {
  const file = await image(sectorSize * Number(sectorCount));
  const dev = await LinuxBlockDevice.open(file, { sectorSize });
  return { dev, dispose: () => rm(file, { force: true }) };
});

describe('LinuxBlockDevice.open', () => {
  it('refuses a file that is not a whole number of sectors', async () => {
    const file = await image(1000);
    await expect(LinuxBlockDevice.open(file)).rejects.toSatisfy((e) => isHalError(e, 'invalid-argument'));
  });

  it('refuses a directory, a missing path and a relative path with typed errors', async () => {
    await expect(LinuxBlockDevice.open(dir)).rejects.toSatisfy((e) => isHalError(e));
    await expect(LinuxBlockDevice.open(join(dir, 'absent.img'))).rejects.toSatisfy((e) =>
      isHalError(e, 'disconnected'),
    );
    await expect(LinuxBlockDevice.open('disk.img')).rejects.toSatisfy((e) =>
      isHalError(e, 'invalid-argument'),
    );
  });

  it('writes FUA data to the file itself (visible to another reader)', async () => {
    const file = await image(8 * 512);
    const dev = await LinuxBlockDevice.open(file);
    await dev.write(2n, new Uint8Array(512).fill(0xab), { fua: true });
    const { readFile } = await import('node:fs/promises');
    const raw = await readFile(file);
    expect(raw.subarray(1024, 1536).every((b) => b === 0xab)).toBe(true);
    await dev.close();
  });
});

describe('sysfsGeometry (fixture tree)', () => {
  async function fixture(): Promise<string> {
    const sys = join(dir, `sys${n++}`);
    await mkdir(join(sys, 'sdb', 'queue'), { recursive: true });
    await mkdir(join(sys, 'sdb', 'sdb1'), { recursive: true });
    await writeFile(join(sys, 'sdb', 'size'), '2097152\n');
    await writeFile(join(sys, 'sdb', 'queue', 'logical_block_size'), '4096\n');
    await writeFile(join(sys, 'sdb', 'sdb1', 'size'), '8192\n');
    return sys;
  }

  it('reads a disk (size in 512-byte units) and a partition under its disk', async () => {
    const sys = await fixture();
    expect(await sysfsGeometry(sys, 'sdb')).toEqual({ sectorSize: 4096, bytes: 2097152n * 512n });
    expect(await sysfsGeometry(sys, 'sdb1')).toEqual({ sectorSize: 4096, bytes: 8192n * 512n });
  });

  it('raises a protocol error on garbage or missing sysfs values', async () => {
    const sys = await fixture();
    await writeFile(join(sys, 'sdb', 'size'), 'lots');
    await expect(sysfsGeometry(sys, 'sdb')).rejects.toSatisfy((e) => isHalError(e, 'protocol'));
    await expect(sysfsGeometry(sys, 'sdz')).rejects.toSatisfy((e) => isHalError(e, 'protocol'));
    await writeFile(join(sys, 'sdb', 'size'), '8\n');
    await writeFile(join(sys, 'sdb', 'queue', 'logical_block_size'), '1000\n');
    await expect(sysfsGeometry(sys, 'sdb')).rejects.toSatisfy((e) => isHalError(e, 'protocol'));
  });
});
