// The one definition of the configuration file. The TypeScript type, the
// JSON Schema (exported and documented in docs/config.md) and the runtime
// validator all come from this, so they cannot drift apart.
//
// Every field has a default, so the box runs with no file at all. Rules that
// span fields (warntime < deadtime, ...) live in rules.ts.
import { Type, type Static } from '@sinclair/typebox';
import { CONTROLLER_IDS } from '../cluster/codes.ts';
import { MAX_GROUPS, MAX_NAME_BYTES } from '../cluster/message.ts';
import { FACTORY_CLUSTER_KEY } from './factory-key.ts';
import { BOX_ID, WEB_USER_NAME } from './patterns.ts';
import { HookSchema, RestartPolicySchema } from './resource-schemas.ts';
import { MAX_CONFIG_VERSION, MAX_LUN, MAX_WITNESS_LBA, MAX_WITNESS_SECTORS } from './wire-bounds.ts';

/** A string enum as JSON Schema `enum` (clearer Ajv errors than anyOf). */
function StringEnum<const T extends readonly string[]>(values: T, options: Record<string, unknown> = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

const ControllerId = (options: Record<string, unknown> = {}) =>
  StringEnum(CONTROLLER_IDS, { description: 'Controller slot', ...options });

function Section<T extends Parameters<typeof Type.Object>[0]>(
  properties: T,
  description: string,
  options: Record<string, unknown> = {},
) {
  return Type.Object(properties, { additionalProperties: false, default: {}, description, ...options });
}

/**
 * Whether a setting takes effect only when the daemon restarts (restart.ts).
 * Declared on every top-level setting; the fields inside inherit it. Live
 * means a running part really re-reads it when the config changes.
 */
const RESTART = { requiresRestart: true } as const;
const LIVE = { requiresRestart: false } as const;

const Port = (def: number, description: string) =>
  Type.Integer({ minimum: 1, maximum: 65535, default: def, description });

/** An IPv4 or IPv6 literal; rules.ts checks the syntax precisely. */
const Address = (description: string) =>
  Type.Optional(Type.String({ minLength: 2, maxLength: 45, description }));

const Heartbeat = Section(
  {
    intervalMs: Type.Integer({
      minimum: 50,
      maximum: 60_000,
      default: 50,
      description: 'Time between heartbeats',
    }),
    warntimeMs: Type.Integer({
      minimum: 100,
      maximum: 600_000,
      default: 300,
      description: 'Silence after which a late-heartbeat warning is logged',
    }),
    deadtimeMs: Type.Integer({
      minimum: 200,
      maximum: 600_000,
      default: 500,
      description: 'Silence after which the peer is declared dead',
    }),
    initdeadMs: Type.Integer({
      minimum: 200,
      maximum: 1_200_000,
      default: 30_000,
      description: 'Deadtime used right after boot, while the peer may still be starting',
    }),
  },
  'Heartbeat timing (shared by all heartbeat paths)',
);

const Cluster = Section(
  {
    heartbeat: Heartbeat,
    key: Type.String({
      pattern: '^[0-9a-fA-F]{64}$',
      default: FACTORY_CLUSTER_KEY,
      description:
        'HMAC key for heartbeats, 32 bytes as 64 hex digits; secret; must match on both controllers',
    }),
    realtime: Type.Boolean({
      default: true,
      description:
        "Run the heartbeat at real-time priority (SCHED_RR 10): load cannot starve it; off where the daemon's own work would then hold the database off too long (an emulated CPU)",
    }),
    serial: Section(
      {
        enabled: Type.Boolean({ default: true, description: 'Use the RS-232 heartbeat path' }),
        tty: Type.Optional(
          Type.String({
            pattern: '^/dev/[A-Za-z0-9_./-]+$',
            description: 'Serial device; unset means the HAL default (TANDEM_SERIAL_TTY or /dev/ttyS1)',
          }),
        ),
        baudRate: Type.Integer({
          minimum: 1200,
          maximum: 921_600,
          default: 115_200,
          description: 'Line speed',
        }),
      },
      'RS-232 heartbeat path',
    ),
    network: Section(
      {
        enabled: Type.Boolean({ default: true, description: 'Use the private-link heartbeat path' }),
        localAddress: Address('This controller’s address on the private link; unset: path idle'),
        peerAddress: Address('The peer’s address on the private link; unset: path idle'),
        port: Port(7788, 'UDP port of the heartbeat'),
      },
      'Heartbeat over the private (crossover) link',
    ),
    lan: Section(
      {
        enabled: Type.Boolean({
          default: false,
          description: 'Also heartbeat over the public LAN (last-resort path)',
        }),
        localAddress: Address('This controller’s LAN address'),
        peerAddress: Address('The peer’s LAN address'),
        port: Port(7789, 'UDP port of the LAN heartbeat'),
      },
      'Heartbeat over the public LAN',
    ),
    disk: Section(
      {
        transport: StringEnum(['iscsi', 'sg'] as const, {
          default: 'sg',
          description: 'How the shared enclosure is reached: SG_IO on a local device, or iSCSI (lab)',
        }),
        portal: Section(
          {
            host: Type.String({ maxLength: 253, default: '', description: 'iSCSI portal host (iscsi only)' }),
            port: Port(3260, 'iSCSI portal TCP port'),
          },
          'iSCSI portal',
        ),
        targetIqn: Type.String({
          maxLength: 223,
          default: '',
          description: 'iSCSI target name (iscsi only)',
        }),
        initiatorName: Type.String({
          maxLength: 223,
          default: '',
          description: 'Our iSCSI initiator name (iscsi only)',
        }),
        lun: Type.Integer({
          minimum: 0,
          maximum: MAX_LUN,
          default: 0,
          description: 'LUN of the witness volume',
        }),
        sgDevice: Type.Optional(
          Type.String({
            // Under /dev and staying there: no '..' segment.
            pattern: '^/dev/(?!(?:.*/)?\\.\\.(?:/|$))[A-Za-z0-9_./-]+$',
            maxLength: 255,
            description:
              'SCSI generic device (sg only); unset means the HAL default (TANDEM_SCSI_GENERIC or /dev/sg0)',
          }),
        ),
        witnessLba: Type.Integer({
          minimum: 0,
          maximum: MAX_WITNESS_LBA,
          default: 2048,
          description: 'First block of the witness area',
        }),
        witnessSectors: Type.Integer({
          minimum: 8,
          maximum: MAX_WITNESS_SECTORS,
          default: 10_240,
          description: 'Size of the witness area in 512-byte sectors (default 5 MB)',
        }),
      },
      'Shared-disk witness and SCSI-3 persistent-reservation fencing',
    ),
  },
  'Cluster membership: heartbeats, key, shared disk',
  RESTART,
);

const Failover = Section(
  {
    policy: StringEnum(['active-standby', 'active-active'] as const, {
      default: 'active-standby',
      description:
        'active-standby: all groups on one controller; active-active: each group on its preferred controller',
    }),
    autoFailback: Section(
      {
        enabled: Type.Boolean({
          default: false,
          description: 'Move groups back to their preferred controller',
        }),
        delayMs: Type.Integer({
          minimum: 0,
          maximum: 86_400_000,
          default: 600_000,
          description: 'How long the preferred controller must be healthy before failback',
        }),
      },
      'Automatic failback',
    ),
    fenceDelayMs: Type.Integer({
      minimum: 0,
      maximum: 60_000,
      default: 5000,
      description: 'Extra wait before the non-preferred controller fences, so both never fence each other',
    }),
    failureTimeoutMs: Type.Integer({
      minimum: 0,
      maximum: 604_800_000,
      default: 600_000,
      description: 'How long a group that failed on a controller is kept off it (0: until tandemctl cleanup)',
    }),
    watchdog: Section(
      {
        enabled: Type.Boolean({ default: true, description: 'Pet the hardware watchdog while healthy' }),
        timeoutS: Type.Integer({
          minimum: 1,
          maximum: 600,
          default: 5,
          description: 'Hardware watchdog timeout',
        }),
        // The board's figure, not a tuning knob: docs/failover.md, Lease timing.
        marginMs: Type.Integer({
          minimum: 50,
          maximum: 10_000,
          default: 500,
          description:
            'How long after the timeout the board has surely stopped (the reset itself, the timer granularity); the takeover wait adds it',
        }),
      },
      'Hardware watchdog',
    ),
  },
  'Failover policy (the preferred controller is set per group, in groups[].preferred)',
  RESTART,
);

// Ajv sees only the shape every resource shares; validate.ts then checks each
// entry against its agent's own schema (resource-schemas.ts, the one the
// resource factory uses), so a bad VIP or mount is refused before it is
// applied. The type stays this loose one so code-built configs (the sim)
// need not spell out every agent default; the factory parses them again.
const Resource = Type.Object(
  {
    type: Type.String({
      minLength: 1,
      maxLength: 64,
      description: 'Resource agent: reservation, filesystem, vip, postgresql, service, dummy',
    }),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: true, description: 'A resource; its fields depend on its type (tables below)' },
);

const Group = Type.Object(
  {
    // Every heartbeat names the groups its sender runs (and those that failed
    // there): a name or a count the wire format cannot carry would stop the
    // heartbeat, so the schema refuses it up front.
    name: Type.String({
      pattern: `^[a-z0-9][a-z0-9_-]{0,${MAX_NAME_BYTES - 1}}$`,
      description: `Group name (slug, at most ${MAX_NAME_BYTES} characters: it travels in every heartbeat)`,
    }),
    preferred: ControllerId({
      default: 'A',
      description: 'Controller the group runs on when both are healthy',
    }),
    resources: Type.Array(Resource, {
      default: [],
      maxItems: 64,
      description: 'Started in order, stopped in reverse',
    }),
    hooks: Type.Optional(
      Type.Array(HookSchema, {
        maxItems: 16,
        description: 'Pre/post failover and failback scripts (argument arrays, no shell)',
      }),
    ),
    restart: Type.Optional(RestartPolicySchema),
  },
  { additionalProperties: false },
);

const Mqtt = Section(
  {
    enabled: Type.Boolean({ default: false, description: 'Publish state and events to a NOC broker' }),
    url: Type.String({
      pattern: '^(mqtts?|wss?)://[^\\s]+$',
      default: 'mqtt://localhost:1883',
      description: 'Broker URL (mqtt://, mqtts://, ws://, wss://)',
    }),
    username: Type.Optional(Type.String({ maxLength: 256, description: 'Broker user' })),
    password: Type.Optional(Type.String({ maxLength: 256, description: 'Broker password; secret' })),
    tls: Section(
      {
        ca: Type.Optional(Type.String({ description: 'CA certificate (PEM) to trust' })),
        cert: Type.Optional(Type.String({ description: 'Client certificate (PEM)' })),
        key: Type.Optional(Type.String({ description: 'Client private key (PEM); secret' })),
      },
      'TLS material for mqtts:// and wss://',
    ),
    topicPrefix: Type.String({
      pattern: '^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$',
      default: 'tandem',
      description: 'First topic level(s); never contains + or #',
    }),
    homeAssistant: Section(
      {
        enabled: Type.Boolean({
          default: false,
          description: 'Publish Home Assistant MQTT discovery documents for the box',
        }),
        prefix: Type.String({
          pattern: '^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$',
          default: 'homeassistant',
          description: 'Home Assistant discovery prefix; never contains + or #',
        }),
      },
      'Home Assistant MQTT discovery',
    ),
    commandToken: Type.Optional(
      Type.String({
        // LIMITS.commandTokenMinChars (core/limits.ts); a unit test keeps the two equal.
        minLength: 32,
        maxLength: 256,
        description: 'Required in MQTT commands, at least 32 characters; unset: commands refused; secret',
      }),
    ),
    local: Section(
      {
        enabled: Type.Boolean({
          default: false,
          description:
            'Also publish to the broker on this controller, which the front and web panels read (works with the NOC out of reach)',
        }),
        url: Type.String({
          pattern: '^mqtt://(127\\.0\\.0\\.1|localhost|\\[::1\\])(:\\d{1,5})?/?$',
          default: 'mqtt://127.0.0.1:1883',
          description: 'The local broker: loopback only (mqtt://127.0.0.1:PORT)',
        }),
        username: Type.Optional(
          Type.String({ maxLength: 256, description: 'Local broker user the daemon publishes as' }),
        ),
        password: Type.Optional(
          Type.String({
            maxLength: 256,
            description: 'Local broker password, made per box at first boot; secret',
          }),
        ),
      },
      "The controller's own broker: state for the panels; requests are not taken there (the panels use the control socket)",
    ),
  },
  'NOC telemetry over MQTT',
  RESTART,
);

/** A path under /dev that stays there (no '..' segment). */
const DevPath = (def: string, description: string) =>
  Type.String({
    pattern: '^/dev/(?!(?:.*/)?\\.\\.(?:/|$))[A-Za-z0-9_./-]+$',
    maxLength: 255,
    default: def,
    description,
  });

/** A bit of the PCF8574's 8-bit port. */
const PortBit = (def: number, description: string) =>
  Type.Integer({ minimum: 0, maximum: 7, default: def, description });

/** A line offset on the GPIO chip (rules.ts: all distinct). */
const Line = (def: number, description: string) =>
  Type.Integer({ minimum: 0, maximum: 511, default: def, description });

// The reference board (docs/panel.md, Hardware): a 20x4 LCD on a PCF8574 at
// 0x27 on /dev/i2c-1, and the buttons, buzzer and LEDs on /dev/gpiochip0 at
// the offsets below. Read by the panel process when it starts.
const Panel = Section(
  {
    enabled: Type.Boolean({
      default: true,
      description: 'Run the front panel (LCD, buttons, buzzer, LEDs); false on a board without one',
    }),
    lcd: Section(
      {
        bus: DevPath('/dev/i2c-1', 'I2C adapter the LCD backpack is on'),
        address: Type.Integer({
          minimum: 0x03,
          maximum: 0x77,
          default: 0x27,
          description: '7-bit I2C address of the PCF8574 (0x27 = 39; a PCF8574A backpack: 0x3F = 63)',
        }),
        columns: Type.Unsafe<20 | 16>({
          type: 'integer',
          enum: [20, 16],
          minimum: 16,
          maximum: 20,
          default: 20,
          description: 'Characters per row: 20 (20x4) or 16 (16x2)',
        }),
        rows: Type.Unsafe<4 | 2>({
          type: 'integer',
          enum: [4, 2],
          minimum: 2,
          maximum: 4,
          default: 4,
          description: 'Rows: 4 with 20 columns, 2 with 16',
        }),
        pins: Section(
          {
            rs: PortBit(0, 'PCF8574 bit wired to RS'),
            rw: PortBit(1, 'PCF8574 bit wired to RW (kept low)'),
            e: PortBit(2, 'PCF8574 bit wired to E'),
            backlight: PortBit(3, 'PCF8574 bit switching the backlight'),
            d4: PortBit(4, 'PCF8574 bit wired to D4'),
            d5: PortBit(5, 'PCF8574 bit wired to D5'),
            d6: PortBit(6, 'PCF8574 bit wired to D6'),
            d7: PortBit(7, 'PCF8574 bit wired to D7'),
          },
          'Backpack wiring, one distinct bit each (the common backpack: P0 RS, P1 RW, P2 E, P3 backlight, P4-P7 D4-D7)',
        ),
        backlightActiveLow: Type.Boolean({
          default: false,
          description: 'The backlight bit switches a PNP transistor: low is on',
        }),
      },
      'The character LCD: HD44780 behind a PCF8574 I2C backpack',
    ),
    gpio: Section(
      {
        chip: DevPath('/dev/gpiochip0', 'GPIO character device of the buttons, buzzer and LEDs'),
        buttons: Section(
          {
            up: Line(17, 'Line of the Up button'),
            down: Line(27, 'Line of the Down button'),
            enter: Line(22, 'Line of the Enter button'),
            mute: Line(23, 'Line of the Mute button'),
            activeLow: Type.Boolean({
              default: true,
              description: 'A pressed button pulls its line low (external pull-ups, switch to ground)',
            }),
            debounceMs: Type.Integer({
              minimum: 0,
              maximum: 100,
              default: 20,
              description: 'Kernel debounce of each button line (GPIO v2 debounce attribute); 0: none',
            }),
          },
          'Front-panel buttons, inputs with edge detection',
        ),
        buzzer: Line(18, 'Line of the self-oscillating piezo buzzer (high sounds)'),
        leds: Section(
          {
            statusGreen: Line(5, 'Status LED, green element (high lights)'),
            statusAmber: Line(6, 'Status LED, amber element (high lights)'),
            fault: Line(13, 'Fault LED, amber (high lights)'),
            identify: Line(19, 'Identify LED, blue (high lights)'),
          },
          'This controller’s LEDs',
        ),
      },
      'Buttons, buzzer and LEDs on one GPIO chip; every line distinct',
    ),
  },
  'Front panel of this controller (docs/panel.md), read by the panel process when it starts',
  RESTART,
);

/** The roles of commands/define.ts (ROLES), spelt here so config imports nothing above it; a unit test keeps them equal. */
export const WEB_ROLES = ['viewer', 'operator', 'admin'] as const;

const WebUser = Type.Object(
  {
    name: Type.String({
      pattern: WEB_USER_NAME,
      description: 'Login name (a-z first, then a-z 0-9 . _ -; at most 32)',
    }),
    role: StringEnum(WEB_ROLES, {
      description: 'viewer: read; operator: also act (switchover, acknowledge); admin: also users and config',
    }),
    hash: Type.String({
      pattern:
        '^scrypt\\$[0-9]{1,7}\\$[0-9]{1,3}\\$[0-9]{1,3}\\$[A-Za-z0-9+/=]{1,64}\\$[A-Za-z0-9+/=]{1,128}$',
      maxLength: 256,
      description: 'The password as an scrypt record (scrypt$N$r$p$salt$hash, base64); secret',
    }),
    mustChange: Type.Boolean({
      default: false,
      description: 'The user must choose a new password at the next login',
    }),
  },
  { additionalProperties: false },
);

// The ports and the switch are read when the daemon starts; the users, the
// idle time and the secret are read on every request, so a user added (or
// the secret made at first start) applies at once.
const Web = Section(
  {
    enabled: Type.Boolean({
      default: false,
      description: 'Serve the web panel (the daemon opens web.sock for it)',
    }),
    port: Port(443, 'HTTPS port of the web panel'),
    httpPort: Port(80, 'Plain HTTP port; it only redirects to HTTPS'),
    idleMinutes: Type.Integer({
      minimum: 1,
      maximum: 240,
      default: 15,
      description: 'A session idle this long is logged out',
      ...LIVE,
    }),
    metricsToken: Type.Optional(
      Type.String({
        minLength: 32,
        maxLength: 256,
        description:
          'Bearer token GET /metrics requires, at least 32 characters; unset: /metrics refused; secret',
      }),
    ),
    secret: Type.Optional(
      Type.String({
        pattern: '^[0-9a-f]{64}$',
        description:
          'Per-box secret, 32 bytes as 64 hex digits, made at first start when missing (the initial admin password derives from it); secret',
        ...LIVE,
      }),
    ),
    users: Type.Array(WebUser, {
      default: [],
      maxItems: 64,
      description: 'Web panel users (at most 64); empty: only admin with the initial password',
      ...LIVE,
    }),
  },
  'Web panel of this box (HTTPS); it reaches the daemon through web.sock',
  RESTART,
);

export const ConfigSchema = Type.Object(
  {
    configVersion: Type.Integer({
      minimum: 0,
      maximum: MAX_CONFIG_VERSION,
      default: 0,
      description: 'Raised by one on every accepted change',
      ...LIVE,
    }),
    schema: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 1000,
        description:
          'The config schema this document is written in, the one the pair has committed (tandemctl upgrade commit); absent: 1',
        ...LIVE,
      }),
    ),
    box: Section(
      {
        id: Type.String({
          pattern: BOX_ID,
          default: 'tandem',
          description: 'Box name (slug)',
        }),
        controllerIds: Type.Array(ControllerId(), {
          minItems: 2,
          maxItems: 2,
          default: ['A', 'B'],
          description: 'The two controller slots',
        }),
      },
      'The box',
      RESTART,
    ),
    controller: Section(
      {
        id: Type.Optional(
          ControllerId({ description: 'This controller; TANDEM_CONTROLLER_ID overrides it' }),
        ),
      },
      'This controller (normally from the environment, as the file is replicated to both)',
      RESTART,
    ),
    cluster: Cluster,
    failover: Failover,
    groups: Type.Array(Group, {
      default: [],
      maxItems: MAX_GROUPS,
      description: `Resource groups (at most ${MAX_GROUPS}, as a heartbeat carries)`,
      ...RESTART,
    }),
    mqtt: Mqtt,
    panel: Panel,
    web: Web,
    eventlog: Section(
      {
        maxAgeDays: Type.Integer({
          minimum: 1,
          maximum: 3650,
          default: 90,
          description: 'Delete events older than this',
        }),
        maxRows: Type.Integer({
          minimum: 1000,
          maximum: 10_000_000,
          default: 200_000,
          description: 'Keep at most this many events',
        }),
        maxBytes: Type.Integer({
          minimum: 1_048_576,
          maximum: 4_294_967_296,
          default: 67_108_864,
          description: 'Keep at most about this many bytes of event text (oldest go first)',
        }),
      },
      'Event log retention',
      LIVE,
    ),
  },
  { additionalProperties: false, description: 'Tandem configuration' },
);

export type TandemConfig = Static<typeof ConfigSchema>;

/**
 * Paths of fields whose values are secrets (for redaction in exports). N
 * stands for every index of an array (secret-paths.ts expands it).
 */
export const SECRET_PATHS = [
  '/cluster/key',
  '/mqtt/password',
  '/mqtt/tls/key',
  '/mqtt/local/password',
  '/mqtt/commandToken',
  '/web/metricsToken',
  '/web/secret',
  '/web/users/N/hash',
] as const;
