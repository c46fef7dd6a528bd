// A scriptable SCSI session for lab tests and the bench: run inside a
// controller's namespace (`ip netns exec tdm-a node tools/pr/agent.ts`), it
// holds one iSCSI session (and optionally a ReservationManager) for its whole
// life, which tools/pr/cli.ts cannot: on tgt a registration dies with its
// session. Protocol: one JSON request per stdin line {id, op, ...}; one JSON
// line back {id, ok, value | error}; manager events as {event, ...}.
// Keys travel as "0x…" strings (JSON has no 64-bit integers).
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { SystemClock } from '../../hal/clock/system.ts';
import { HalError, errorMessage } from '../../hal/errors.ts';
import * as scsi from '../../hal/scsi/commands.ts';
import { SCSI_IO_TIMEOUT_MS } from '../../hal/scsi/device.ts';
import { ScsiError } from '../../hal/scsi/errors.ts';
import { IscsiInitiator } from '../../hal/scsi/iscsi/initiator.ts';
import { pattern } from '../../hal/scsi/iscsi/probe.ts';
import type { FencerEvents } from '../../firmware/fencing/fencer.ts';
import { ReservationManager } from '../../firmware/fencing/reservation-manager.ts';
import { parseKey } from './args.ts';

type Req = Record<string, unknown> & { id?: unknown; op?: unknown };

const clock = new SystemClock();
let dev: IscsiInitiator | undefined;
let mgr: ReservationManager | undefined;

function send(obj: unknown): void {
  process.stdout.write(
    `${JSON.stringify(obj, (_k, v: unknown) => (typeof v === 'bigint' ? `0x${v.toString(16).padStart(16, '0')}` : v))}\n`,
  );
}

function str(r: Req, name: string): string {
  const v = r[name];
  if (typeof v !== 'string') throw new HalError('invalid-argument', 'agent', `${name} must be a string`);
  return v;
}
function num(r: Req, name: string, dflt?: number): number {
  const v = r[name] ?? dflt;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new HalError('invalid-argument', 'agent', `${name} must be a non-negative integer`);
  }
  return v;
}
const need = <T>(v: T | undefined, what: string): T => {
  if (v === undefined) throw new HalError('not-open', 'agent', `${what} first`);
  return v;
};

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function handle(r: Req): Promise<unknown> {
  const timeoutMs = num(r, 'timeoutMs', SCSI_IO_TIMEOUT_MS);
  const opts = { timeoutMs };
  switch (r.op) {
    case 'connect': {
      dev = new IscsiInitiator({
        portal: { host: str(r, 'host'), port: num(r, 'port', 3260) },
        targetIqn: str(r, 'target'),
        initiatorName: str(r, 'initiator'),
        lun: num(r, 'lun', 1),
        reconnect: { initialDelayMs: 200, maxDelayMs: 1000 },
      });
      dev.on('disconnected', (e) => send({ event: 'disconnected', code: e.error.code }));
      dev.on('reconnected', (e) => send({ event: 'reconnected', attempts: e.attempts }));
      await dev.connect();
      return dev.description;
    }
    case 'manager': {
      mgr = new ReservationManager({
        device: need(dev, 'connect'),
        boxId: str(r, 'box'),
        controller: str(r, 'controller') === 'B' ? 'B' : 'A',
        clock,
        pollIntervalMs: num(r, 'pollIntervalMs', 500),
      });
      for (const ev of [
        'we-are-fenced',
        'registered',
        'session-changed',
        'foreign-key',
        'poll-failed',
      ] as const) {
        mgr.on(ev, (...args: FencerEvents[typeof ev]) => send({ event: ev, ...args[0] }));
      }
      return mgr.start();
    }
    case 'reserve':
      return need(mgr, 'manager').reserve();
    case 'release':
      return need(mgr, 'manager').release();
    case 'fencePeer':
      return need(mgr, 'manager').fencePeer();
    case 'verify':
      return need(mgr, 'manager').verifyOwnRegistration();
    case 'snapshot':
      return need(mgr, 'manager').snapshot();
    case 'poll':
      await need(mgr, 'manager').pollNow();
      return need(mgr, 'manager').snapshot();
    case 'readKeys':
      return scsi.readKeys(need(dev, 'connect'), opts);
    case 'registerIgnore':
      await scsi.registerIgnore(need(dev, 'connect'), parseKey(str(r, 'key'), 'key', true), opts);
      return null;
    case 'clear':
      await scsi.clear(need(dev, 'connect'), parseKey(str(r, 'key'), 'key'), opts);
      return null;
    case 'write': {
      const data = pattern(str(r, 'seed'), num(r, 'bytes', 4096));
      await scsi.write16(need(dev, 'connect'), BigInt(num(r, 'lba')), data, {
        ...opts,
        fua: r['fua'] !== false,
      });
      return { sha256: createHash('sha256').update(data).digest('hex') };
    }
    case 'read': {
      const data = await scsi.read16(
        need(dev, 'connect'),
        BigInt(num(r, 'lba')),
        num(r, 'blocks', 8),
        512,
        opts,
      );
      return { sha256: createHash('sha256').update(data).digest('hex'), length: data.length };
    }
    case 'bench': {
      // Queue depth 1: each command waits for the previous one. `warmup`
      // untimed commands first (JIT, a pending unit attention); `samples: true`
      // also returns every latency (us, 0.1 us resolution) so the caller can
      // pool rounds or compute its own percentiles.
      const d = need(dev, 'connect');
      const n = num(r, 'n', 2000);
      const warmup = num(r, 'warmup', 0);
      const write = r['kind'] === 'write';
      const lba = BigInt(num(r, 'lba'));
      const block = pattern('bench', 512);
      const wopts = { ...opts, fua: true };
      for (let i = 0; i < warmup; i++) {
        if (write) await scsi.write16(d, lba, block, wopts);
        else await scsi.read16(d, lba, 1, 512, opts);
      }
      const us = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        if (write) await scsi.write16(d, lba, block, wopts);
        else await scsi.read16(d, lba, 1, 512, opts);
        us[i] = (performance.now() - t0) * 1000;
      }
      const sorted = Array.from(us).sort((a, b) => a - b);
      const value: { n: number; p50: number; p99: number; samples?: number[] } = {
        n,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
      };
      if (r['samples'] === true) value.samples = Array.from(us, (x) => Math.round(x * 10) / 10);
      return value;
    }
    case 'close':
      mgr?.stop();
      await dev?.close();
      return null;
    default:
      throw new HalError('invalid-argument', 'agent', `unknown op ${JSON.stringify(r.op)}`);
  }
}

function describe(err: unknown): Record<string, unknown> {
  if (err instanceof ScsiError) return { code: err.code, kind: err.kind, message: err.message };
  if (err instanceof HalError) return { code: err.code, name: err.name, message: err.message };
  return { code: 'untyped', message: errorMessage(err) };
}

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  let req: Req;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null) throw new Error('request must be an object');
    req = parsed as Req;
  } catch (err) {
    send({ id: null, ok: false, error: describe(err) });
    return;
  }
  const started = performance.now();
  handle(req).then(
    (value) => send({ id: req.id, ok: true, value, ms: performance.now() - started }),
    (err: unknown) => send({ id: req.id, ok: false, error: describe(err), ms: performance.now() - started }),
  );
});
rl.on('close', () => {
  mgr?.stop();
  void dev?.close().finally(() => process.exit(0));
  if (dev === undefined) process.exit(0);
});
