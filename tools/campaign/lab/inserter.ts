// The campaign's client, run inside tdm-client:
//   node tools/campaign/lab/inserter.ts --run ID [--interval-ms 50]
// One INSERT through the VIP per interval (autocommit: its reply is its
// COMMIT), each with a fresh id; one JSON line per attempt on stdout:
// {"t","id","ok"[,"error"]}, `t` when the attempt ended. On SIGTERM it stops
// and reads back every id of its run until the database answers, then prints
// {"final":{"t","ids"}} and exits. It trusts nothing on the box: what was
// acknowledged is what PostgreSQL answered here.
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { connect, drop, type PgTarget } from '../../lab/client/pg-connect.ts';
import { ADDR, POSTGRES_PORT } from '../../lab/topology.ts';
import { errorMessage } from '../../../hal/errors.ts';

const { values } = parseArgs({
  options: {
    run: { type: 'string' },
    'interval-ms': { type: 'string', default: '50' },
    'readback-timeout-ms': { type: 'string', default: '120000' },
  },
});
const runId = values.run ?? '';
if (!/^[a-z0-9-]{1,64}$/.test(runId))
  throw new Error(`--run needs an id of [a-z0-9-], got ${JSON.stringify(runId)}`);
const intervalMs = Number(values['interval-ms']);
const target: PgTarget = { host: ADDR.lanVip, port: POSTGRES_PORT, user: 'postgres', database: 'postgres' };

const CREATE = `CREATE TABLE IF NOT EXISTS campaign_rows (
  run text NOT NULL, id bigint NOT NULL, at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (run, id))`;
const INSERT = 'INSERT INTO campaign_rows (run, id) VALUES ($1, $2)';
const BACKOFF_MS = 100;

let stopping = false;
process.on('SIGTERM', () => (stopping = true));
process.on('SIGINT', () => (stopping = true));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const out = (v: unknown): void => void process.stdout.write(JSON.stringify(v) + '\n');

let client: pg.Client | null = null;
let id = 0;
while (!stopping) {
  const started = Date.now();
  // A fresh id per attempt: a failed INSERT may still have committed.
  id++;
  try {
    if (client === null) {
      client = await connect(target);
      await client.query(CREATE);
    }
    await client.query(INSERT, [runId, id]);
    out({ t: Date.now(), id, ok: true });
  } catch (err) {
    out({ t: Date.now(), id, ok: false, error: errorMessage(err).slice(0, 200) });
    if (client !== null) drop(client);
    client = null;
    await sleep(BACKOFF_MS);
    continue;
  }
  await sleep(Math.max(0, intervalMs - (Date.now() - started)));
}
if (client !== null) drop(client);

const deadline = Date.now() + Number(values['readback-timeout-ms']);
for (;;) {
  try {
    const c = await connect(target);
    try {
      const r = await c.query<{ id: string }>({
        text: 'SELECT id FROM campaign_rows WHERE run = $1',
        values: [runId],
        query_timeout: 30_000,
      } as pg.QueryConfig);
      out({ final: { t: Date.now(), ids: r.rows.map((row) => Number(row.id)) } });
      break;
    } finally {
      drop(c);
    }
  } catch (err) {
    if (Date.now() > deadline) {
      out({ final: null, error: errorMessage(err) });
      break;
    }
    await sleep(500);
  }
}
// stdout to a pipe is written asynchronously: exiting at once would cut the
// final line (hours of ids are megabytes) short. Exit once it is flushed.
process.stdout.write('', () => process.exit(0));
