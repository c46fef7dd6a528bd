// The client workload, run inside tdm-client:
//   node tools/lab/client/workload.ts [--host IP] [--duration-ms N] [--interval-ms N] [--timeout-ms N] [--run ID]
// Inserts one row per statement through the VIP (autocommit, so the reply to
// the INSERT is its COMMIT), remembers every client_seq whose INSERT came back,
// reconnects after any failure with a short backoff, and on SIGTERM (or after
// --duration-ms) reads back its rows and prints one JSON WorkloadReport on
// stdout listing any acknowledged row that is missing. Progress events go to
// stderr as JSON lines.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { connect, drop, type PgTarget } from './pg-connect.ts';
import { OutageTracker } from './outages.ts';
import type { WorkloadEvent, WorkloadReport } from './report.ts';
import { ADDR, POSTGRES_PORT } from '../topology.ts';
import { errorMessage } from '../../../hal/errors.ts';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: ADDR.lanVip },
    'duration-ms': { type: 'string' },
    'interval-ms': { type: 'string', default: '10' },
    'backoff-ms': { type: 'string', default: '100' },
    // Connect and statement timeout; unset: pg-connect.ts's short ones.
    'timeout-ms': { type: 'string' },
    'readback-timeout-ms': { type: 'string', default: '60000' },
    run: { type: 'string' },
    'acked-at': { type: 'boolean', default: false },
  },
});
const target: PgTarget = { host: values.host, port: POSTGRES_PORT, user: 'postgres', database: 'postgres' };
const intervalMs = Number(values['interval-ms']);
const backoffMs = Number(values['backoff-ms']);
const timeoutMs = values['timeout-ms'] === undefined ? undefined : Number(values['timeout-ms']);
if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs >= 100 && timeoutMs <= 60_000)) {
  process.stderr.write(
    `workload: --timeout-ms must be an integer from 100 to 60000, not ${values['timeout-ms']}\n`,
  );
  process.exit(2);
}
const runId = values.run ?? randomUUID();

const CREATE = `CREATE TABLE IF NOT EXISTS tandem_workload (
  id bigserial PRIMARY KEY,
  run text NOT NULL,
  client_seq bigint NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (run, client_seq))`;
const INSERT = 'INSERT INTO tandem_workload (run, client_seq) VALUES ($1, $2)';

let stopping = false;
process.on('SIGTERM', () => (stopping = true));
process.on('SIGINT', () => (stopping = true));
if (values['duration-ms'] !== undefined) {
  setTimeout(() => (stopping = true), Number(values['duration-ms'])).unref();
}

function emit(e: WorkloadEvent): void {
  process.stderr.write(JSON.stringify(e) + '\n');
}
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const acked: number[] = [];
const ackedAt: number[] = [];
const outages = new OutageTracker();
const startedAt = Date.now();
let attempts = 0;
let inDoubt = 0;
let seq = 0;
let client: pg.Client | null = null;
let announced = false;

function failed(err: unknown): void {
  const at = Date.now();
  const error = errorMessage(err);
  if (outages.failed(at, error)) emit({ event: 'outage', at, error });
  if (client !== null) drop(client);
  client = null;
}

while (!stopping) {
  if (client === null) {
    try {
      client = await connect(target, timeoutMs);
      await client.query(CREATE);
    } catch (err) {
      failed(err);
      await sleep(backoffMs);
      continue;
    }
  }
  // A fresh number per attempt: a failed INSERT may still have committed, and
  // reusing its number would turn "in doubt" into a unique violation.
  seq++;
  attempts++;
  try {
    await client.query(INSERT, [runId, seq]);
  } catch (err) {
    inDoubt++;
    failed(err);
    await sleep(backoffMs);
    continue;
  }
  const at = Date.now();
  acked.push(seq);
  ackedAt.push(at);
  const closed = outages.ok(at);
  if (closed !== null) emit({ event: 'recovered', at, outageMs: at - closed.lastOkAt });
  if (!announced) {
    announced = true;
    emit({ event: 'ready', at });
  }
  if (intervalMs > 0) await sleep(intervalMs);
}
const stoppedAt = Date.now();
if (client !== null) drop(client);

// Read back until the database answers or the deadline passes: the test may
// stop us in the middle of an outage.
const readback: { ok: boolean; at: number | null; rows: number; error: string } = {
  ok: false,
  at: null,
  rows: 0,
  error: '',
};
let present = new Set<number>();
const deadline = Date.now() + Number(values['readback-timeout-ms']);
while (!readback.ok && Date.now() < deadline) {
  try {
    const c = await connect(target, timeoutMs);
    try {
      const r = await c.query<{ client_seq: string }>(
        'SELECT client_seq FROM tandem_workload WHERE run = $1',
        [runId],
      );
      present = new Set(r.rows.map((row) => Number(row.client_seq)));
      Object.assign(readback, { ok: true, at: Date.now(), rows: r.rows.length, error: '' });
    } finally {
      drop(c);
    }
  } catch (err) {
    readback.error = errorMessage(err);
    await sleep(backoffMs);
  }
}

const report: WorkloadReport = {
  run: runId,
  startedAt,
  stoppedAt,
  attempts,
  acknowledged: acked.length,
  inDoubt,
  outages: outages.all(),
  failedBeforeFirstRow: outages.failedBeforeFirstOk(),
  readback,
  missing: readback.ok ? acked.filter((s) => !present.has(s)) : [],
  ...(values['acked-at'] ? { ackedAt } : {}),
};
process.stdout.write(JSON.stringify(report) + '\n');
process.exit(0);
