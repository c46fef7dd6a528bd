// The takeover probe, run inside tdm-client:
//   node tools/lab/client/probe.ts [--host IP]
// Watches the VIP from the client's side of the LAN and prints ProbeEvents:
//  - ARP: `arping -b` (broadcast: after a reply plain arping would switch to
//    unicast to the old MAC and never see the new holder) every 50 ms;
//  - PostgreSQL: a fresh connection + `SELECT 1, pg_postmaster_start_time()`
//    started every 100 ms, overlapping, so one attempt stuck on a dead holder
//    does not hide the moment the new one answers.
// Runs until SIGTERM.
import { execFile } from 'node:child_process';
import { parseArgs } from 'node:util';
import { connect, drop } from './pg-connect.ts';
import type { ProbeEvent } from './probe-events.ts';
import { ADDR, POSTGRES_PORT } from '../topology.ts';
import { errorMessage } from '../../../hal/errors.ts';

const ARP_PERIOD_MS = 50;
const MAX_ARP_IN_FLIGHT = 24;
const DB_PERIOD_MS = 100;
const MAX_IN_FLIGHT = 12;
/** A reply after this much silence is reported even from the same MAC. */
const ARP_GAP_MS = 500;

const { values } = parseArgs({ options: { host: { type: 'string', default: ADDR.lanVip } } });
const host = values.host;

function emit(e: ProbeEvent): void {
  process.stdout.write(JSON.stringify(e) + '\n');
}

// This arping takes whole seconds only (-i, -w), so instead of one arping
// with a fast interval, one single-shot arping (-c 1 -w 1, -f: stop on the
// first reply) is started every ARP_PERIOD_MS, overlapping.
let lastMac = '';
let lastReplyAt = 0;
let arpInFlight = 0;

function arpOnce(): void {
  arpInFlight++;
  execFile('arping', ['-b', '-f', '-c', '1', '-w', '1', '-I', 'lan0', host], (_err, stdout) => {
    arpInFlight--;
    const t = Date.now();
    const mac = /reply from \S+ \[([0-9A-Fa-f:]{17})\]/.exec(stdout)?.[1]?.toLowerCase();
    if (mac === undefined) return;
    if (mac !== lastMac || t - lastReplyAt > ARP_GAP_MS) emit({ kind: 'arp', t, mac });
    lastMac = mac;
    lastReplyAt = Math.max(lastReplyAt, t);
  });
}

let dbUp: boolean | null = null;
let lastStarted = 0;
let inFlight = 0;

async function attempt(): Promise<void> {
  inFlight++;
  try {
    const c = await connect({ host, port: POSTGRES_PORT, user: 'postgres', database: 'postgres' });
    try {
      const r = await c.query<{ started: Date }>('SELECT 1 AS one, pg_postmaster_start_time() AS started');
      const started = r.rows[0]?.started.getTime() ?? 0;
      if (dbUp !== true || started !== lastStarted) emit({ kind: 'db-up', t: Date.now(), started });
      dbUp = true;
      lastStarted = started;
    } finally {
      drop(c);
    }
  } catch (err) {
    if (dbUp !== false) emit({ kind: 'db-down', t: Date.now(), error: errorMessage(err) });
    dbUp = false;
  } finally {
    inFlight--;
  }
}

const dbTimer = setInterval(() => {
  if (inFlight < MAX_IN_FLIGHT) void attempt();
}, DB_PERIOD_MS);
const arpTimer = setInterval(() => {
  if (arpInFlight < MAX_ARP_IN_FLIGHT) arpOnce();
}, ARP_PERIOD_MS);

function stop(): void {
  clearInterval(dbTimer);
  clearInterval(arpTimer);
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
