// tandemctl's Io for tests: what it prints is kept, in order, per stream.
import type { Io } from '../../../firmware/console/tandemctl.ts';

export function capturedIo(now: () => number = () => 0): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (t) => stdout.push(t),
    err: (t) => stderr.push(t),
    color: false,
    now,
  };
}
