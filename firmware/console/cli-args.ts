// tandemctl's command line -> one request envelope. Pure (no I/O) so every
// usage error is unit-tested; each error names the argument that is wrong.
import type { CommandName } from '../core/envelope.ts';
import { isSeverity, SEVERITIES } from '../events/types.ts';

export interface ParsedRequest {
  readonly kind: 'request';
  readonly command: CommandName;
  readonly args: Record<string, unknown>;
  readonly json: boolean;
  readonly socket: string | undefined;
  /** config export FILE: where to write the export instead of stdout. */
  readonly exportFile?: string;
  /** config import|validate FILE: read by tandemctl, sent as args.text. */
  readonly readFile?: string;
}

export type Parsed =
  ParsedRequest | { readonly kind: 'help' } | { readonly kind: 'usage'; readonly message: string };

export const USAGE = `usage: tandemctl [--json] [--socket PATH] COMMAND [ARGS]

commands:
  status                      this controller, its peer, paths and groups
  peer                        the peer controller and each heartbeat path
  paths                       heartbeat paths
  groups                      resource groups and who runs them
  switchover GROUP            move GROUP to the other controller
  failback GROUP              move GROUP back to its preferred controller
  takeover [--force]          take over all groups now
  maintenance on|off          disable or enable automatic failover
  cleanup [GROUP]             forget that GROUP (default: every group) failed
                              here; restart it here if it is left failed
  alarms                      active alarms
  alarms ack ID [--by NAME]   acknowledge alarm ID
  log [--since TIME] [--severity SEV] [--source SRC] [--limit N]
                              events, newest first; TIME is ISO 8601,
                              epoch ms, or an age like 30s, 15m, 2h, 7d
  config show                 the configuration in force (secrets redacted)
  config export [FILE]        export with version and hash (stdout if no FILE)
  config import FILE          apply an exported or bare configuration
  config validate FILE        check a configuration without applying it
  pr                          SCSI persistent reservations on the shared LUN

options:
  --json                      print the daemon's reply as JSON (for scripts)
  --socket PATH               control socket (default: $TANDEM_CONTROL_SOCKET or /run/tandem/tandemctl.sock)

exit codes: 0 ok, 1 the daemon refused or failed, 2 usage, 3 daemon unreachable`;

