// Reads that stop at their limit instead of reading everything and then
// refusing: a file (or /dev/zero, or a FIFO) is read in chunks until EOF or
// until one byte past the limit, a stream until its end or the chunk that
// crosses the limit, after which it is destroyed. Memory is bounded by the
// limit, whatever the source would have produced.
import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Result } from './result.ts';

const CHUNK = 64 * 1024;

function overLimit(what: string, maxBytes: number): string {
  return `${what}: more than the ${maxBytes}-byte limit`;
}

/** The file's bytes, read at most maxBytes + 1 of them; errors name the limit. */
export function readFileBounded(path: string, maxBytes: number, what: string): Result<Buffer, string> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    return { ok: false, error: `${what}: cannot open: ${(err as Error).message}` };
  }
  try {
    const buf = Buffer.allocUnsafe(Math.min(maxBytes + 1, CHUNK));
    const parts: Buffer[] = [];
    let total = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, maxBytes + 1 - total), null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) return { ok: false, error: overLimit(what, maxBytes) };
      parts.push(Buffer.from(buf.subarray(0, n)));
    }
    return { ok: true, value: Buffer.concat(parts, total) };
  } catch (err) {
    return { ok: false, error: `${what}: cannot read: ${(err as Error).message}` };
  } finally {
    closeSync(fd);
  }
}

/** A stream's bytes up to maxBytes; the stream is destroyed as soon as it goes past. */
export async function readStreamBounded(
  stream: AsyncIterable<unknown> & { destroy(): unknown },
  maxBytes: number,
  what: string,
): Promise<Result<Buffer, string>> {
  const parts: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream) {
      const b = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk as Uint8Array);
      total += b.length;
      if (total > maxBytes) {
        stream.destroy();
        return { ok: false, error: overLimit(what, maxBytes) };
      }
      parts.push(b);
    }
  } catch (err) {
    return { ok: false, error: `${what}: cannot read: ${(err as Error).message}` };
  }
  return { ok: true, value: Buffer.concat(parts, total) };
}

/**
 * The last maxBytes of a file that may be large (a server log): only the
 * tail is read, whatever the file's size.
 */
export async function readTailBounded(path: string, maxBytes: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const length = Math.min(size, maxBytes);
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, size - length);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}
