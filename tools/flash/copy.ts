// The image onto the target in large aligned chunks, hashed as it is read,
// fsynced at the end; then the target read back and hashed over the image's
// length. A regular file target becomes exactly the image, sparse where the
// image is zero (skipped chunks are holes); a block device gets every byte.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { Progress, type ProgressSink } from './progress.ts';

const CHUNK = 4 * 1024 * 1024;

export async function writeImage(
  image: string,
  bytes: number,
  target: string,
  kind: 'file' | 'block',
  sink: ProgressSink,
): Promise<string> {
  const hash = createHash('sha256');
  const progress = new Progress('write', bytes, sink);
  const src = await open(image, 'r');
  try {
    // A file is created 0600 (the data partition will hold the config's
    // secrets) and truncated; a block device is opened without O_CREAT, so a
    // node that vanished is an error, not a new file in /dev.
    const dst = await open(target, kind === 'file' ? 'w' : 'r+', 0o600);
    try {
      const buf = Buffer.alloc(CHUNK);
      const zero = Buffer.alloc(CHUNK);
      for (let at = 0; at < bytes;) {
        const want = Math.min(CHUNK, bytes - at);
        const { bytesRead } = await src.read(buf, 0, want, at);
        if (bytesRead !== want)
          throw new Error(`${image}: short read at byte ${at} (changed while flashing?)`);
        const chunk = buf.subarray(0, want);
        hash.update(chunk);
        if (kind === 'block' || !chunk.equals(zero.subarray(0, want))) {
          for (let off = 0; off < want;) {
            const { bytesWritten } = await dst.write(chunk, off, want - off, at + off);
            off += bytesWritten;
          }
        }
        at += want;
        progress.update(at);
      }
      if (kind === 'file') await dst.truncate(bytes);
      await dst.sync();
    } finally {
      await dst.close();
    }
  } finally {
    await src.close();
  }
  progress.done();
  return hash.digest('hex');
}

/** SHA-256 of the first `bytes` bytes of `path`; short means a mismatch, not a crash. */
export async function hashPrefix(path: string, bytes: number, sink: ProgressSink): Promise<string> {
  const hash = createHash('sha256');
  const progress = new Progress('verify', bytes, sink);
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(CHUNK);
    for (let at = 0; at < bytes;) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(CHUNK, bytes - at), at);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
      at += bytesRead;
      progress.update(at);
    }
  } finally {
    await fh.close();
  }
  progress.done();
  return hash.digest('hex');
}
