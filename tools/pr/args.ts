// Argument parsing for tools/pr (a diagnostic in the spirit of sg_persist).
// Pure, so every rejection is unit-tested: each error names the bad argument.
import type { PrType } from '../../hal/scsi/cdb/pr-types.ts';
import { PrType as T } from '../../hal/scsi/cdb/pr-types.ts';

export const USAGE = `usage:
  node tools/pr/cli.ts --transport iscsi --portal HOST:PORT --target IQN [--lun N] [--initiator NAME] [--json] VERB [ARGS]
  node tools/pr/cli.ts --transport sg --device /dev/sgN [--json] VERB [ARGS]
verbs:
  keys | reservation | capabilities
  register KEY | register-ignore KEY | unregister
  reserve KEY [--type T] | release KEY [--type T] | clear KEY
  preempt KEY VICTIM [--type T] | preempt-abort KEY VICTIM [--type T]
types: wero (default, 5) we (1) ea (3) earo (6) wear (7) eaar (8)
KEY: 0x-prefixed hex or decimal, 1..2^64-1.
note: over iSCSI each run is a new session; on tgt a registration belongs to
one session, so a key registered by an earlier run is orphaned (this run gets
RESERVATION CONFLICT with it; preempt it with a new key).`;

export class PrUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrUsageError';
  }
}

export const TYPE_NAMES: Readonly<Record<string, PrType>> = {
  we: T.WRITE_EXCLUSIVE,
  ea: T.EXCLUSIVE_ACCESS,
  wero: T.WRITE_EXCLUSIVE_REGISTRANTS_ONLY,
  earo: T.EXCLUSIVE_ACCESS_REGISTRANTS_ONLY,
  wear: T.WRITE_EXCLUSIVE_ALL_REGISTRANTS,
  eaar: T.EXCLUSIVE_ACCESS_ALL_REGISTRANTS,
};

export type Transport =
  | {
      readonly kind: 'iscsi';
      readonly host: string;
      readonly port: number;
      readonly target: string;
      readonly lun: number;
      readonly initiator: string;
    }
  | { readonly kind: 'sg'; readonly device: string };

export type Verb =
  | { readonly verb: 'keys' | 'reservation' | 'capabilities' | 'unregister' }
  | { readonly verb: 'register' | 'register-ignore' | 'clear'; readonly key: bigint }
  | { readonly verb: 'reserve' | 'release'; readonly key: bigint; readonly type: PrType }
  | {
      readonly verb: 'preempt' | 'preempt-abort';
      readonly key: bigint;
      readonly victim: bigint;
      readonly type: PrType;
    };

export interface PrInvocation {
  readonly transport: Transport;
  readonly command: Verb;
  readonly json: boolean;
}

const DEFAULT_INITIATOR = 'iqn.2026-11.invalid.tandem:pr-tool';

export function parseKey(text: string | undefined, what: string, allowZero = false): bigint {
  if (text === undefined) throw new PrUsageError(`${what} is missing`);
  if (!/^(0x[0-9a-fA-F]{1,16}|[0-9]{1,20})$/.test(text)) {
    throw new PrUsageError(`${what} must be 0x-prefixed hex or decimal, got ${JSON.stringify(text)}`);
  }
  const key = BigInt(text);
  if (key > 0xffff_ffff_ffff_ffffn) throw new PrUsageError(`${what} does not fit in 64 bits: ${text}`);
  if (key === 0n && !allowZero) throw new PrUsageError(`${what} must not be 0`);
  return key;
}

function parsePortal(text: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:]+\]|[^:\s]+)(?::(\d{1,5}))?$/.exec(text);
  if (m === null) throw new PrUsageError(`--portal must be HOST[:PORT], got ${JSON.stringify(text)}`);
  const port = m[2] === undefined ? 3260 : Number(m[2]);
  if (port < 1 || port > 65535) throw new PrUsageError(`--portal port must be 1..65535, got ${m[2]}`);
  return { host: (m[1] ?? '').replace(/^\[|\]$/g, ''), port };
}

