// The real web panel process for the web bench (`firmware/web/main.ts`, as
// the box starts it): its config file, state and run directories in a
// temporary directory, two free ports, a web secret the bench knows (so it
// can mint a session cookie), and the local broker it reads. No daemon:
// web.sock is never needed, the status comes from the broker. With
// TANDEM_LAB_FIRMWARE_DIR set it runs that built tree's web/main.js with the
// image's node options, as the lab does (tools/lab/configs/daemons.ts).
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { SESSION_COOKIE, SessionKeys } from '../../firmware/web/session.ts';
import { firmwareCommand } from '../lab/configs/daemons.ts';
import { BENCH_BOX } from './_web-report.ts';

export const TOPIC_PREFIX = 'tandem';
/** The certificate is made by openssl at first start: allow for a slow machine. */
const START_MS = 60_000;

/** Ports nobody listens on now (held together so the two differ). */
export async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const s = createServer();
      servers.push(s);
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(0, '0.0.0.0', resolve);
      });
    }
    return servers.map((s) => (s.address() as { port: number }).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
}

export interface WebProcess {
  readonly port: number;
  readonly pid: number;
  /** The session cookie's value: a viewer signed in as `bench`. */
  readonly cookie: string;
  /** VmRSS and its parts (kB) from /proc. */
  memory(): { rssKb: number; anonKb: number; fileKb: number };
  stop(): Promise<void>;
}

export async function startWeb(dir: string, brokerPort: number): Promise<WebProcess> {
  const [port, httpPort] = (await freePorts(2)) as [number, number];
  const secret = randomBytes(32).toString('hex');
  const configFile = join(dir, 'tandem.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      box: { id: BENCH_BOX },
      mqtt: { topicPrefix: TOPIC_PREFIX, local: { enabled: true, url: `mqtt://127.0.0.1:${brokerPort}` } },
      // The longest idle time: no session ends during the bench.
      web: { enabled: true, port, httpPort, secret, idleMinutes: 240 },
    }),
  );
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(
    process.execPath,
    firmwareCommand('firmware/web/main'),
    {
      env: {
        PATH: process.env['PATH'] ?? '',
        TANDEM_CONTROLLER_ID: 'A',
        TANDEM_CONFIG_FILE: configFile,
        TANDEM_CONTROL_SOCKET: join(dir, 'run', 'tandemctl.sock'),
        TANDEM_STATE_DIR: join(dir, 'state'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const logs: string[] = [];
  let listening = false;
  createInterface({ input: child.stdout }).on('line', (l) => {
    logs.push(l);
    if (l.includes('listening on https')) listening = true;
    // Anything the process says once serving (a refused report above all) belongs in the bench's output.
    else if (listening) console.error(`web process: ${l}`);
  });
  createInterface({ input: child.stderr }).on('line', (l) => logs.push(l));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const end = Date.now() + START_MS;
  while (!listening) {
    if (child.exitCode !== null || Date.now() > end) {
      child.kill('SIGKILL');
      throw new Error(`web bench: the web process did not start:\n${logs.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error('web bench: the web process has no pid');
  const keys = new SessionKeys(secret);
  return {
    port,
    pid,
    cookie: keys.seal(keys.issue('bench', 'viewer', false, Date.now())),
    memory: () => {
      const text = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(text)?.[1]);
      return { rssKb: kb('VmRSS'), anonKb: kb('RssAnon'), fileKb: kb('RssFile') };
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export const cookieHeader = (value: string): string => `${SESSION_COOKIE}=${value}`;
