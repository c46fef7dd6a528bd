// `npm run bench -- panel [--changes N]`
//
// 1. update_p99_ms: the daemon's publisher (MqttTelemetry, as the daemon
//    builds it for the controller's own broker: a coalesced, retained
//    `report`) runs here against a loopback broker, fed by a status source
//    whose peer flips alive <-> dead every PERIOD ms; the real panel process
//    (`firmware/panel/main.ts --sim`) reads the broker and prints a line
//    each time a frame has reached its simulated HD44780, read back from the
//    display memory. Latency = that line's time - the time of the status
//    change (before the publisher's 50 ms coalescing), both this machine's
//    wall clock. Not a daemon process: a daemon changes state only on real
//    events, and the publisher and its report are the daemon's own code.
// 2. bus_writes_full_screen and bus_writes_typical_update: the same screens
//    through Pcf8574Lcd on a simulated bus: the summary redrawn in full
//    (every cell, as after a fault), then the same change (the peer's state
//    word alive -> dead).
// 3. panel_rss_mb: VmRSS of the panel process at the end.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Aedes } from 'aedes';
import { SystemClock } from '../../hal/clock/system.ts';
import { SimClock } from '../../hal/clock/sim.ts';
import { SimPcf8574Hd44780 } from '../../hal/i2c/hd44780.ts';
import { SimI2cBus } from '../../hal/i2c/sim.ts';
import { LCD_20X4 } from '../../hal/lcd/lcd.ts';
import { Pcf8574Lcd } from '../../hal/lcd/pcf8574.ts';
import { LcdScreen } from '../../hal/lcd/screen.ts';
import { PanelModel } from '../../firmware/panel/model.ts';
import type { CheckedReport } from '../../firmware/status/report-check.ts';
import type { ControllerStatus, StatusReport } from '../../firmware/status/snapshot.ts';
import { MqttTelemetry } from '../../firmware/telemetry/mqtt-telemetry.ts';
import { readRssKb } from './_proc.ts';

const PANEL = fileURLToPath(new URL('../../firmware/panel/main.ts', import.meta.url));
const PERIOD_MS = 300;
const BOX = 'benchbox';