const GROUP = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const SOURCE = /^[A-Za-z0-9_:.*-]{1,64}$/;
const AGE = /^(\d{1,9})(s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** TIME for --since: an age (15m), epoch ms, or an ISO 8601 date; null if none. */
export function parseSince(text: string, nowMs: number): number | null {
  const age = AGE.exec(text);
  if (age) return nowMs - Number(age[1]) * (UNIT_MS[age[2] ?? 's'] ?? 1000);
  if (/^\d{1,16}$/.test(text)) return Number(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) && ms >= 0 ? ms : null;
}

class Usage extends Error {}

export function parseArgs(argv: readonly string[], nowMs: number): Parsed {
  try {
    return parse([...argv], nowMs);
  } catch (err) {
    if (err instanceof Usage) return { kind: 'usage', message: err.message };
    throw err;
  }
}

function parse(argv: string[], nowMs: number): Parsed {
  let json = false;
  let socket: string | undefined;
  const words: string[] = [];
  const flags = new Map<string, string | true>();
  const takesValue = new Set(['--socket', '--since', '--severity', '--source', '--limit', '--by']);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--help' || a === '-h') return { kind: 'help' };
    if (a === '--json') json = true;
    else if (a.startsWith('--')) {
      const [name, inline] = a.includes('=')
        ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]
        : [a, undefined];
      if (takesValue.has(name)) {
        const value = inline ?? argv[++i];
        if (value === undefined || value === '') throw new Usage(`${name}: needs a value`);
        if (name === '--socket') socket = value;
        else flags.set(name, value);
      } else if (name === '--force') flags.set(name, true);
      else throw new Usage(`${name}: unknown option`);
    } else words.push(a);
  }
  const [cmd, ...rest] = words;
  const base = { kind: 'request' as const, json, socket };
  const allowFlags = (...allowed: string[]): void => {
    for (const f of flags.keys())
      if (!allowed.includes(f)) throw new Usage(`${f}: not an option of ${cmd ?? 'this command'}`);
  };
  const noMore = (n: number): void => {
    if (rest.length > n) throw new Usage(`${rest[n] ?? ''}: unexpected argument to ${cmd ?? ''}`);
  };
  if (cmd === undefined) throw new Usage('COMMAND: missing (try --help)');
  switch (cmd) {
    case 'status':
    case 'peer':
    case 'paths':
    case 'groups':
    case 'pr':
      allowFlags();
      noMore(0);
      return { ...base, command: cmd, args: {} };
    case 'switchover':
    case 'failback': {
      allowFlags();
      const group = rest[0];
      if (group === undefined) throw new Usage(`GROUP: ${cmd} needs a group name`);
      if (!GROUP.test(group))
        throw new Usage(`GROUP: ${JSON.stringify(group)} is not a group name (letters, digits, _ . -)`);
      noMore(1);
      return { ...base, command: cmd, args: { group } };
    }
    case 'cleanup': {
      allowFlags();
      const group = rest[0];
      if (group !== undefined && !GROUP.test(group))
        throw new Usage(`GROUP: ${JSON.stringify(group)} is not a group name (letters, digits, _ . -)`);
      noMore(1);
      return { ...base, command: 'cleanup', args: group === undefined ? {} : { group } };
    }
    case 'takeover':
      allowFlags('--force');
      noMore(0);
      return { ...base, command: 'takeover', args: flags.has('--force') ? { force: true } : {} };
    case 'maintenance': {
      allowFlags();
      const mode = rest[0];
      if (mode !== 'on' && mode !== 'off')
        throw new Usage(`on|off: maintenance needs on or off, got ${JSON.stringify(mode ?? '')}`);
      noMore(1);
      return { ...base, command: 'maintenance', args: { on: mode === 'on' } };
    }
    case 'alarms': {
      if (rest.length === 0) {
        allowFlags();
        return { ...base, command: 'alarms', args: {} };
      }
      if (rest[0] !== 'ack') throw new Usage(`${rest[0] ?? ''}: alarms takes no argument but ack ID`);
      allowFlags('--by');
      const id = rest[1];
      if (id === undefined || !/^[1-9]\d{0,15}$/.test(id) || !Number.isSafeInteger(Number(id))) {
        throw new Usage(`ID: alarms ack needs a positive alarm id, got ${JSON.stringify(id ?? '')}`);
      }
      noMore(2);
      const by = flags.get('--by');
      return {
        ...base,
        command: 'alarm-ack',
        args: { id: Number(id), ...(typeof by === 'string' ? { by } : {}) },
      };
    }
    case 'log': {
      allowFlags('--since', '--severity', '--source', '--limit');
      noMore(0);
      const args: Record<string, unknown> = {};
      const since = flags.get('--since');
      if (typeof since === 'string') {
        const ms = parseSince(since, nowMs);
        if (ms === null)
          throw new Usage(
            `--since: ${JSON.stringify(since)} is not a time (ISO 8601, epoch ms, or 30s/15m/2h/7d)`,
          );
        args['since'] = ms;
      }
      const severity = flags.get('--severity');
      if (typeof severity === 'string') {
        if (!isSeverity(severity)) throw new Usage(`--severity: must be one of ${SEVERITIES.join(', ')}`);
        args['severity'] = severity;
      }
      const source = flags.get('--source');
      if (typeof source === 'string') {
        if (!SOURCE.test(source)) throw new Usage(`--source: ${JSON.stringify(source)} is not a source name`);
        args['source'] = source;
      }
      const limit = flags.get('--limit');
      if (typeof limit === 'string') {
        const n = Number(limit);
        if (!/^\d+$/.test(limit) || n < 1 || n > 10_000)
          throw new Usage('--limit: must be an integer from 1 to 10000');
        args['limit'] = n;
      }
      return { ...base, command: 'log', args };
    }
    case 'config': {
      allowFlags();
      const sub = rest[0];
      const file = rest[1];
      switch (sub) {
        case 'show':
          noMore(1);
          return { ...base, command: 'config-show', args: {} };
        case 'export':
          noMore(2);
          return {
            ...base,
            command: 'config-export',
            args: {},
            ...(file !== undefined ? { exportFile: file } : {}),
          };
        case 'import':
        case 'validate':
          if (file === undefined) throw new Usage(`FILE: config ${sub} needs a file`);
          noMore(2);
          return {
            ...base,
            command: sub === 'import' ? 'config-import' : 'config-validate',
            args: {},
            readFile: file,
          };
        case undefined:
        default:
          throw new Usage(
            `show|export|import|validate: config needs one of these, got ${JSON.stringify(sub ?? '')}`,
          );
      }
    }
    default:
      throw new Usage(`COMMAND: unknown command ${JSON.stringify(cmd)} (try --help)`);
  }
}
