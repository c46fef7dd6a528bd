// The settings of each resource type, of hooks and of the restart policy: one
// TypeBox schema per agent. They live here, below firmware/resources, because
// both sides need them: the config validator refuses a bad VIP or mount before
// it is applied (resource-check.ts), and the agents read the typed settings.
// Paths are held to a plain character set because some end up in command
// lines that pg_ctl hands to /bin/sh (-l LOGFILE), and because ".." has no
// business there.
import { Type, type Static } from '@sinclair/typebox';
import { PATH } from './patterns.ts';
import { MAX_LUN } from './wire-bounds.ts';

/** When the filesystem agent runs e2fsck -p before mounting. */
export const FSCK_POLICIES = ['never', 'always', 'when-unclean'] as const;
/** The moments a group hook runs (resources/hooks.ts runs them). */
export const HOOK_EVENTS = ['pre-failover', 'post-failover', 'pre-failback', 'post-failback'] as const;
/** What a failing hook does to the operation: stop it, log it loudly, or log it quietly. */
export const HOOK_FAILURE_POLICIES = ['abort', 'warn', 'ignore'] as const;

function StringEnum<const T extends readonly string[]>(values: T, options: Record<string, unknown> = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

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
    luns: Type.Array(Type.Integer({ minimum: 0, maximum: MAX_LUN }), {
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
    // false suits a database listening on '*': the ARP probe then delays nothing (docs/config.md).
    ordered: Type.Boolean({
      default: true,
      description: 'false: the next resources start alongside it, so they must not need the address',
    }),
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