const VALUE_FLAGS = [
  '--transport',
  '--portal',
  '--target',
  '--lun',
  '--initiator',
  '--device',
  '--type',
] as const;

export function parsePrArgs(argv: readonly string[]): PrInvocation {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--json') json = true;
    else if ((VALUE_FLAGS as readonly string[]).includes(a)) {
      const v = argv[++i];
      if (v === undefined) throw new PrUsageError(`${a} needs a value`);
      if (flags.has(a)) throw new PrUsageError(`${a} given twice`);
      flags.set(a, v);
    } else if (a.startsWith('--')) throw new PrUsageError(`unknown option ${a}`);
    else positional.push(a);
  }
  const transport = parseTransport(flags);
  const command = parseVerb(positional, flags.get('--type'));
  return { transport, command, json };
}

function parseTransport(flags: Map<string, string>): Transport {
  const kind = flags.get('--transport');
  if (kind === 'sg') {
    for (const f of ['--portal', '--target', '--lun', '--initiator']) {
      if (flags.has(f)) throw new PrUsageError(`${f} is for --transport iscsi`);
    }
    const device = flags.get('--device');
    if (device === undefined || !/^\/dev\/[A-Za-z0-9_./-]+$/.test(device)) {
      throw new PrUsageError(`--device must be a /dev path such as /dev/sg2, got ${JSON.stringify(device)}`);
    }
    return { kind: 'sg', device };
  }
  if (kind === 'iscsi') {
    if (flags.has('--device')) throw new PrUsageError('--device is for --transport sg');
    const portal = flags.get('--portal');
    if (portal === undefined) throw new PrUsageError('--portal HOST:PORT is required for iscsi');
    const target = flags.get('--target');
    if (target === undefined) throw new PrUsageError('--target IQN is required for iscsi');
    const lunText = flags.get('--lun') ?? '0';
    if (!/^\d{1,5}$/.test(lunText) || Number(lunText) > 16383) {
      throw new PrUsageError(`--lun must be 0..16383, got ${JSON.stringify(lunText)}`);
    }
    return {
      kind: 'iscsi',
      ...parsePortal(portal),
      target,
      lun: Number(lunText),
      initiator: flags.get('--initiator') ?? DEFAULT_INITIATOR,
    };
  }
  throw new PrUsageError(`--transport must be iscsi or sg, got ${JSON.stringify(kind)}`);
}

function parseType(text: string | undefined): PrType {
  if (text === undefined) return T.WRITE_EXCLUSIVE_REGISTRANTS_ONLY;
  const t = TYPE_NAMES[text];
  if (t === undefined)
    throw new PrUsageError(`--type must be one of ${Object.keys(TYPE_NAMES).join(', ')}, got ${text}`);
  return t;
}

function parseVerb(pos: readonly string[], typeText: string | undefined): Verb {
  const [verb, ...rest] = pos;
  const arity = (n: number): void => {
    if (rest.length !== n) throw new PrUsageError(`${verb} takes ${n} argument(s), got ${rest.length}`);
  };
  const noType = (): void => {
    if (typeText !== undefined) throw new PrUsageError(`--type does not apply to ${verb}`);
  };
  switch (verb) {
    case 'keys':
    case 'reservation':
    case 'capabilities':
    case 'unregister':
      arity(0);
      noType();
      return { verb };
    case 'register':
    case 'register-ignore':
    case 'clear':
      arity(1);
      noType();
      return { verb, key: parseKey(rest[0], 'KEY') };
    case 'reserve':
    case 'release':
      arity(1);
      return { verb, key: parseKey(rest[0], 'KEY'), type: parseType(typeText) };
    case 'preempt':
    case 'preempt-abort':
      arity(2);
      return {
        verb,
        key: parseKey(rest[0], 'KEY'),
        victim: parseKey(rest[1], 'VICTIM', true),
        type: parseType(typeText),
      };
    case undefined:
      throw new PrUsageError('no verb given');
    default:
      throw new PrUsageError(`unknown verb ${JSON.stringify(verb)}`);
  }
}
