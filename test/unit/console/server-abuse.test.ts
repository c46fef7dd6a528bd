// The control socket under abuse, on real UNIX sockets and real time: an
// abusive writer is dropped (and the drop logged with its reason), idle and
// half-closed connections go, a full house of idle clients does not lock
// tandemctl out, and the event loop stays responsive while another process
// hammers the socket.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ControlSocketServer } from '../../../firmware/console/server.ts';
import { main } from '../../../firmware/console/tandemctl.ts';
import { capturedIo } from './captured-io.ts';
import { LIMITS } from '../../../firmware/core/limits.ts';
import { TelemetryBox } from '../../lab/fixtures/telemetry-box.ts';

const ABUSER = fileURLToPath(new URL('../../../tools/lab/console-abuser.ts', import.meta.url));

function connect(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createConnection(path);
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

function closed(s: Socket): Promise<void> {
  return new Promise((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve())));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('control socket under abuse', () => {
  let dir: string;
  let sock: string;
  let box: TelemetryBox;
  let server: ControlSocketServer;
  let logged: string[];

  const startServer = async (extra: { idleMs?: number; maxClients?: number } = {}) => {
    server = new ControlSocketServer({
      socketPath: sock,
      commandHandler: box,
      log: { warn: (m) => logged.push(m) },
      ...extra,
    });
    await server.start();
  };

  beforeEach(() => {
    vi.useRealTimers();
    dir = mkdtempSync(join(tmpdir(), 'tandemctl-abuse-'));
    sock = join(dir, 'run', 'tandemctl.sock');
    box = new TelemetryBox({ boxId: 'box1', controller: 'A' });
    logged = [];
  });
  afterEach(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('closes a client that keeps writing after its over-long line was refused, and logs why', async () => {
    await startServer();
    const s = await connect(sock);
    s.on('error', () => undefined);
    const replies: string[] = [];
    s.setEncoding('utf8').on('data', (c: string) => replies.push(c));
    const chunk = Buffer.alloc(64 * 1024, 0x78);
    let written = 0;
    // Keep writing as fast as the socket takes it, as the abusive client did.
    const pump = setInterval(() => {
      if (!s.destroyed && s.writableLength < 1024 * 1024) {
        s.write(chunk);
        written += chunk.length;
      }
    }, 1);
    await closed(s);
    clearInterval(pump);
    expect(replies.join('')).toContain(`over the ${LIMITS.consoleLine.bytes}-byte limit`);
    // Closed long before anything like the gigabyte the old server buffered.
    expect(written).toBeLessThan(16 * 1024 * 1024);
    expect(logged.join('\n')).toMatch(
      /control socket: closed a client: client \d+: kept writing after a refused request/,
    );
    expect(await main(['--socket', sock, 'status'], capturedIo())).toBe(0);
  });

  it('closes a client that sends over its byte budget in short lines', async () => {
    await startServer();
    const s = await connect(sock);
    s.on('error', () => undefined);
    const line = Buffer.alloc(100 * 1024, 0x20);
    line[line.length - 1] = 0x0a;
    for (let i = 0; i < 60 && !s.destroyed; i++) s.write(line);
    await closed(s);
    expect(logged.join('\n')).toMatch(/sent over the 4194304-byte budget within 10000 ms/);
  });

  it('closes idle connections after the idle time, and a half-closed one once answered', async () => {
    await startServer({ idleMs: 200 });
    const idle = await connect(sock);
    const t0 = Date.now();
    await closed(idle);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
    expect(logged.join('\n')).toMatch(/idle for 200 ms/);

    const half = await connect(sock);
    let reply = '';
    half.setEncoding('utf8').on('data', (c: string) => (reply += c));
    half.end(JSON.stringify({ command: 'groups', args: {}, transaction: 'h1' }) + '\n');
    await closed(half);
    expect(JSON.parse(reply.trim())).toMatchObject({ status: 'ok', transaction: 'h1' });
  });

  it('lets tandemctl in when 20 idle connections fill the 16 slots, closing the longest idle', async () => {
    await startServer();
    const idle: Socket[] = [];
    for (let i = 0; i < 20; i++) {
      const s = await connect(sock);
      s.on('error', () => undefined);
      idle.push(s);
    }
    // Idle for over a second: the first to go at the limit.
    await sleep(1100);
    expect(server.connections).toBeLessThanOrEqual(LIMITS.console.clients);
    for (let i = 0; i < 3; i++) {
      const io = capturedIo();
      expect(await main(['--socket', sock, 'status'], io)).toBe(0);
      expect(io.stdout.join('\n')).toContain('Box:');
    }
    // The first connections were the ones closed, and each closing was explained.
    expect(idle[0]?.destroyed || idle[0]?.readableEnded).toBe(true);
    expect(logged.join('\n')).toMatch(
      /the 16-connection limit was reached; closed this one, (idle \d+\.\d s|the busiest writer of the light ones)/,
    );
    for (const s of idle) s.destroy();
  });

  it('keeps the event loop lag under 50 ms while another process abuses the socket, and still answers', async () => {
    await startServer();
    // The abuser (tools/lab/console-abuser.ts): over-long lines, floods of
    // requests whose replies it never reads, garbage, idle connections and a
    // connect/close storm, from 24 connections at once.
    const h = monitorEventLoopDelay({ resolution: 5 });
    const child = spawn(process.execPath, [ABUSER, sock, '2500'], { stdio: 'ignore' });
    // A local script runs below the daemon's priority, as on the box; at equal
    // priority on a loaded two-core test machine the scheduler, not the
    // server, would set the lag this test is about.
    setPriority(child.pid ?? 0, 19);
    const exited = new Promise((r) => child.once('exit', r));
    await sleep(300);
    h.enable();
    const answers: number[] = [];
    for (let i = 0; i < 5; i++) {
      answers.push(await main(['--socket', sock, 'status'], capturedIo()));
      await sleep(300);
    }
    h.disable();
    await exited;
    const maxMs = h.max / 1e6;
    console.log(
      `event loop under abuse: max ${maxMs.toFixed(1)} ms, p99 ${(h.percentile(99) / 1e6).toFixed(1)} ms, mean ${(h.mean / 1e6).toFixed(1)} ms`,
    );
    expect(answers).toEqual([0, 0, 0, 0, 0]);
    expect(maxMs).toBeLessThan(50);
    expect(box.handled.length).toBeGreaterThan(0);
  }, 20_000);
});
