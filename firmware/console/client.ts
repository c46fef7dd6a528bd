// tandemctl's side of the control socket: send one envelope, read one reply.
import { randomUUID } from 'node:crypto';
import { createConnection } from 'node:net';
import type { CommandName, CommandResponse } from '../core/envelope.ts';
import { LineSplitter, MAX_RESPONSE_LINE } from './protocol.ts';

/** The daemon could not be reached or did not answer sensibly (exit code 3). */
export class UnreachableError extends Error {}

export async function sendRequest(
  socketPath: string,
  command: CommandName,
  args: Record<string, unknown>,
  timeoutMs = 30_000,
): Promise<CommandResponse> {
  const transaction = randomUUID();
  return new Promise((resolve, reject) => {
    const socket = createConnection(socketPath);
    const splitter = new LineSplitter(MAX_RESPONSE_LINE);
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      fn();
    };
    socket.setEncoding('utf8');
    socket.setTimeout(timeoutMs, () =>
      finish(() => reject(new UnreachableError(`no reply from the daemon within ${timeoutMs} ms`))),
    );
    socket.on('error', (err: NodeJS.ErrnoException) =>
      finish(() =>
        reject(new UnreachableError(`cannot reach the daemon at ${socketPath}: ${err.code ?? err.message}`)),
      ),
    );
    socket.on('close', () =>
      finish(() => reject(new UnreachableError('the daemon closed the connection without replying'))),
    );
    socket.on('connect', () => socket.write(JSON.stringify({ command, args, transaction }) + '\n'));
    socket.on('data', (chunk: string) => {
      const lines = splitter.push(chunk);
      if (lines === 'overflow') return finish(() => reject(new UnreachableError('reply too large')));
      for (const line of lines) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch {
          return finish(() => reject(new UnreachableError('the daemon sent a reply that is not JSON')));
        }
        const r = parsed as Partial<CommandResponse>;
        if (r.transaction !== transaction && r.transaction !== '') continue;
        if (r.status !== 'ok' && r.status !== 'error') {
          return finish(() => reject(new UnreachableError('the daemon sent a reply without a status')));
        }
        return finish(() => resolve(r as CommandResponse));
      }
    });
  });
}
