// One short-fused PostgreSQL connection through the VIP. Short timeouts on
// purpose: during a takeover the old holder's TCP connection never answers
// (the old controller is gone, or its packets go to a stale MAC), and waiting
// for TCP's own retransmission timeout would hide the real recovery time.
import pg from 'pg';

export interface PgTarget {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
}

export const CONNECT_TIMEOUT_MS = 1000;
export const STATEMENT_TIMEOUT_MS = 1000;

/**
 * `timeoutMs` replaces both timeouts: the VM pair's emulated guests can take
 * over a second for a statement that is not in any outage.
 */
export async function connect(target: PgTarget, timeoutMs?: number): Promise<pg.Client> {
  const client = new pg.Client({
    ...target,
    connectionTimeoutMillis: timeoutMs ?? CONNECT_TIMEOUT_MS,
    query_timeout: timeoutMs ?? STATEMENT_TIMEOUT_MS,
    keepAlive: true,
    application_name: 'tandem-lab-client',
  });
  // A connection that dies between statements emits 'error'; without a
  // listener that would crash the process instead of failing the next query.
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Drops the connection without waiting: a dead peer would never answer a clean close. */
export function drop(client: pg.Client): void {
  client.end().catch(() => undefined);
}
