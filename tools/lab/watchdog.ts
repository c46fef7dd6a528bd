// The hardware-watchdog stand-in, run detached by `lab up`: one daemon serving
// <labRunDir>/watchdog-a.sock and -b.sock. Protocol (after /dev/watchdog):
// connecting arms; "keepalive" restarts the countdown; "timeout N" sets it
// (reply "ok N"); "gettimeout" (reply "ok N"); "V" then close disarms (magic
// close). A connection that drops any other way leaves it armed, and on
// expiry the controller is powered off, as a hardware watchdog would reset it.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { labFiles } from './files.ts';
import { isPoweredOn, powerOff } from './power.ts';
import { CONTROLLERS, WATCHDOG_DEFAULT_TIMEOUT_S, type Controller } from './topology.ts';

const MAX_LINE = 256;
const MAX_TIMEOUT_S = 3600;

interface Dog {
  armed: boolean;
  timeoutS: number;
  timer: NodeJS.Timeout | null;
  conn: Socket | null;
  fired: number;
  lastFired: string | null;
  /** When the current (or last) opener connected, epoch ms. */
  openedAt: number;
}

const dogs = new Map<Controller, Dog>(
  CONTROLLERS.map((c) => [
    c,
    {
      armed: false,
      timeoutS: WATCHDOG_DEFAULT_TIMEOUT_S,
      timer: null,
      conn: null,
      fired: 0,
      lastFired: null,
      openedAt: 0,
    },
  ]),
);
const servers: Server[] = [];

function log(msg: string): void {
  console.log(`${new Date().toISOString()} ${msg}`);
}

function saveState(): void {
  const state = Object.fromEntries(
    [...dogs].map(([c, d]) => [
      c,
      {
        armed: d.armed,
        timeoutS: d.timeoutS,
        connected: d.conn !== null,
        fired: d.fired,
        lastFired: d.lastFired,
      },
    ]),
  );
  writeFileSync(labFiles.watchdogState + '.tmp', JSON.stringify({ pid: process.pid, dogs: state }));
  renameSync(labFiles.watchdogState + '.tmp', labFiles.watchdogState);
}

function dogOf(c: Controller): Dog {
  const d = dogs.get(c);
  if (d === undefined) throw new Error(`no watchdog for ${c}`);
  return d;
}

function disarm(d: Dog): void {
  d.armed = false;
  if (d.timer !== null) clearTimeout(d.timer);
  d.timer = null;
}

function restart(c: Controller): void {
  const d = dogOf(c);
  if (d.timer !== null) clearTimeout(d.timer);
  d.armed = true;
  d.timer = setTimeout(() => void expire(c), d.timeoutS * 1000);
}

/** Epoch ms of the controller's last power-off, 0 if never. */
function lastPowerOff(c: Controller): number {
  try {
    return Number(readFileSync(labFiles.lastPowerOff(c), 'utf8').trim()) || 0;
  } catch {
    return 0;
  }
}

async function expire(c: Controller): Promise<void> {
  const d = dogOf(c);
  disarm(d);
  d.conn?.destroy();
  // A powered-off controller's watchdog has no power either, and a board
  // power-cycled since the dog was opened starts with a fresh, unarmed one.
  if (!isPoweredOn(c) || lastPowerOff(c) >= d.openedAt) {
    saveState();
    return;
  }
  d.fired++;
  d.lastFired = new Date().toISOString();
  log(`watchdog ${c} expired after ${d.timeoutS} s: powering controller ${c} off`);
  saveState();
  try {
    const killed = await powerOff(c);
    log(`controller ${c} powered off (${killed} processes killed)`);
  } catch (err) {
    log(`power-off of ${c} failed: ${String(err)}`);
  }
}

function handleLine(c: Controller, sock: Socket, line: string, magic: { pending: boolean }): void {
  const d = dogOf(c);
  magic.pending = false;
  const t = /^timeout ([0-9]{1,7})$/.exec(line);
  if (line === 'keepalive') {
    restart(c);
  } else if (t !== null) {
    const n = Number(t[1]);
    if (n < 1 || n > MAX_TIMEOUT_S) {
      sock.write(`error timeout must be 1..${MAX_TIMEOUT_S}\n`);
      return;
    }
    d.timeoutS = n;
    restart(c);
    sock.write(`ok ${n}\n`);
  } else if (line === 'gettimeout') {
    sock.write(`ok ${d.timeoutS}\n`);
  } else if (line === 'V') {
    magic.pending = true;
  } else {
    sock.write(`error unknown command\n`);
  }
  saveState();
}

function serve(c: Controller): Server {
  const server = createServer((sock) => {
    const d = dogOf(c);
    if (d.conn !== null) {
      // Like /dev/watchdog: one opener at a time.
      sock.end('error busy\n');
      return;
    }
    d.conn = sock;
    d.openedAt = Date.now();
    restart(c);
    log(`watchdog ${c} opened (armed, ${d.timeoutS} s)`);
    saveState();
    const magic = { pending: false };
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        handleLine(c, sock, buf.slice(0, nl).trim(), magic);
        buf = buf.slice(nl + 1);
      }
      if (buf.length > MAX_LINE) {
        sock.write('error line too long\n');
        buf = '';
        magic.pending = false;
      }
    });
    sock.on('error', () => sock.destroy());
    sock.on('close', () => {
      if (d.conn === sock) d.conn = null;
      if (magic.pending) {
        disarm(d);
        log(`watchdog ${c} magic close: disarmed`);
      } else if (d.armed) {
        log(`watchdog ${c} closed without magic close: still armed`);
      }
      saveState();
    });
  });
  rmSync(labFiles.watchdogSock(c), { force: true });
  server.listen(labFiles.watchdogSock(c));
  return server;
}

function shutdown(): void {
  for (const d of dogs.values()) disarm(d);
  for (const s of servers) s.close();
  for (const d of dogs.values()) d.conn?.destroy();
  setTimeout(() => process.exit(0), 100).unref();
}

process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
for (const c of CONTROLLERS) servers.push(serve(c));
saveState();
log('watchdog stand-in running');
