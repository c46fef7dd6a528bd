// The mount table of the calling process, read from /proc/self/mountinfo.
import { readFileSync } from 'node:fs';

function unescapeMountinfo(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Mount points of the calling process's mount namespace. */
export function mountPoints(mountinfo = '/proc/self/mountinfo'): string[] {
  return readFileSync(mountinfo, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => unescapeMountinfo(l.split(' ')[4] ?? ''));
}

export function isMountPoint(dir: string): boolean {
  return mountPoints().includes(dir);
}
