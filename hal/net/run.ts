// Running ip: argument arrays only (never a shell), a hard timeout so a
// wedged tool cannot hang failover, and the exit code handed back rather than
// thrown, because some failures are outcomes the caller accepts (deleting an
// address someone else already removed).
import { execFile } from 'node:child_process';
import { NetError } from './net.ts';

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export type Runner = (file: string, args: readonly string[], timeoutMs: number) => Promise<RunResult>;

export const execRunner: Runner = (file, args, timeoutMs) =>
  new Promise((resolve, reject) => {
    execFile(
      file,
      [...args],
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1 << 20, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (!err) return resolve({ code: 0, stdout, stderr });
        const e = err as NodeJS.ErrnoException & { code?: unknown; killed?: boolean };
        if (e.code === 'ENOENT') {
          return reject(new NetError('not-supported', file, `${file} is not installed`, { cause: err }));
        }
        if (e.killed) {
          return reject(new NetError('timeout', file, `${file} ${args.join(' ')} took over ${timeoutMs} ms`));
        }
        if (typeof e.code === 'number') return resolve({ code: e.code, stdout, stderr });
        reject(new NetError('io', file, `${file} failed: ${err.message}`, { cause: err }));
      },
    );
  });
