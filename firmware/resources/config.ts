// The configuration of each resource type, of hooks and of the restart policy.
// The main schema types groups[].resources loosely (type + anything), so each
// agent's fields are checked here, with the same Ajv + TypeBox approach as
// firmware/config: defaults filled in, every error naming its field. Paths are
// held to a plain character set because some end up in command lines that
// pg_ctl hands to /bin/sh (-l LOGFILE), and because "..' has no business there.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject } from 'ajv';
import { isIpv4 } from '../../hal/net/net.ts';
import type { Result } from '../core/result.ts';
import { FSCK_POLICIES } from './agents/filesystem.ts';
import { HOOK_EVENTS, HOOK_FAILURE_POLICIES } from './hooks.ts';

function StringEnum<const T extends readonly string[]>(values: T, options: Record<string, unknown> = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** Absolute, no "." or ".." segments, no shell metacharacters. */
const PATH = '^(/[A-Za-z0-9_@:+-][A-Za-z0-9_.@:+-]*)+$';
const AbsPath = (description: string, def?: string) =>
  Type.String({ pattern: PATH, maxLength: 255, description, ...(def === undefined ? {} : { default: def }) });
const Ms = (min: number, max: number, def: number, description: string) =>
  Type.Integer({ minimum: min, maximum: max, default: def, description });
/** A command: absolute executable, then plain arguments (no shell ever sees them). */
const Command = (description: string) =>
  Type.Array(Type.String({ maxLength: 4096 }), { minItems: 1, maxItems: 64, description });

const Timeouts = Type.Object(
  {
    validate: Type.Optional(Type.Integer({ minimum: 100, maximum: 3_600_000 })),
    start: Type.Optional(Type.Integer({ minimum: 100, maximum: 3_600_000 })),
    stop: Type.Optional(Type.Integer({ minimum: 100, maximum: 3_600_000 })),
    monitor: Type.Optional(Type.Integer({ minimum: 100, maximum: 3_600_000 })),
  },
  { additionalProperties: false, default: {}, description: 'Per-action timeouts in ms' },
);

const common = <const T extends string>(type: T, monitorMs: number) => ({
  type: Type.Literal(type),
  name: Type.String({
    pattern: '^[a-z0-9][a-z0-9_-]{0,31}$',
    default: type,
    description: 'Unique in the group',
  }),
  monitorIntervalMs: Ms(500, 3_600_000, monitorMs, 'Time between monitor checks'),
  timeouts: Timeouts,
});

export const ReservationSchema = Type.Object(
  {
    ...common('reservation', 5000),
    luns: Type.Array(Type.Integer({ minimum: 0, maximum: 16383 }), {
      minItems: 1,
      maxItems: 16,
      uniqueItems: true,
      description: 'LUNs reserved for the group (SCSI-3 PR)',
    }),
  },
  { additionalProperties: false },
);

export const FilesystemSchema = Type.Object(
  {
    ...common('filesystem', 10_000),
    device: AbsPath('Block device, e.g. /dev/disk/by-uuid/...'),
    mountpoint: AbsPath('Where to mount it'),
    fstype: StringEnum(['ext4'] as const, { default: 'ext4' }),
    options: Type.Array(Type.String({ pattern: '^[A-Za-z0-9_=.:/+-]+$', maxLength: 128 }), {
      default: [],
      maxItems: 32,
      description: 'mount -o options, one per item',
    }),
    fsck: StringEnum(FSCK_POLICIES, {
      default: 'when-unclean',
      description: 'When to run e2fsck -p before mounting',
    }),
  },
  { additionalProperties: false },
);

export const VipSchema = Type.Object(
  {
    ...common('vip', 5000),
    address: Type.String({ format: 'ipv4', maxLength: 15, description: 'The virtual IPv4 address' }),
    prefix: Type.Integer({ minimum: 1, maximum: 32, default: 24, description: 'Its prefix length' }),
    interface: Type.String({
      pattern: '^[A-Za-z0-9_][A-Za-z0-9_.:@-]{0,14}$',
      description: 'Data-port interface',
    }),
    garp: Type.Object(
      {
        count: Type.Integer({ minimum: 1, maximum: 100, default: 5 }),
        intervalMs: Ms(0, 60_000, 200, 'Gap between announcements'),
        refreshDelayMs: Ms(0, 600_000, 5000, 'Second burst after this; 0 = none'),
        refreshCount: Type.Integer({ minimum: 0, maximum: 100, default: 5 }),
      },
      { additionalProperties: false, default: {}, description: 'Gratuitous ARP bursts (IPaddr2/keepalived)' },
    ),
    probeTimeoutMs: Ms(100, 60_000, 1000, 'How long to listen for a current holder of the address'),
  },
  { additionalProperties: false },
);

export const PostgresSchema = Type.Object(
  {
    ...common('postgresql', 10_000),
    dataDir: AbsPath('PGDATA on the shared volume'),
    user: Type.String({ pattern: '^[a-z_][a-z0-9_-]{0,31}$', default: 'postgres' }),
    binDir: AbsPath('PostgreSQL binaries', '/usr/lib/postgresql/15/bin'),
    socketDir: AbsPath('unix_socket_directories of the server', '/run/postgresql'),
    port: Type.Integer({ minimum: 1, maximum: 65535, default: 5432 }),
    logFile: Type.Optional(AbsPath('pg_ctl server log; default <dataDir>/tandem-server.log')),
    fastStopTimeoutMs: Ms(1000, 600_000, 20_000, 'Fast shutdown budget before an immediate one'),
    queryTimeoutMs: Ms(500, 60_000, 5000, 'Monitor query timeout'),
  },
  { additionalProperties: false },
);

export const ServiceSchema = Type.Object(
  {
    ...common('service', 10_000),
    start: Command('Start command'),
    stop: Command('Stop command'),
    status: Command('Status command: exit 0 running, 3 stopped (LSB)'),
  },
  { additionalProperties: false },
);

/** A state file under the controller's state dir (agents/dummy.ts): for tests and the sim. */
export const DummySchema = Type.Object({ ...common('dummy', 2000) }, { additionalProperties: false });

export const HookSchema = Type.Object(
  {
    event: StringEnum(HOOK_EVENTS),
    command: Command('Executable (absolute path) and arguments'),
    timeoutMs: Ms(100, 3_600_000, 30_000, 'Killed (SIGTERM, then SIGKILL) after this'),
    onFailure: StringEnum(HOOK_FAILURE_POLICIES, {
      default: 'warn',
      description: 'Non-zero exit or timeout: abort the operation, warn, or ignore',
    }),
  },
  { additionalProperties: false },
);

export const RestartPolicySchema = Type.Object(
  {
    maxRestarts: Type.Integer({ minimum: 0, maximum: 100, default: 3 }),
    windowMs: Ms(1000, 86_400_000, 600_000, 'Window in which restarts are counted'),
  },
  { additionalProperties: false },
);

export type ReservationSettings = Static<typeof ReservationSchema>;
export type FilesystemSettings = Static<typeof FilesystemSchema>;
export type VipSettings = Static<typeof VipSchema>;
export type PostgresSettings = Static<typeof PostgresSchema>;
export type ServiceSettings = Static<typeof ServiceSchema>;
export type DummySettings = Static<typeof DummySchema>;
export type HookSettings = Static<typeof HookSchema>;
export type RestartPolicySettings = Static<typeof RestartPolicySchema>;

export type ResourceSettings =
  ReservationSettings | FilesystemSettings | VipSettings | PostgresSettings | ServiceSettings | DummySettings;

export interface Issue {
  readonly path: string;
  readonly message: string;
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true });
ajv.addFormat('ipv4', isIpv4);

