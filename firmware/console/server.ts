// The daemon side of tandemctl: a UNIX socket, newline-delimited JSON
// envelopes, handed to the daemon's CommandHandler.
//
// Who may connect: Node exposes no SO_PEERCRED, so the peer's uid cannot be
// checked per connection. Instead the socket lives in a directory we make
// 0700 and is itself chmod 0600, both owned by the daemon's user (root): the
// kernel refuses connect() to anyone else. A bad client (garbage, oversize
// lines, floods, vanishing mid-request) only ever loses its own connection.
import { chmodSync, lstatSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { admit, salvageTransaction } from '../commands/check.ts';
import type { Role } from '../commands/define.ts';
import type { CommandHandler, CommandResponse } from '../core/envelope.ts';
import type { Extension } from '../core/extension.ts';
import { LineSplitter, MAX_REQUEST_LINE } from './protocol.ts';
import { errorMessage } from '../../hal/errors.ts';

export interface ControlServerOptions {
  readonly socketPath: string;
  readonly commandHandler: CommandHandler;
  readonly log?: { warn(message: string): void };
  readonly maxClients?: number;
  /** A connection idle this long is closed, so stuck clients do not pile up. */
  readonly idleMs?: number;
  /** What a client may do; default admin: only root can connect (see above). */
  readonly role?: Role;
}

/** Requests in progress per connection; a client must wait for its replies. */
const MAX_PENDING_PER_CLIENT = 4;

export class ControlSocketServer implements Extension {
  readonly name = 'control-socket';
  private readonly options: ControlServerOptions;
  private server: Server | null = null;
  private readonly clients = new Set<Socket>();

  constructor(options: ControlServerOptions) {
    this.options = options;
  }

  async start(): Promise<void> {
    const path = this.options.socketPath;
    const dir = dirname(path);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // mkdir leaves an existing directory's mode alone; the socket's safety depends on it.
    chmodSync(dir, 0o700);
    removeStaleSocket(path);
    const server = createServer((socket) => this.accept(socket));
    server.maxConnections = this.options.maxClients ?? 16;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // A restrictive umask while binding closes the window before chmod.
      const oldMask = process.umask(0o177);
      try {
        server.listen(path, () => {
          server.off('error', reject);
          resolve();
        });
      } finally {
        process.umask(oldMask);
      }
    });
    chmodSync(path, 0o600);
    server.on('error', (err) => this.options.log?.warn(`control socket: ${err.message}`));
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    for (const c of this.clients) c.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(this.options.socketPath, { force: true });
  }

  private accept(socket: Socket): void {
    this.clients.add(socket);
    socket.setEncoding('utf8');
    socket.setTimeout(this.options.idleMs ?? 60_000, () => socket.destroy());
    socket.on('close', () => this.clients.delete(socket));
    socket.on('error', () => socket.destroy());
    const splitter = new LineSplitter(MAX_REQUEST_LINE);
    let pending = 0;
    socket.on('data', (chunk: string) => {
      const lines = splitter.push(chunk);
      if (lines === 'overflow') {
        reply(socket, errorResponse('', `request: line over the ${MAX_REQUEST_LINE}-byte limit`));
        socket.end();
        return;
      }
      for (const line of lines) {
        if (pending >= MAX_PENDING_PER_CLIENT) {
          reply(socket, errorResponse('', 'busy: too many requests in progress on this connection'));
          continue;
        }
        pending += 1;
        void this.answer(line).then((response) => {
          pending -= 1;
          reply(socket, response);
        });
      }
    });
  }

  private async answer(line: string): Promise<CommandResponse> {
    let body: unknown;
    try {
      body = JSON.parse(line);
    } catch (err) {
      return errorResponse('', `request: not valid JSON (${(err as Error).message})`);
    }
    const checked = admit(body, this.options.role ?? 'admin');
    if (!checked.ok) return errorResponse(salvageTransaction(body), checked.error);
    const request = checked.value;
    try {
      const response = await this.options.commandHandler.handle(request);
      return { ...response, transaction: request.transaction };
    } catch (err) {
      return errorResponse(request.transaction, `internal: ${errorMessage(err)}`);
    }
  }
}

function errorResponse(transaction: string, error: string): CommandResponse {
  return { status: 'error', data: null, error, transaction };
}

function reply(socket: Socket, response: CommandResponse): void {
  if (!socket.writable) return;
  let line: string;
  try {
    line = JSON.stringify(response);
  } catch (err) {
    line = JSON.stringify(
      errorResponse(response.transaction, `internal: reply not serialisable (${(err as Error).message})`),
    );
  }
  socket.write(line + '\n');
}

/** Removes a socket left by a crashed daemon, but never a non-socket file. */
function removeStaleSocket(path: string): void {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return;
  }
  if (!st.isSocket()) throw new Error(`${path} exists and is not a socket; refusing to replace it`);
  rmSync(path);
}
