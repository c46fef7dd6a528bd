// The daemon side of tandemctl: a UNIX socket, newline-delimited JSON
// envelopes, handed to the daemon's CommandHandler.
//
// Who may connect: Node exposes no SO_PEERCRED, so the peer's uid cannot be
// checked per connection. Instead the socket lives in a directory we make
// 0700 and is itself chmod 0600, both owned by the daemon's user (root): the
// kernel refuses connect() to anyone else.
//
// Abuse costs the abuser its connection, never the daemon (limits in
// core/limits.ts, LIMITS.console): each connection has a byte budget per
// window; a client that writes on after a refused request, or does not read
// its replies, is closed; a silent connection is closed after the idle time,
// and so is a half-closed one once its replies are out; a client is read
// only as fast as its requests are answered, at most requestsPerSecond.
// Connection limit: when all slots are taken, a new client always gets in,
// by closing the connection that has been idle longest or, when none is
// idle, the one that sent the most bytes lately. An operator's tandemctl
// sends one short request, so it is never the one closed, and idle, stuck
// or flooding clients cannot lock it out. Every drop is logged with its
// reason, through a RefusalSummary so that a reconnect loop costs one log
// row per interval.
import { chmodSync, lstatSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { admit, salvageTransaction } from '../commands/check.ts';
import type { Role } from '../commands/define.ts';
import { parseBoundedJson } from '../core/bounded-json.ts';
import type { CommandHandler, CommandResponse } from '../core/envelope.ts';
import type { Extension } from '../core/extension.ts';
import { LIMITS } from '../core/limits.ts';
import { RefusalSummary } from '../core/refusal-summary.ts';
import { answerOnBehalf, type OnBehalfOptions } from './on-behalf.ts';
import { LineSplitter, MAX_REQUEST_LINE } from './protocol.ts';

/** After a line is refused for its size, how much more of it is read before the client is closed. */
const REFUSED_TAIL_BYTES = MAX_REQUEST_LINE;
import { errorMessage } from '../../hal/errors.ts';

export interface ControlServerOptions {
  readonly socketPath: string;
  readonly commandHandler: CommandHandler;
  readonly log?: { warn(message: string): void };
  /** Connections at once (default LIMITS.console.clients). */
  readonly maxClients?: number;
  /** A connection silent this long is closed (default LIMITS.console.idleMs). */
  readonly idleMs?: number;
  /** What a client may do; default admin: only root can connect (see above). */
  readonly role?: Role;
  /**
   * Set only for web.sock: requests may carry `as`, the web user they act
   * for, and run with that user's role at most (on-behalf.ts). Without it,
   * a request carrying `as` is refused.
   */
  readonly onBehalf?: OnBehalfOptions;
}

interface Client {
  readonly id: number;
  readonly socket: Socket;
  readonly acceptedAt: number;
  /** performance.now() of the last byte either way. */
  lastActive: number;
  pending: number;
  windowStart: number;
  windowBytes: number;
  /** A request was refused for its size: the rest of that line is read and dropped, then any byte closes the connection. */
  refused: boolean;
  /** Bytes read since the refusal. */
  refusedBytes: number;
  /** The client closed its sending side: close ours once the replies are out. */
  ended: boolean;
  /** Lines read but not yet started: at most one chunk's worth, since reading pauses while any wait. */
  readonly queue: string[];
  /** A pump is scheduled (setImmediate) for this client. */
  pumping: boolean;
  /** Requests it may start now (a token bucket refilled at requestsPerSecond). */
  tokens: number;
  tokensAt: number;
}

const C = LIMITS.console;
/** At the connection limit, an idle client is closed first once idle this long. */
const EVICT_IDLE_AFTER_MS = 1000;
/** ...and then one that wrote more than this lately. */
const HEAVY_BYTES = 64 * 1024;

export class ControlSocketServer implements Extension {
  readonly name = 'control-socket';
  private readonly options: ControlServerOptions;
  private server: Server | null = null;
  private readonly clients = new Set<Client>();
  private nextId = 1;
  private readonly drops: RefusalSummary;
  private summaryTimer: NodeJS.Timeout | null = null;

  constructor(options: ControlServerOptions) {
    this.options = options;
    this.drops = new RefusalSummary({
      intervalMs: 60_000,
      now: () => performance.now(),
      what: 'control socket clients',
      write: (line, summary) =>
        this.options.log?.warn(`control socket: ${summary ? line : `closed a client: ${line}`}`),
    });
  }

  /** Connections open now (for tests and metrics). */
  get connections(): number {
    return this.clients.size;
  }

  async start(): Promise<void> {
    const path = this.options.socketPath;
    const dir = dirname(path);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // mkdir leaves an existing directory's mode alone; the socket's safety depends on it.
    chmodSync(dir, 0o700);
    removeStaleSocket(path);
    // Half-open allowed: a client may send its request and shut its side, and still get the reply.
    const server = createServer({ allowHalfOpen: true }, (socket) => this.accept(socket));
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
    // A timer of the socket layer, like the sockets' own: not the controller's clock.
    this.summaryTimer = setInterval(() => this.drops.flush(), 60_000);
    this.summaryTimer.unref();
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (this.summaryTimer !== null) clearInterval(this.summaryTimer);
    this.summaryTimer = null;
    this.drops.flush();
    if (!server) return;
    for (const c of this.clients) c.socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(this.options.socketPath, { force: true });
  }

  /** Closes a client at once and logs why. */
  private drop(client: Client, reason: string): void {
    if (client.socket.destroyed) return;
    this.drops.note(`client ${client.id}: ${reason}`);
    client.socket.destroy();
  }

  /**
   * Room for one more, closing in this order: a client idle for a second or
   * more (the longest idle first); else one that was refused or wrote over
   * 64 KiB lately (the heaviest first); else the one that wrote the most
   * lately, the oldest of equals. A tandemctl (one short request) comes
   * after any client that floods requests: by age alone, under a storm of
   * new connections, it became the oldest while its answer was on the way
   * and was closed before it got it (EPIPE in the lab's abuse test).
   */
  private makeRoom(): void {
    const max = this.options.maxClients ?? C.clients;
    // Destroyed sockets leave the set on their 'close' event, a tick later: do not count them.
    const live = [...this.clients].filter((c) => !c.socket.destroyed);
    if (live.length < max) return;
    const now = performance.now();
    const rank = (c: Client): readonly [number, number, string] => {
      const idleMs = now - c.lastActive;
      if (c.pending === 0 && c.queue.length === 0 && idleMs >= EVICT_IDLE_AFTER_MS)
        return [3, idleMs, `idle ${(idleMs / 1000).toFixed(1)} s`];
      if (c.refused || c.windowBytes > HEAVY_BYTES)
        return [2, c.windowBytes, `the heaviest writer (${c.windowBytes} bytes lately)`];
      return [1, c.windowBytes * 1e9 + (now - c.acceptedAt), 'the busiest writer of the light ones'];
    };
    let victim: Client | undefined;
    let best: readonly [number, number, string] = [0, 0, ''];
    for (const c of live) {
      const r = rank(c);
      if (r[0] > best[0] || (r[0] === best[0] && r[1] > best[1])) {
        victim = c;
        best = r;
      }
    }
    if (victim !== undefined)
      this.drop(victim, `the ${max}-connection limit was reached; closed this one, ${best[2]}`);
  }

  private accept(socket: Socket): void {
    this.makeRoom();
    const now = performance.now();
    const client: Client = {
      id: this.nextId++,
      socket,
      acceptedAt: now,
      lastActive: now,
      pending: 0,
      windowStart: now,
      windowBytes: 0,
      refused: false,
      refusedBytes: 0,
      ended: false,
      queue: [],
      pumping: false,
      tokens: C.pendingPerClient,
      tokensAt: now,
    };
    this.clients.add(client);
    const idleMs = this.options.idleMs ?? C.idleMs;
    socket.setTimeout(idleMs, () => this.drop(client, `idle for ${idleMs} ms`));
    socket.on('close', () => this.clients.delete(client));
    socket.on('error', () => socket.destroy());
    socket.on('end', () => {
      client.ended = true;
      this.pump(client);
    });
    socket.on('drain', () => this.pump(client));
    const splitter = new LineSplitter(MAX_REQUEST_LINE);
    socket.on('data', (chunk: Buffer) => this.onData(client, splitter, chunk));
  }

  private onData(client: Client, splitter: LineSplitter, chunk: Buffer): void {
    const { socket } = client;
    if (client.refused) {
      // The rest of the refused line may still be on its way: closing on it
      // would make the client's write fail before it reads why (EPIPE drops
      // the reply it has not read). The line's tail is read and thrown away
      // and the connection ends at its newline; more than a line's worth is
      // a client that will not stop.
      client.refusedBytes += chunk.length;
      if (chunk.includes(0x0a)) socket.end();
      else if (client.refusedBytes > REFUSED_TAIL_BYTES)
        this.drop(client, 'kept writing after a refused request');
      return;
    }
    const now = performance.now();
    client.lastActive = now;
    if (now - client.windowStart >= C.budgetWindowMs) {
      client.windowStart = now;
      client.windowBytes = 0;
    }
    client.windowBytes += chunk.length;
    if (client.windowBytes > C.budgetBytes)
      return this.drop(client, `sent over the ${C.budgetBytes}-byte budget within ${C.budgetWindowMs} ms`);
    const lines = splitter.push(chunk);
    if (lines === 'overflow') {
      // Say why, then close: at the line's end, at once past a line's worth more, or after the linger.
      client.refused = true;
      this.reply(client, errorResponse('', `request: line over the ${MAX_REQUEST_LINE}-byte limit`));
      setTimeout(() => socket.destroy(), C.lingerMs).unref();
      return;
    }
    for (const line of lines) client.queue.push(line);
    this.pump(client);
  }

  /**
   * Starts queued requests, at most pendingPerClient at a time, and reads
   * from the client only while nothing waits and its replies are being read:
   * a flooding client is slowed to the pace of our answers (its writes block
   * in the kernel) instead of making us work or buffer for it. Later lines
   * start from setImmediate, so a long queue never holds the event loop.
   */
  private pump(client: Client): void {
    const { socket } = client;
    if (socket.destroyed) return;
    const now = performance.now();
    client.tokens = Math.min(
      C.pendingPerClient,
      client.tokens + ((now - client.tokensAt) * C.requestsPerSecond) / 1000,
    );
    client.tokensAt = now;
    while (client.pending < C.pendingPerClient && client.queue.length > 0 && client.tokens >= 1) {
      client.tokens -= 1;
      const line = client.queue.shift() ?? '';
      client.pending += 1;
      void this.answer(line).then((response) => {
        client.pending -= 1;
        this.reply(client, response);
        if (!client.pumping) {
          client.pumping = true;
          setImmediate(() => {
            client.pumping = false;
            this.pump(client);
          });
        }
      });
    }
    if (client.queue.length > 0 && client.tokens < 1 && !client.pumping) {
      // Out of tokens: come back when the next one is due.
      client.pumping = true;
      const wait = ((1 - client.tokens) * 1000) / C.requestsPerSecond;
      setTimeout(() => {
        client.pumping = false;
        this.pump(client);
      }, wait).unref();
    }
    if (client.queue.length > 0 || socket.writableNeedDrain) socket.pause();
    else if (client.ended) {
      if (client.pending === 0) socket.end();
    } else socket.resume();
  }

  private async answer(line: string): Promise<CommandResponse> {
    const parsed = parseBoundedJson(line, LIMITS.consoleLine, 'request');
    if (!parsed.ok) return errorResponse('', parsed.error);
    const body = parsed.value;
    const onBehalf = this.options.onBehalf;
    if (onBehalf !== undefined) return answerOnBehalf(body, this.options.role ?? 'admin', onBehalf);
    if (typeof body === 'object' && body !== null && Object.hasOwn(body, 'as'))
      return errorResponse(
        salvageTransaction(body),
        'as: this socket takes no requests on behalf of a web user (only web.sock does)',
      );
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

  private reply(client: Client, response: CommandResponse): void {
    const { socket } = client;
    if (!socket.writable) return;
    // Replies pile up in memory when the client does not read them: that is abuse too.
    if (socket.writableLength > C.backlogBytes)
      return this.drop(client, `left over ${C.backlogBytes} bytes of replies unread`);
    let line: string;
    try {
      line = JSON.stringify(response);
    } catch (err) {
      line = JSON.stringify(
        errorResponse(response.transaction, `internal: reply not serialisable (${(err as Error).message})`),
      );
    }
    client.lastActive = performance.now();
    socket.write(line + '\n');
  }
}

function errorResponse(transaction: string, error: string): CommandResponse {
  return { status: 'error', data: null, error, transaction };
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