function opt(args: readonly string[], name: string, def: number): number {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : def;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${name}: must be a positive integer`);
  return v;
}

function baseStatus(peer: 'alive' | 'dead', at: number): ControllerStatus {
  return {
    boxId: BOX,
    controller: 'A',
    state: 'active',
    stateText: 'Active',
    since: 0,
    peer: {
      id: 'B',
      state: peer,
      // One word changes (the typical update): what the peer last said stays.
      peerState: 'standby',
      diskAccess: true,
      paths: [
        { path: 'serial', state: 'up', lastHeardAgoMs: 0, oneWay: false },
        { path: 'net', state: 'up', lastHeardAgoMs: 0, oneWay: false },
      ],
    },
    groups: [{ name: 'db', preferred: 'A', owner: 'A', state: 'running', failedOn: [] }],
    diskAccess: true,
    activeAlarms: 0,
    configVersion: 1,
    updatedAt: at,
  };
}

function reportOf(s: ControllerStatus): CheckedReport {
  return {
    ...s,
    firmwareVersion: 'bench',
    alarms: [],
    lastTakeover: null,
    muted: false,
    locate: false,
    takeover: [{ by: 'A', from: 'B', possible: true, why: [] }],
  };
}

/** Bus writes of the first full summary and of one peer-state change. */
async function busWrites(): Promise<{ full: number; typical: number }> {
  const clock = new SimClock();
  const bus = new SimI2cBus({ clock });
  bus.attach(0x27, new SimPcf8574Hd44780(clock, LCD_20X4));
  const lcd = new Pcf8574Lcd({ bus, clock, geometry: LCD_20X4 });
  const screen = new LcdScreen(lcd);
  const init = screen.init();
  await clock.advance(1000);
  await init;
  const model = new PanelModel(0);
  model.update(reportOf(baseStatus('alive', 0)), 0);
  // A full redraw writes every cell, blanks included (as after a fault).
  screen.invalidate();
  let before = lcd.busWrites;
  const first = screen.render(model.frame(LCD_20X4));
  await clock.advance(1000);
  await first;
  const full = lcd.busWrites - before;
  model.update(reportOf(baseStatus('dead', 0)), 1);
  before = lcd.busWrites;
  const second = screen.render(model.frame(LCD_20X4));
  await clock.advance(1000);
  await second;
  return { full, typical: lcd.busWrites - before };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

export async function run(args: readonly string[]): Promise<Record<string, number>> {
  const changes = opt(args, '--changes', 100);
  const dir = mkdtempSync(join(tmpdir(), 'tandem-bench-panel-'));
  const broker = await Aedes.createBroker();
  const server = createServer(broker.handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  let status = baseStatus('alive', Date.now());
  const listeners = new Set<(s: ControllerStatus) => void>();
  const source = {
    current: () => status,
    onChange: (l: (s: ControllerStatus) => void) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  const url = `mqtt://127.0.0.1:${port}`;
  const publisher = new MqttTelemetry({
    name: 'mqtt-local',
    config: { mqtt: { enabled: true, url, tls: {}, topicPrefix: 'tandem' } },
    statusSource: source,
    commandHandler: { handle: () => Promise.reject(new Error('no commands in the bench')) },
    clock: new SystemClock(),
    log: { info: () => undefined, warn: (m) => console.error(m) },
    answerRequests: false,
    reportSource: () => Promise.resolve(reportOf(status) as unknown as StatusReport),
  });
  await publisher.start();
  writeFileSync(
    join(dir, 'tandem.json'),
    JSON.stringify({ box: { id: BOX }, mqtt: { local: { enabled: true, url } } }),
  );
  const panel = spawn(process.execPath, [PANEL, '--sim'], {
    env: {
      PATH: process.env['PATH'] ?? '',
      TANDEM_CONTROLLER_ID: 'A',
      TANDEM_CONFIG_FILE: join(dir, 'tandem.json'),
      TANDEM_CONTROL_SOCKET: join(dir, 'tandemctl.sock'),
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  panel.stdin.on('error', () => undefined); // it may exit first
  try {
    return await measure(panel, changes, listeners, (s) => (status = s));
  } finally {
    panel.kill('SIGTERM');
    await publisher.stop();
    await new Promise<void>((r) => broker.close(() => r()));
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(
  panel: ChildProcessByStdio<Writable, Readable, null>,
  changes: number,
  listeners: ReadonlySet<(s: ControllerStatus) => void>,
  set: (s: ControllerStatus) => void,
): Promise<Record<string, number>> {
  const drawn: { t: number; text: string }[] = [];
  createInterface({ input: panel.stdout }).on('line', (l) => {
    try {
      const v = JSON.parse(l) as { lcd?: string[]; t?: number };
      if (Array.isArray(v.lcd) && typeof v.t === 'number') drawn.push({ t: v.t, text: v.lcd.join('\n') });
    } catch {
      // a log line
    }
  });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const until = async (what: string, test: () => boolean, ms: number): Promise<void> => {
    const end = Date.now() + ms;
    while (!test()) {
      if (Date.now() > end) throw new Error(`panel bench: no ${what} within ${ms} ms`);
      await sleep(5);
    }
  };
  await until('summary on the LCD', () => drawn.some((d) => d.text.includes(BOX)), 30_000);
  const latencies: number[] = [];
  for (let i = 0; i < changes; i++) {
    const peer = i % 2 === 0 ? 'dead' : 'alive';
    const from = drawn.length;
    const at = Date.now();
    const next = baseStatus(peer, at);
    set(next);
    for (const l of listeners) l(next);
    await until(
      `peer ${peer} on the LCD (change ${i})`,
      () => drawn.slice(from).some((d) => d.text.split('\n')[2]?.endsWith(peer) === true),
      5000,
    );
    const seen = drawn.slice(from).find((d) => d.text.split('\n')[2]?.endsWith(peer) === true);
    latencies.push((seen?.t ?? NaN) - at);
    await sleep(PERIOD_MS);
  }
  const rssKb = panel.pid === undefined ? NaN : readRssKb(panel.pid);
  const sorted = [...latencies].sort((a, b) => a - b);
  const writes = await busWrites();
  console.log(`panel: ${changes} changes, latency p50 ${percentile(sorted, 50)} ms, max ${sorted.at(-1)} ms`);
  return {
    update_p99_ms: percentile(sorted, 99),
    bus_writes_full_screen: writes.full,
    bus_writes_typical_update: writes.typical,
    panel_rss_mb: Math.round((rssKb / 1024) * 10) / 10,
  };
}
