// The web bench's HTTPS clients, plain node:https: open pages' live streams
// (GET /api/live, Server-Sent Events) that keep reading, and GET /api/status
// at a fixed concurrency. The certificate is the process's own self-signed
// one, so it is not verified; the session cookie rides on every request.
import { Agent, get, request } from 'node:https';
import type { ClientRequest } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface WebTarget {
  readonly port: number;
  /** The Cookie header: the session cookie. */
  readonly cookie: string;
}

/** GET `path` once; its status code and body. */
export function getOnce(t: WebTarget, path: string, agent?: Agent): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: t.port,
        path,
        headers: { cookie: t.cookie },
        rejectUnauthorized: false,
        ...(agent !== undefined ? { agent } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ code: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/**
 * Milliseconds of `total` GET /api/status, `concurrency` at a time, each
 * from sending to the last byte of a 200. Kept-alive connections, as a
 * browser's: the figure is the answer, not a TLS handshake per request.
 */
export async function statusLatencies(t: WebTarget, total: number, concurrency: number): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency, rejectUnauthorized: false });
  const out: number[] = [];
  let started = 0;
  const worker = async (): Promise<void> => {
    while (started < total) {
      started++;
      const t0 = performance.now();
      const r = await getOnce(t, '/api/status', agent);
      const ms = performance.now() - t0;
      if (r.code !== 200)
        throw new Error(`web bench: GET /api/status answered ${r.code}: ${r.body.slice(0, 200)}`);
      out.push(ms);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return out;
}

interface Stream {
  statuses: number;
  open: boolean;
  req: ClientRequest | null;
}

/** Open pages' live streams: each reads everything sent and counts the `status` events. */
export class LiveViewers {
  private readonly streams: Stream[] = [];
  private readonly failures: string[] = [];

  open(t: WebTarget, n: number): void {
    for (let i = 0; i < n; i++) {
      const s: Stream = { statuses: 0, open: true, req: null };
      this.streams.push(s);
      const req = get(
        {
          host: '127.0.0.1',
          port: t.port,
          path: '/api/live',
          headers: { cookie: t.cookie, accept: 'text/event-stream' },
          rejectUnauthorized: false,
          agent: false,
        },
        (res) => {
          if (res.statusCode !== 200) this.failures.push(`stream ${i}: HTTP ${res.statusCode}`);
          let carry = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            const blocks = (carry + chunk).split('\n\n');
            carry = blocks.pop() ?? '';
            for (const b of blocks) if (b.startsWith('event: status\n')) s.statuses++;
          });
          res.on('close', () => (s.open = false));
          res.on('error', () => undefined); // 'aborted' when the bench itself closes it
        },
      );
      s.req = req;
      req.on('error', (err) => {
        s.open = false;
        this.failures.push(`stream ${i}: ${err.message}`);
      });
    }
  }

  /** Streams still open that have had their first status (the whole state, sent on opening). */
  get live(): number {
    return this.streams.filter((s) => s.open && s.statuses > 0).length;
  }

  /** The fewest status events any open stream has read. */
  get fewestStatuses(): number {
    return Math.min(...this.streams.filter((s) => s.open).map((s) => s.statuses));
  }

  async waitLive(n: number, ms: number): Promise<void> {
    const end = Date.now() + ms;
    while (this.live < n) {
      if (Date.now() > end)
        throw new Error(
          `web bench: ${this.live} of ${n} live streams had their first status within ${ms} ms` +
            (this.failures.length > 0 ? `: ${this.failures.slice(0, 3).join('; ')}` : ''),
        );
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): void {
    for (const s of this.streams) s.req?.destroy();
  }
}
