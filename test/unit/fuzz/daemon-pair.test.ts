// Issue 12 acceptance, the fuzz suite against real daemons: two daemon.ts
// processes heartbeat each other over loopback UDP (127.0.0.1 and .2), with
// MQTT to an in-test broker. Every hostile class is thrown at controller A's
// entries: control-socket lines, tandemctl command lines, MQTT requests
// and config documents (import, and the file at boot).
// A answers each within a second, keeps every event-log row it had, and B
// never sees A's heartbeat late; a daemon started on a hostile config file
// refuses it, naming what is wrong. No root needed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../firmware/console/tandemctl.ts';
import { simCredentials, startBroker, type EmbeddedBroker } from '../../../firmware/sim/broker.ts';
import { capturedIo } from '../console/captured-io.ts';
import { CONTROL_TEXT, ODD_NUMBERS, PROTO_KEYS, hostileLine, exchange } from './hostile-inputs.ts';

const DAEMON = join(import.meta.dirname, '../../../firmware/daemon.ts');
const KEY = randomBytes(32).toString('hex');
const TOKEN = randomBytes(24).toString('hex');
const BOX = 'fuzz-box';
type Ctl = 'A' | 'B';
interface Line {
  readonly ts: number;
  readonly code: string;
  readonly message: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('fuzz: hostile input at a real daemon pair', () => {
  let dir: string;
  let broker: EmbeddedBroker;
  const creds = simCredentials();
  const procs = new Map<Ctl, ChildProcess>();
  const logs: Record<Ctl, Line[]> = { A: [], B: [] };
  const stderr: string[] = [];
  const sock = (c: Ctl) => join(dir, `run-${c}`, 'tandemctl.sock');

  function configOf(c: Ctl, port: number): unknown {
    return {
      box: { id: BOX },
      cluster: {
        key: KEY,
        heartbeat: { intervalMs: 100, warntimeMs: 600, deadtimeMs: 1000, initdeadMs: 3000 },
        serial: { enabled: false },
        network: {
          enabled: true,
          localAddress: c === 'A' ? '127.0.0.1' : '127.0.0.2',
          peerAddress: c === 'A' ? '127.0.0.2' : '127.0.0.1',
          port,
        },
        // No enclosure here: the sg node does not exist, so no group could
        // start; the heartbeats and the entries are what is under test.
        disk: { transport: 'sg', sgDevice: '/dev/tandem-fuzz-no-such-sg' },
      },
      failover: { watchdog: { enabled: false } },
      groups: [],
      mqtt: {
        enabled: true,
        url: `mqtt://127.0.0.1:${broker.port}`,
        username: creds.username,
        password: creds.password,
        commandToken: TOKEN,
      },
    };
  }

  function start(c: Ctl, port: number): void {
    const state = join(dir, `state-${c}`);
    mkdirSync(state, { recursive: true });
    const file = join(state, 'tandem.json');
    writeFileSync(file, JSON.stringify(configOf(c, port)));
    const p = spawn(process.execPath, [DAEMON], {
      env: {
        PATH: process.env['PATH'] ?? '',
        TANDEM_CONFIG_FILE: file,
        TANDEM_STATE_DIR: state,
        TANDEM_CONTROLLER_ID: c,
        TANDEM_CONTROL_SOCKET: sock(c),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buf = '';
    p.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buf += chunk;
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const text = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          const v = JSON.parse(text) as Partial<Line>;
          if (typeof v.code === 'string')
            logs[c].push({ ts: Date.now(), code: v.code, message: v.message ?? '' });
        } catch {
          // not a log line
        }
      }
    });
    p.stderr?.setEncoding('utf8').on('data', (chunk: string) => stderr.push(`${c}: ${chunk}`));
    procs.set(c, p);
  }

  async function until(what: string, test: () => boolean, ms = 20_000): Promise<void> {
    const end = Date.now() + ms;
    while (!test()) {
      if (Date.now() > end) {
        const tail = (c: Ctl) =>
          logs[c]
            .slice(-12)
            .map((l) => `  ${c} ${l.code} ${l.message}`)
            .join('\n');
        throw new Error(`no ${what} within ${ms} ms\n${tail('A')}\n${tail('B')}\n${stderr.join('')}`);
      }
      await sleep(50);
    }
  }

  /** tandemctl in this process against A: exit code and time. */
  async function ctl(argv: readonly string[]): Promise<{ code: number; ms: number; out: string }> {
    const io = capturedIo();
    const t0 = performance.now();
    const code = await main(['--socket', sock('A'), ...argv], io);
    return { code, ms: performance.now() - t0, out: io.stdout.join('') };
  }

  let t0 = 0;
  let rowsBefore: { id: number }[] = [];

  beforeAll(async () => {
    vi.useRealTimers();
    dir = mkdtempSync(join(tmpdir(), 'tandem-fuzz-pair-'));
    broker = await startBroker(0, creds);
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    start('A', port);
    start('B', port);
    for (const c of ['A', 'B'] as const)
      await until(`PEER_ALIVE on ${c}`, () => logs[c].some((l) => l.code === 'PEER_ALIVE'));
    await until('MQTT connected on A', () =>
      logs.A.some((l) => l.code === 'MQTT_INFO' && l.message.startsWith('mqtt: connected')),
    );
    await sleep(1000);
    const listed = await ctl(['--json', 'log', '--limit', '10000']);
    expect(listed.code).toBe(0);
    rowsBefore = (JSON.parse(listed.out) as { data: { events: { id: number }[] } }).data.events;
    expect(rowsBefore.length).toBeGreaterThan(5);
    t0 = Date.now();
  }, 60_000);

  afterAll(async () => {
    for (const p of procs.values()) p.kill('SIGKILL');
    await broker?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the control socket: every hostile line is answered within a second', async () => {
    await fc.assert(
      fc.asyncProperty(
        hostileLine.filter((l) => l.trim() !== ''),
        async (line) => {
          const { reply, ms } = await exchange(sock('A'), line);
          expect(ms).toBeLessThan(1000);
          expect(reply).not.toBeNull();
          expect(['ok', 'error']).toContain((JSON.parse(reply ?? '') as { status: string }).status);
        },
      ),
      { numRuns: 120 },
    );
  }, 120_000);

  it('tandemctl: hostile command lines end with a usage or daemon error, never a crash', async () => {
    const word = fc.oneof(
      CONTROL_TEXT,
      fc.constantFrom(...PROTO_KEYS).map((k) => `--${k}=1`),
      ODD_NUMBERS,
      fc.constantFrom('--force=no', '--limit', '--since', 'takeover', 'log', 'config', 'import', '--json'),
      fc.integer({ min: 1, max: 10_000 }).map((n) => 'x'.repeat(n)),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(word, { maxLength: 80 }), async (argv) => {
        // Never a forced takeover from a mangled flag (`--force=no` once forced).
        const r = await ctl(argv);
        expect(r.ms).toBeLessThan(1000);
        expect([0, 1, 2]).toContain(r.code);
      }),
      { numRuns: 150 },
    );
    const noForce = await ctl(['takeover', '--force=no']);
    expect(noForce.code).not.toBe(0);
  }, 120_000);

