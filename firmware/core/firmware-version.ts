// The running firmware's version: the package's, installed beside firmware/
// on the box (package.json). Read once; 'unknown' when it cannot be read.
// Low in the tree because the heartbeat (firmware/heartbeat) sends it to the
// peer as well as status, MQTT and the panels showing it.
import { fileURLToPath } from 'node:url';
import { readFileBounded } from './bounded-read.ts';

/** What a firmware version string may be (the heartbeat carries at most 32 bytes of it). */
export const FIRMWARE_VERSION_RE = /^[\w.+-]{1,32}$/;

let version: string | undefined;

/** The firmware's version: the package's, installed beside firmware/ on the box (package.json). */
export function firmwareVersion(): string {
  if (version !== undefined) return version;
  version = 'unknown';
  const path = fileURLToPath(new URL('../../package.json', import.meta.url));
  const read = readFileBounded(path, 64 * 1024, 'package.json');
  if (read.ok) {
    try {
      const v = (JSON.parse(read.value.toString('utf8')) as { version?: unknown }).version;
      if (typeof v === 'string' && FIRMWARE_VERSION_RE.test(v)) version = v;
    } catch {
      // keep 'unknown': the status still answers
    }
  }
  return version;
}
