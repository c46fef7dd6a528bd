// Diagnostic CLI: log in, run a list of steps, print one JSON line. Used by
// the lab tests (run inside a network namespace) and by hand:
//   node hal/scsi/iscsi/probe.ts '<config json>' tur inquiry capacity write:LBA:SEED[:BYTES] read:LBA:BLOCKS bench:N
// CDBs are built here on purpose: this tool checks the transport alone.
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { ScsiCommand, ScsiResult } from '../device.ts';
import { IscsiInitiator } from './initiator.ts';

const TIMEOUT_MS = 5000;
export const PROBE_BLOCK = 512;

function cdb16(opcode: number, lba: bigint, blocks: number, byte1 = 0): Buffer {
  const c = Buffer.alloc(16);
  c[0] = opcode;
  c[1] = byte1;
  c.writeBigUInt64BE(lba, 2);
  c.writeUInt32BE(blocks, 10);
  return c;
}

/** Deterministic 4 KiB pattern so two processes can agree on what was written. */
export function pattern(seed: string, length = 4096): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0, block = 0; i < length; i += 32, block++) {
    createHash('sha256').update(`${seed}:${block}`).digest().copy(out, i);
  }
  return out;
}

function summary(r: ScsiResult): Record<string, unknown> {
  return {
    status: r.status,
    sense: Buffer.from(r.sense).toString('hex'),
    length: r.data.length,
    residual: r.residual,
  };
}

async function step(dev: IscsiInitiator, spec: string): Promise<Record<string, unknown>> {
  const [name, a, b, c] = spec.split(':');
  const run = (cmd: Omit<ScsiCommand, 'timeoutMs'>) => dev.execute({ ...cmd, timeoutMs: TIMEOUT_MS });
  switch (name ?? '') {
    case 'tur':
      return { step: spec, ...summary(await run({ cdb: Buffer.alloc(6), direction: 'none' })) };
    case 'inquiry': {
      const r = await run({ cdb: Buffer.from([0x12, 0, 0, 0, 96, 0]), direction: 'in', dataInLength: 96 });
      const d = Buffer.from(r.data);
      return {
        step: spec,
        ...summary(r),
        peripheralType: (d[0] ?? 0) & 0x1f,
        vendor: d.subarray(8, 16).toString('latin1').trim(),
        product: d.subarray(16, 32).toString('latin1').trim(),
      };
    }
    case 'capacity': {
      const c = cdb16(0x9e, 0n, 0, 0x10);
      c.writeUInt32BE(32, 10);
      const r = await run({ cdb: c, direction: 'in', dataInLength: 32 });
      const d = Buffer.from(r.data);
      return {
        step: spec,
        ...summary(r),
        lastLba: d.length >= 12 ? d.readBigUInt64BE(0).toString() : null,
        blockLength: d.length >= 12 ? d.readUInt32BE(8) : null,
      };
    }
    case 'write': {
      const data = pattern(b ?? 'x', Number(c ?? 4096));
      // WRITE(16) with FUA (byte 1 bit 3): the peer must see it even without a cache flush.
      const r = await run({
        cdb: cdb16(0x8a, BigInt(a ?? 0), data.length / PROBE_BLOCK, 0x08),
        direction: 'out',
        dataOut: data,
      });
      return { step: spec, ...summary(r), sha256: createHash('sha256').update(data).digest('hex') };
    }
    case 'read': {
      const blocks = Number(b ?? 8);
      const r = await run({
        cdb: cdb16(0x88, BigInt(a ?? 0), blocks),
        direction: 'in',
        dataInLength: blocks * PROBE_BLOCK,
      });
      return { step: spec, ...summary(r), sha256: createHash('sha256').update(r.data).digest('hex') };
    }
    case 'bench': {
      const n = Number(a ?? 1000);
      const times: number[] = [];
      const cmd: ScsiCommand = {
        cdb: cdb16(0x88, 0n, 1),
        direction: 'in',
        dataInLength: PROBE_BLOCK,
        timeoutMs: TIMEOUT_MS,
      };
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        await dev.execute(cmd);
        times.push(performance.now() - t0);
      }
      times.sort((x, y) => x - y);
      const at = (q: number) =>
        Math.round((times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0) * 1000);
      return { step: spec, count: n, medianUs: at(0.5), p99Us: at(0.99) };
    }
    default:
      throw new Error(`unknown step ${JSON.stringify(spec)}`);
  }
}

async function main(argv: string[]): Promise<number> {
  const [configJson, ...steps] = argv;
  const out: Record<string, unknown>[] = [];
  let dev: IscsiInitiator | undefined;
  try {
    dev = new IscsiInitiator(JSON.parse(configJson ?? 'null'));
    await dev.connect();
    out.push({ step: 'login', negotiated: dev.negotiated });
    for (const s of steps) out.push(await step(dev, s));
    await dev.close();
    out.push({ step: 'logout', state: dev.state });
    console.log(JSON.stringify({ ok: true, steps: out }));
    return 0;
  } catch (err) {
    await dev?.close();
    const e = err as Error & { code?: string };
    console.log(
      JSON.stringify({ ok: false, steps: out, error: { name: e.name, code: e.code, message: e.message } }),
    );
    return 1;
  }
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
}
