// One request/response envelope for every command channel (MQTT request/
// response topics and tandemctl's UNIX socket), after zigbee2mqtt's bridge
// requests: {status, data, error, transaction}.

export const COMMANDS = [
  'status',
  'peer',
  'paths',
  'groups',
  'switchover',
  'failback',
  'maintenance',
  'takeover',
  'cleanup',
  'alarms',
  'alarm-ack',
  'mute',
  'locate',
  'panel-fault',
  'log',
  'config-show',
  'config-export',
  'config-import',
  'config-validate',
  'config-set-identity',
  'upgrade-commit',
  'upgrade',
  'upgrade-status',
  'upgrade-abort',
  'upgrade-resume',
  'upgrade-rollback',
  'upgrade-peer',
  'pr',
  'takeovers',
  'drill',
  'drill-status',
  'drill-peer',
  'login',
  'password-change',
  'users',
  'user-add',
  'user-remove',
  'user-role',
  'user-reset',
  'initial-password',
] as const;
export type CommandName = (typeof COMMANDS)[number];

export interface CommandRequest {
  readonly command: CommandName;
  readonly args: Readonly<Record<string, unknown>>;
  /** Echoed back so a client can match responses to requests. */
  readonly transaction: string;
}

export type CommandResponse =
  | { readonly status: 'ok'; readonly data: unknown; readonly error: null; readonly transaction: string }
  | { readonly status: 'error'; readonly data: null; readonly error: string; readonly transaction: string };

/** What the daemon offers to every command channel. */
export interface CommandHandler {
  handle(request: CommandRequest): Promise<CommandResponse>;
}

export function isCommandName(value: unknown): value is CommandName {
  return typeof value === 'string' && (COMMANDS as readonly string[]).includes(value);
}
