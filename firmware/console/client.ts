// tandemctl's side of the control socket: send one envelope, read one reply.
import { randomUUID } from 'node:crypto';
import { createConnection } from 'node:net';
import { parseBoundedJson } from '../core/bounded-json.ts';
import type { OnBehalf } from '../commands/context.ts';
import type { CommandName, CommandResponse } from '../core/envelope.ts';
import { LIMITS } from '../core/limits.ts';
import { LineSplitter, MAX_RESPONSE_LINE } from './protocol.ts';

/** The daemon could not be reached or did not answer sensibly (exit code 3). */
export class UnreachableError extends Error {}

export async function sendRequest(
  socketPath: string,
  command: CommandName,
  args: Record<string, unknown>,
  timeoutMs = 30_000,
  /** web.sock only: the web user the request is for (console/on-behalf.ts). */
  as?: OnBehalf,
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
    socket.on('connect', () =>
      socket.write(JSON.stringify({ command, args, transaction, ...(as ? { as } : {}) }) + '\n'),
    );
    socket.on('data', (chunk: Buffer) => {
      const lines = splitter.push(chunk);
      if (lines === 'overflow')
        return finish(() => reject(new UnreachableError(`reply over the ${MAX_RESPONSE_LINE}-byte limit`)));
      for (const line of lines) {
        const parsed = parseBoundedJson(line, LIMITS.consoleReply, 'reply');
        if (!parsed.ok)
          return finish(() =>
            reject(new UnreachableError(`the daemon sent an unusable reply: ${parsed.error}`)),
          );
        const r = (parsed.value ?? {}) as Partial<CommandResponse>;
        if (r.transaction !== transaction && r.transaction !== '') continue;
        if (r.status !== 'ok' && r.status !== 'error') {
          return finish(() => reject(new UnreachableError('the daemon sent a reply without a status')));
        }
        return finish(() => resolve(r as CommandResponse));
      }
    });
  });
}