const compile = <T extends TSchema>(schema: T) => ajv.compile<Static<T>>(schema);
const checkers = {
  reservation: compile(ReservationSchema),
  filesystem: compile(FilesystemSchema),
  vip: compile(VipSchema),
  postgresql: compile(PostgresSchema),
  service: compile(ServiceSchema),
  dummy: compile(DummySchema),
} as const;
const checkHook = compile(HookSchema);
const checkRestart = compile(RestartPolicySchema);

export const RESOURCE_TYPES = Object.keys(checkers) as (keyof typeof checkers)[];

function issues(base: string, errors: readonly ErrorObject[] | null | undefined): Issue[] {
  return (errors ?? []).map((e) => {
    const extra =
      e.keyword === 'additionalProperties'
        ? `/${String((e.params as { additionalProperty: string }).additionalProperty)}`
        : e.keyword === 'required'
          ? `/${String((e.params as { missingProperty: string }).missingProperty)}`
          : '';
    const message =
      e.keyword === 'additionalProperties'
        ? 'is not a known setting (misspelt?)'
        : e.keyword === 'required'
          ? 'is required'
          : e.keyword === 'enum'
            ? `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`
            : (e.message ?? `fails ${e.keyword}`);
    return { path: `${base}${e.instancePath}${extra}`, message };
  });
}

function commandIssues(base: string, cmd: readonly string[]): Issue[] {
  return cmd[0] !== undefined && new RegExp(PATH).test(cmd[0])
    ? []
    : [{ path: `${base}/0`, message: 'must be an absolute path to an executable' }];
}

/** Checks one resource entry (a copy is validated; defaults are filled in). */
export function parseResource(raw: unknown, base = ''): Result<ResourceSettings, Issue[]> {
  const type = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
  if (typeof type !== 'string' || !Object.hasOwn(checkers, type)) {
    return {
      ok: false,
      error: [
        {
          path: `${base}/type`,
          message: `must be one of ${RESOURCE_TYPES.map((t) => JSON.stringify(t)).join(', ')}`,
        },
      ],
    };
  }
  const check = checkers[type as keyof typeof checkers];
  const doc: unknown = structuredClone(raw);
  if (!check(doc)) return { ok: false, error: issues(base, check.errors) };
  const value: ResourceSettings = doc;
  if (value.type === 'service') {
    const errors = (['start', 'stop', 'status'] as const).flatMap((k) =>
      commandIssues(`${base}/${k}`, value[k]),
    );
    if (errors.length > 0) return { ok: false, error: errors };
  }
  return { ok: true, value };
}

export function parseHooks(raw: unknown, base = '/hooks'): Result<HookSettings[], Issue[]> {
  if (raw === undefined) return { ok: true, value: [] };
  if (!Array.isArray(raw)) return { ok: false, error: [{ path: base, message: 'must be an array' }] };
  const out: HookSettings[] = [];
  const errors: Issue[] = [];
  raw.forEach((h: unknown, i) => {
    const doc: unknown = structuredClone(h);
    if (!checkHook(doc)) {
      errors.push(...issues(`${base}/${i}`, checkHook.errors));
    } else {
      errors.push(...commandIssues(`${base}/${i}/command`, doc.command));
      out.push(doc);
    }
  });
  return errors.length > 0 ? { ok: false, error: errors } : { ok: true, value: out };
}

export function parseRestartPolicy(raw: unknown, base = '/restart'): Result<RestartPolicySettings, Issue[]> {
  const doc: unknown = structuredClone(raw ?? {});
  return checkRestart(doc)
    ? { ok: true, value: doc }
    : { ok: false, error: issues(base, checkRestart.errors) };
}