  it('MQTT: hostile requests are refused, summarised in the log, and never answered with a secret', async () => {
    const answers: string[] = [];
    let closedByBroker = 0;
    const connect = async () => {
      const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
        username: creds.username,
        password: creds.password,
        reconnectPeriod: 0,
      });
      c.on('error', () => undefined);
      c.on('close', () => closedByBroker++);
      c.on('message', (_t, payload) => answers.push(payload.toString('utf8')));
      await c.subscribeAsync(`tandem/${BOX}/A/response/+`);
      return c;
    };
    let client = await connect();
    const samples = fc.sample(hostileLine, { numRuns: 150, seed: 12 });
    for (const [i, line] of samples.entries()) {
      const command =
        ['status', 'takeover', 'config-export', '__proto__', 'x'.repeat(300)][i % 5] ?? 'status';
      // The broker closes a client that sends a packet over its limit:
      // reconnect and go on (QoS 0, fire and forget).
      if (!client.connected) client = await connect();
      client.publish(`tandem/${BOX}/A/request/${command.slice(0, 200)}`, line);
      await sleep(20);
    }
    await sleep(1500);
    client.end(true);
    expect(closedByBroker).toBeGreaterThan(0); // the oversized ones never reached A
    // Whatever came back is an error, and carries no secret.
    for (const a of answers) {
      expect(a).not.toContain(KEY);
      expect(a).not.toContain(TOKEN);
      expect(a).not.toContain(creds.password);
    }
    // Refusals are summarised, not written one row each: at most the first
    // one and a summary per interval reach A's log.
    const refusalRows = logs.A.filter((l) => l.code === 'MQTT_WARNING' && /^mqtt: refused/.test(l.message));
    expect(refusalRows.length).toBeGreaterThan(0);
    expect(refusalRows.length).toBeLessThanOrEqual(2);
    const answered = await ctl(['status']);
    expect(answered.code).toBe(0);
  }, 60_000);

  it('config import: hostile documents are refused by name and change nothing', async () => {
    const shown = async () => {
      const r = await ctl(['--json', 'config', 'show']);
      const d = (JSON.parse(r.out) as { data: { configVersion: number; hash: string } }).data;
      return { version: d.configVersion, hash: d.hash };
    };
    const before = await shown();
    const docs = [
      '{"a":'.repeat(5000) + '1' + '}'.repeat(5000),
      '{"configVersion": 1e308}',
      '{"configVersion": 4294967296}',
      '{"box": {"id": "x"}, "box": {"id": "y"}}',
      '{"__proto__": {"polluted": true}, "box": {"id": "p"}}',
      `{"box": {"id": "\u001b[2J${'y'.repeat(50)}"}}`,
      '{"groups": [' + '{},'.repeat(3000) + '{}]}',
      '[]',
      'not json',
    ];
    for (const text of docs) {
      const file = join(dir, 'hostile.json');
      writeFileSync(file, text);
      const r = await ctl(['config', 'import', file]);
      expect(r.ms).toBeLessThan(1000);
      expect(r.code).not.toBe(0);
    }
    expect(await shown()).toEqual(before);
  }, 60_000);

  it('afterwards: no row lost, A still serving, and B never saw A late', async () => {
    const listed = await ctl(['--json', 'log', '--limit', '10000']);
    const ids = new Set(
      (JSON.parse(listed.out) as { data: { events: { id: number }[] } }).data.events.map((e) => e.id),
    );
    expect(rowsBefore.filter((r) => !ids.has(r.id))).toEqual([]);
    const late = logs.B.filter(
      (l) =>
        l.ts >= t0 &&
        ['PATH_LATE', 'PATH_DOWN', 'PEER_SUSPECT', 'PEER_DEAD'].includes(l.code) &&
        // The disk path never had a disk here; its initdead verdict is not about A.
        !l.message.startsWith('heartbeat path disk'),
    );
    expect(late.map((l) => `${l.code} ${l.message}`)).toEqual([]);
    expect(procs.get('A')?.exitCode).toBeNull();
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('a daemon started on a hostile config file refuses it and names what is wrong', () => {
    const cases: [string, RegExp][] = [
      ['{"box": {"id": "x"}, "box": {"id": "y"}}', /\/box: is given twice/],
      ['{"a":'.repeat(100) + '1' + '}'.repeat(100), /depth|deep/i],
      ['{"__proto__": {}}', /__proto__/],
      [`{"box": {"id": "a\u0007b"}}`, /Bad control character/],
      ['{"box": {"id": "a\\u0007b"}}', /\/box\/id/],
    ];
    for (const [text, named] of cases) {
      const file = join(dir, 'boot.json');
      writeFileSync(file, text);
      const r = spawnSync(process.execPath, [DAEMON], {
        env: {
          PATH: process.env['PATH'] ?? '',
          TANDEM_CONFIG_FILE: file,
          TANDEM_STATE_DIR: join(dir, 'boot-state'),
          TANDEM_CONTROLLER_ID: 'A',
          TANDEM_CONTROL_SOCKET: join(dir, 'boot.sock'),
        },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(r.status, text.slice(0, 60)).toBe(2);
      expect(r.stderr).toMatch(named);
    }
  }, 60_000);
});
