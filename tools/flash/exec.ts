// External programs (blkid, debugfs, losetup): execFile with an argument
// array, never a shell; a deadline so a wedged tool cannot hang a flash;
// output kept as bytes, since debugfs `cat` returns a file's exact content.
import { execFile } from 'node:child_process';
import { FlashError } from './errors.ts';

export interface ExecResult {
  readonly code: number;
  readonly stdout: Buffer;
  readonly stderr: string;
}

const MAX_OUTPUT = 16 * 1024 * 1024;

/** Runs `cmd`; a non-zero exit is returned, a missing program is a FlashError. */
export function exec(
  cmd: string,
  args: readonly string[],
  opts: { timeoutMs?: number; cwd?: string } = {},
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { encoding: 'buffer', timeout: opts.timeoutMs ?? 60_000, maxBuffer: MAX_OUTPUT, cwd: opts.cwd },
      (err, stdout, stderr) => {
        const errText = stderr.toString('utf8');
        if (err === null) {
          resolve({ code: 0, stdout, stderr: errText });
          return;
        }
        const code = (err as { code?: unknown }).code;
        if (code === 'ENOENT') {
          reject(
            new FlashError(
              `${cmd} is not installed (Debian: ${PACKAGES[cmd] ?? 'its package'}; tools/setup.sh)`,
            ),
          );
        } else if (typeof code === 'number') {
          resolve({ code, stdout, stderr: errText });
        } else {
          reject(
            new FlashError(
              `${cmd} ${args.join(' ')}: ${err.killed ? 'killed after its deadline' : err.message}`,
            ),
          );
        }
      },
    );
  });
}

/** Where each program we run comes from, for the error when it is missing. */
const PACKAGES: Record<string, string> = {
  blkid: 'util-linux',
  blockdev: 'util-linux',
  debugfs: 'e2fsprogs',
};
