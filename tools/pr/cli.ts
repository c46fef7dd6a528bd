// tools/pr: read and change SCSI persistent reservations on the shared LUN,
// over our iSCSI initiator or SG_IO. See args.ts for the usage text.
// Exit codes: 0 done, 1 the device or transport refused, 2 bad arguments.
import { HalError, errorMessage, errorReport } from '../../hal/errors.ts';
import * as scsi from '../../hal/scsi/commands.ts';
import type { ScsiDevice } from '../../hal/scsi/device.ts';
import { ScsiError } from '../../hal/scsi/errors.ts';
import { IscsiInitiator } from '../../hal/scsi/iscsi/initiator.ts';
import { openSgDevice } from '../../hal/scsi/sg/index.ts';
import type { PrInvocation, Transport, Verb } from './args.ts';
import { PrUsageError, TYPE_NAMES, USAGE, parsePrArgs } from './args.ts';

const hex = (k: bigint): string => `0x${k.toString(16).padStart(16, '0')}`;
const typeName = (t: number): string =>
  Object.entries(TYPE_NAMES).find(([, v]) => v === t)?.[0] ?? `type ${t}`;

async function open(t: Transport): Promise<ScsiDevice> {
  if (t.kind === 'sg') return openSgDevice({ path: t.device });
  const dev = new IscsiInitiator({
    portal: { host: t.host, port: t.port },
    targetIqn: t.target,
    initiatorName: t.initiator,
    lun: t.lun,
    reconnect: { enabled: false },
  });
  await dev.connect();
  return dev;
}

type Output = { readonly data: Record<string, unknown>; readonly text: string };

async function run(dev: ScsiDevice, c: Verb): Promise<Output> {
  const done = (what: string): Output => ({ data: {}, text: `${what}: done` });
  switch (c.verb) {
    case 'keys': {
      const r = await scsi.readKeys(dev);
      return {
        data: { generation: r.generation, keys: r.keys.map(hex) },
        text: [
          `PR generation 0x${r.generation.toString(16)}, ${r.keys.length} registered key(s)`,
          ...r.keys.map((k) => `  ${hex(k)}`),
        ].join('\n'),
      };
    }
    case 'reservation': {
      const r = await scsi.readReservation(dev);
      const res = r.reservation;
      return {
        data: {
          generation: r.generation,
          reservation:
            res === null
              ? null
              : { key: hex(res.key), type: res.type, typeName: typeName(res.type), scope: res.scope },
        },
        text: `PR generation 0x${r.generation.toString(16)}, ${res === null ? 'no reservation' : `reserved by ${hex(res.key)}, ${typeName(res.type)} (${res.type})`}`,
      };
    }
    case 'capabilities': {
      const caps = await scsi.reportCapabilities(dev);
      return {
        data: { ...caps },
        text: Object.entries(caps)
          .map(([k, v]) => `  ${k}: ${Array.isArray(v) ? v.map(typeName).join(' ') : String(v)}`)
          .join('\n'),
      };
    }
    case 'register':
      await scsi.register(dev, 0n, c.key);
      return done(`register ${hex(c.key)}`);
    case 'register-ignore':
      await scsi.registerIgnore(dev, c.key);
      return done(`register-ignore ${hex(c.key)}`);
    case 'unregister':
      // REGISTER AND IGNORE EXISTING KEY with 0 removes whatever key this nexus holds.
      await scsi.registerIgnore(dev, 0n);
      return done('unregister');
    case 'reserve':
      await scsi.reserve(dev, c.key, c.type);
      return done(`reserve ${hex(c.key)} ${typeName(c.type)}`);
    case 'release':
      await scsi.release(dev, c.key, c.type);
      return done(`release ${hex(c.key)} ${typeName(c.type)}`);
    case 'clear':
      await scsi.clear(dev, c.key);
      return done(`clear ${hex(c.key)}`);
    case 'preempt':
      await scsi.preempt(dev, c.key, c.victim, c.type);
      return done(`preempt ${hex(c.victim)} by ${hex(c.key)}`);
    case 'preempt-abort':
      await scsi.preemptAndAbort(dev, c.key, c.victim, c.type);
      return done(`preempt-abort ${hex(c.victim)} by ${hex(c.key)}`);
  }
}

function describeError(err: unknown): Record<string, unknown> {
  if (err instanceof ScsiError) {
    return {
      name: err.name,
      code: err.code,
      kind: err.kind,
      condition: err.condition ?? null,
      message: err.message,
    };
  }
  if (err instanceof HalError) return { name: err.name, code: err.code, message: err.message };
  return { name: 'Error', message: errorMessage(err) };
}

export async function main(argv: readonly string[]): Promise<number> {
  let inv: PrInvocation;
  try {
    inv = parsePrArgs(argv);
  } catch (err) {
    if (!(err instanceof PrUsageError)) throw err;
    const json = argv.includes('--json');
    if (json) console.log(JSON.stringify({ ok: false, error: { name: err.name, message: err.message } }));
    else console.error(`pr: ${err.message}\n${USAGE}`);
    return 2;
  }
  let dev: ScsiDevice | undefined;
  try {
    dev = await open(inv.transport);
    const out = await run(dev, inv.command);
    console.log(
      inv.json
        ? JSON.stringify({ ok: true, verb: inv.command.verb, device: dev.description, ...out.data })
        : out.text,
    );
    return 0;
  } catch (err) {
    const e = describeError(err);
    if (inv.json) console.log(JSON.stringify({ ok: false, verb: inv.command.verb, error: e }));
    else console.error(`pr: ${inv.command.verb}: ${String(e['message'])}`);
    return 1;
  } finally {
    await dev?.close().catch(() => undefined);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`pr: ${errorReport(err)}`);
      process.exit(1);
    },
  );
}
