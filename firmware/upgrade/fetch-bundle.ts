// Bringing a bundle onto this controller: an http(s) URL is downloaded to
// the data partition (the slot about to be written cannot hold it, and it
// must survive a reboot for a resumed upgrade); a path is used where it is.
// The download is bounded in size and time, and checked against the free
// space first: a full data partition would stop the event log. It runs in a
// child process at the lowest CPU and I/O priority (`downloadBundle`): under
// load the daemon's heartbeats and the database come first (measured on the
// VM pair: a download inside the daemon's own process stalled its
// heartbeats for 6 s and the peer declared it dead).
import { execFile } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { mkdir, rename, rm, stat, statfs } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

/** Larger than any image the root slot (768 MiB) can take in a bundle. */
export const MAX_BUNDLE_BYTES = 1024 * 1024 * 1024;
/** Left free on the data partition after the download (the event log, the config). */
const SPARE_BYTES = 32 * 1024 * 1024;
const DOWNLOAD_TIMEOUT_MS = 15 * 60_000;

export function isUrl(source: string): boolean {
  return /^https?:\/\//.test(source);
}

async function freeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return Number(s.bavail) * Number(s.bsize);
}

/** The local file of the bundle, or why it could not be had: a URL through a niced child process. */
export async function fetchBundle(source: string, into: string): Promise<string> {
  if (!isUrl(source)) return download(source, into);
  // Its own entry file: a bundler merges every module of the daemon into
  // one, where an import.meta.main block here would run at the daemon's start.
  const script = fileURLToPath(new URL(`./fetch-child${extname(import.meta.url)}`, import.meta.url));
  const idleIo = existsSync(IONICE) ? [IONICE, '-c', '3'] : [];
  await new Promise<void>((resolve, reject) => {
    execFile(
      'nice',
      ['-n', '19', ...idleIo, process.execPath, script, source, into],
      {
        timeout: DOWNLOAD_TIMEOUT_MS + 60_000,
        killSignal: 'SIGKILL',
        maxBuffer: 64 * 1024,
        encoding: 'utf8',
      },
      (err, _stdout, stderr) => {
        if (err === null) return resolve();
        const why = stderr.trim().split('\n').at(-1) ?? '';
        reject(new Error(why !== '' ? why : `download of ${source} failed: ${err.message}`));
      },
    );
  });
  return into;
}

/** In the child (or for a path, here): the bundle's bytes to `into`. */
export async function download(source: string, into: string): Promise<string> {
  if (!isUrl(source)) {
    const s = await stat(source).catch(() => null);
    if (s === null || !s.isFile()) throw new Error(`${source}: no such file on this controller`);
    if (s.size > MAX_BUNDLE_BYTES)
      throw new Error(`${source}: ${s.size} bytes, over the ${MAX_BUNDLE_BYTES}-byte limit`);
    return source;
  }
  await mkdir(dirname(into), { recursive: true });
  await rm(into, { force: true });
  const res = await fetch(source, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS), redirect: 'error' });
  if (!res.ok || res.body === null) throw new Error(`${source}: HTTP ${res.status} ${res.statusText}`);
  const length = Number(res.headers.get('content-length') ?? NaN);
  const free = await freeBytes(dirname(into));
  if (Number.isFinite(length)) {
    if (length > MAX_BUNDLE_BYTES)
      throw new Error(`${source}: ${length} bytes, over the ${MAX_BUNDLE_BYTES}-byte limit`);
    if (length + SPARE_BYTES > free)
      throw new Error(
        `not enough space on the data partition: the bundle needs ${mb(length)}, ${mb(free)} free`,
      );
  }
  const part = `${into}.part`;
  let seen = 0;
  const limit = Math.min(MAX_BUNDLE_BYTES, Math.max(0, free - SPARE_BYTES));
  const body = Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
  body.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > limit)
      body.destroy(new Error(`${source}: more than ${mb(limit)} (the limit or the free space)`));
  });
  try {
    await pipeline(body, createWriteStream(part, { mode: 0o600 }));
  } catch (e) {
    await rm(part, { force: true });
    throw e;
  }
  await rename(part, into);
  return into;
}

function mb(n: number): string {
  return `${Math.round(n / 1048576)} MiB`;
}

/** util-linux's ionice: idle I/O class where the image has it. */
const IONICE = '/usr/bin/ionice';
