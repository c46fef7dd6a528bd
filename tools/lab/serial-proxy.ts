// The RS-232 null-modem stand-in, run detached by `lab up`. Two socat
// processes each make a pty (ttyA, ttyB under labRunDir) and connect it to
// this proxy over a unix socket; the proxy joins them, applying the fault mode
// set over its control socket. It holds each pty's slave side open so that a
// controller closing and reopening its tty does not hang up the pty (socat
// would exit on the hang-up); should socat exit anyway, it is respawned.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { labFiles } from './files.ts';
import { corruptBytes, formatSerialMode, parseSerialMode, type SerialMode } from './serial-mode.ts';
import { CONTROLLERS, type Controller } from './topology.ts';
import { errorMessage } from '../../hal/errors.ts';

let mode: SerialMode = { kind: 'pass' };
let stopping = false;
const conns = new Map<Controller, Socket>();
const heldSlaves = new Map<Controller, number>();
const socats = new Map<Controller, ChildProcess>();
const servers: Server[] = [];

function log(msg: string): void {
  console.log(`${new Date().toISOString()} ${msg}`);
}

function saveState(): void {
  const state = {
    mode: formatSerialMode(mode),
    connected: Object.fromEntries(CONTROLLERS.map((c) => [c, conns.has(c)])),
    socatPids: Object.fromEntries(CONTROLLERS.map((c) => [c, socats.get(c)?.pid ?? null])),
    pid: process.pid,
  };
  writeFileSync(labFiles.serialState + '.tmp', JSON.stringify(state));
  // rename is atomic, so `lab status` never reads half a file.
  renameSync(labFiles.serialState + '.tmp', labFiles.serialState);
}

function other(c: Controller): Controller {
  return c === 'A' ? 'B' : 'A';
}

function forward(from: Controller, data: Buffer): void {
  const m = mode;
  const send = (bytes: Buffer) => conns.get(other(from))?.write(bytes);
  switch (m.kind) {
    case 'pass':
      send(data);
      return;
    case 'drop':
      return;
    case 'corrupt':
      send(corruptBytes(data, m.fraction));
      return;
    case 'delay':
      // Equal delays fire in order, so the byte stream stays ordered.
      setTimeout(() => send(data), m.ms);
      return;
  }
}

function releaseSlave(c: Controller): void {
  const fd = heldSlaves.get(c);
  if (fd !== undefined) closeSync(fd);
  heldSlaves.delete(c);
}

function startSocat(c: Controller): void {
  const child = spawn(
    'socat',
    [`PTY,link=${labFiles.tty(c)},raw,echo=0`, `UNIX-CONNECT:${labFiles.serialSock(c)}`],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  socats.set(c, child);
  child.on('exit', (code, sig) => {
    socats.delete(c);
    releaseSlave(c);
    if (stopping) return;
    log(`socat for tty${c} exited (${code ?? sig}); respawning`);
    setTimeout(() => startSocat(c), 100);
  });
}

function serveSide(c: Controller): Server {
  const server = createServer((sock) => {
    conns.get(c)?.destroy();
    conns.set(c, sock);
    releaseSlave(c);
    try {
      heldSlaves.set(
        c,
        openSync(labFiles.tty(c), constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK),
      );
    } catch (err) {
      log(`could not hold tty${c} open: ${String(err)}`);
    }
    saveState();
    sock.on('data', (d: Buffer) => forward(c, d));
    sock.on('error', () => sock.destroy());
    sock.on('close', () => {
      if (conns.get(c) === sock) conns.delete(c);
      saveState();
    });
  });
  rmSync(labFiles.serialSock(c), { force: true });
  // socat connects to this socket, so it starts only once we listen.
  server.listen(labFiles.serialSock(c), () => startSocat(c));
  return server;
}

function serveControl(): Server {
  const server = createServer((sock) => {
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('error', () => sock.destroy());
    sock.on('data', (chunk: string) => {
      buf += chunk;
      if (buf.length > 1024) {
        sock.end('error line too long\n');
        return;
      }
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const words = buf.slice(0, nl).trim().split(/\s+/);
        buf = buf.slice(nl + 1);
        try {
          if (words[0] === 'mode') {
            mode = parseSerialMode(words.slice(1));
            log(`mode ${formatSerialMode(mode)}`);
            saveState();
          } else if (words[0] !== 'status') {
            throw new Error(`unknown command ${JSON.stringify(words[0])}`);
          }
          sock.write(`ok ${formatSerialMode(mode)}\n`);
        } catch (err) {
          sock.write(`error ${errorMessage(err)}\n`);
        }
      }
    });
  });
  rmSync(labFiles.serialCtl, { force: true });
  server.listen(labFiles.serialCtl);
  return server;
}

function shutdown(): void {
  stopping = true;
  for (const child of socats.values()) child.kill('SIGTERM');
  for (const c of CONTROLLERS) releaseSlave(c);
  for (const s of servers) s.close();
  for (const c of conns.values()) c.destroy();
  setTimeout(() => process.exit(0), 200).unref();
}

process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
servers.push(serveControl());
for (const c of CONTROLLERS) {
  servers.push(serveSide(c));
}
saveState();
log('serial proxy running');
