// What the web panel knows of its controller, kept current from the local
// broker (firmware/telemetry/report-feed.ts) and pushed to every open page by
// Server-Sent Events. A page that loses its stream reconnects by itself
// (EventSource does), through the VIP to whichever controller holds it now,
// and gets the whole state again as its first event: nothing goes stale.
import type { ServerResponse } from 'node:http';
import type { ControllerId } from '../cluster/codes.ts';
import type { FeedEvent } from '../telemetry/report-feed.ts';
import type { CheckedReport } from '../status/report-check.ts';

/** The body of GET /api/status and of every `status` event. */
export interface LiveStatus {
  readonly boxId: string;
  /** The controller whose web panel answers. */
  readonly controller: ControllerId;
  /** The local broker: reachable, and since when (wall ms). */
  readonly broker: { readonly connected: boolean; readonly since: number };
  /** The daemon's availability (its Last Will); unknown before the broker said. */
  readonly daemon: 'online' | 'offline' | 'unknown';
  /** Its latest report; kept while the daemon is offline, so the page can say what it last knew. */
  readonly report: CheckedReport | null;
  /** Wall ms of the latest change. */
  readonly at: number;
}

/** Open streams at once; a page over the limit is told to retry. */
export const MAX_STREAMS = 200;
const PING_MS = 15_000;

interface Stream {
  readonly res: ServerResponse;
  /** Still allowed to listen (its session is checked at each ping). */
  readonly valid: () => boolean;
}

export class Live {
  private state: LiveStatus;
  private readonly streams = new Set<Stream>();
  private readonly now: () => number;
  private ping: NodeJS.Timeout | null = null;
  /** Refused payloads, for the process log. */
  onRefused: ((why: string) => void) | null = null;

  constructor(boxId: string, controller: ControllerId, now: () => number = Date.now) {
    this.now = now;
    this.state = {
      boxId,
      controller,
      broker: { connected: false, since: now() },
      daemon: 'unknown',
      report: null,
      at: now(),
    };
  }

  current(): LiveStatus {
    return this.state;
  }

  get viewers(): number {
    return this.streams.size;
  }

  /** A change from the local broker. */
  onFeed(e: FeedEvent): void {
    const at = this.now();
    switch (e.kind) {
      case 'report':
        this.state = { ...this.state, report: e.report, daemon: 'online', at };
        break;
      case 'availability':
        this.state = { ...this.state, daemon: e.online ? 'online' : 'offline', at };
        break;
      case 'broker':
        this.state = { ...this.state, broker: { connected: e.connected, since: e.sinceWallMs }, at };
        break;
      case 'refused':
        this.onRefused?.(e.why);
        return;
    }
    this.broadcast();
  }

  /** Start streaming to `res` (already hijacked from the framework); false when full. */
  open(res: ServerResponse, valid: () => boolean): boolean {
    if (this.streams.size >= MAX_STREAMS) return false;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    // A reconnecting page waits a second, not the browser's default three.
    res.write('retry: 1000\n\n');
    const stream = { res, valid };
    this.streams.add(stream);
    res.on('close', () => this.streams.delete(stream));
    this.send(stream, 'status', this.state);
    this.ping ??= setInterval(() => this.pingAll(), PING_MS);
    this.ping.unref();
    return true;
  }

  close(): void {
    if (this.ping !== null) clearInterval(this.ping);
    this.ping = null;
    for (const s of this.streams) s.res.end();
    this.streams.clear();
  }

  private broadcast(): void {
    for (const s of this.streams) this.send(s, 'status', this.state);
  }

  private pingAll(): void {
    for (const s of this.streams) {
      if (!s.valid()) {
        this.send(s, 'signed-out', { why: 'session ended' });
        s.res.end();
        this.streams.delete(s);
      } else this.send(s, 'ping', {}); // an event, not a comment: the page's watchdog hears it
    }
  }

  private send(s: Stream, event: string, data: unknown): void {
    // A page that does not read its stream is dropped rather than buffered without end.
    if (s.res.writableLength > 1024 * 1024) {
      s.res.destroy();
      this.streams.delete(s);
      return;
    }
    s.res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }
}
