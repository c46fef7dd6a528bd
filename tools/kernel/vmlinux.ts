// The uncompressed vmlinux inside Debian's bzImage, so QEMU can boot it
// directly through its PVH entry point (4-6 s here; through SeaBIOS and the
// bzImage's own decompressor 7-10 s). The boot protocol header says exactly
// where the compressed payload is (payload_offset/payload_length, protocol
// 2.08+), so unlike scripts/extract-vmlinux no magic-number scan is needed.
// The payload ends with the build's size_append: the uncompressed size as a
// 32-bit little-endian number, which xz would read as a truncated stream.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const XZ_MAGIC = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);
const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

export function bzImagePayload(image: Buffer): { xz: Buffer; size: number } {
  if (image.toString('latin1', 0x202, 0x206) !== 'HdrS') throw new Error('not a bzImage (no HdrS)');
  const setupSects = image.readUInt8(0x1f1) || 4;
  const start = (setupSects + 1) * 512 + image.readUInt32LE(0x248);
  const payload = image.subarray(start, start + image.readUInt32LE(0x24c));
  if (!payload.subarray(0, 6).equals(XZ_MAGIC)) throw new Error('bzImage payload is not xz (Debian uses xz)');
  return { xz: payload.subarray(0, -4), size: payload.readUInt32LE(payload.length - 4) };
}

function unxz(data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('xz', ['--decompress', '--stdout'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`xz exited ${code}: ${err.trim()}`)),
    );
    child.stdin.end(data);
  });
}

/** The vmlinux next to the cache, extracted once (written to a temporary name, then renamed). */
export async function ensureVmlinux(bzImage: string, target: string): Promise<string> {
  if (existsSync(target)) return target;
  const payload = bzImagePayload(readFileSync(bzImage));
  const elf = await unxz(payload.xz);
  if (!elf.subarray(0, 4).equals(ELF_MAGIC) || elf.length !== payload.size)
    throw new Error(`${bzImage}: payload is not an ELF vmlinux of ${payload.size} bytes`);
  writeFileSync(`${target}.tmp`, elf);
  renameSync(`${target}.tmp`, target);
  return target;
}
