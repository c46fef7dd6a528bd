// Initiator configuration, validated field by field so a bad config file
// says exactly which field is wrong.
import { isIP } from 'node:net';
import { IscsiConfigError } from './errors.ts';

export type IscsiAuth =
  | { readonly method: 'none' }
  | { readonly method: 'chap'; readonly username: string; readonly secret: string };

export interface IscsiTimeouts {
  /** TCP connect. */
  readonly connectMs: number;
  /** Whole login exchange. */
  readonly loginMs: number;
  /** Logout Response wait on close. */
  readonly logoutMs: number;
}

export interface IscsiReconnect {
  readonly enabled: boolean;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** Fraction of each delay randomised (0 = none, 0.2 = ±20%) so two controllers do not retry in step. */
  readonly jitter: number;
}

export interface IscsiConfig {
  readonly portal: { readonly host: string; readonly port: number };
  readonly targetIqn: string;
  readonly initiatorName: string;
  readonly lun: number;
  readonly auth: IscsiAuth;
  readonly timeouts: IscsiTimeouts;
  readonly reconnect: IscsiReconnect;
}

/** What callers may leave out. */
export type IscsiConfigInput = Omit<IscsiConfig, 'timeouts' | 'reconnect'> & {
  readonly timeouts?: Partial<IscsiTimeouts>;
  readonly reconnect?: Partial<IscsiReconnect>;
};

export const DEFAULT_TIMEOUTS: IscsiTimeouts = { connectMs: 3000, loginMs: 5000, logoutMs: 2000 };
export const DEFAULT_RECONNECT: IscsiReconnect = {
  enabled: true,
  initialDelayMs: 250,
  maxDelayMs: 10_000,
  jitter: 0.2,
};

// RFC 7143 §4.2.7: iqn.yyyy-mm.reversed.domain[:anything] or eui./naa. forms, at most 223 bytes.
const NAME_PATTERN =
  /^(iqn\.\d{4}-\d{2}\.[a-z0-9][a-z0-9.-]*(:[^\s\0]+)?|eui\.[0-9A-Fa-f]{16}|naa\.[0-9A-Fa-f]{16,32})$/;

function record(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new IscsiConfigError(field, 'must be an object');
  }
  return value as Record<string, unknown>;
}

function integer(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new IscsiConfigError(field, `must be an integer in [${min}, ${max}], got ${JSON.stringify(value)}`);
  }
  return value;
}

function iscsiName(value: unknown, field: string): string {
  if (typeof value !== 'string' || Buffer.byteLength(value) > 223 || !NAME_PATTERN.test(value)) {
    throw new IscsiConfigError(field, `must be an iSCSI name (iqn./eui./naa.), got ${JSON.stringify(value)}`);
  }
  return value;
}

function text(value: unknown, field: string, maxLength: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength || value.includes('\0')) {
    throw new IscsiConfigError(field, `must be a non-empty string of at most ${maxLength} characters`);
  }
  return value;
}

function auth(value: unknown): IscsiAuth {
  const a = record(value, 'auth');
  if (a['method'] === 'none') return { method: 'none' };
  if (a['method'] === 'chap') {
    return {
      method: 'chap',
      username: text(a['username'], 'auth.username', 255),
      secret: text(a['secret'], 'auth.secret', 255),
    };
  }
  throw new IscsiConfigError('auth.method', `must be 'none' or 'chap', got ${JSON.stringify(a['method'])}`);
}

export function validateIscsiConfig(input: unknown): IscsiConfig {
  const c = record(input, 'config');
  const portal = record(c['portal'], 'portal');
  const host = portal['host'];
  if (typeof host !== 'string' || isIP(host) === 0) {
    throw new IscsiConfigError('portal.host', `must be an IPv4 or IPv6 address, got ${JSON.stringify(host)}`);
  }
  const t = c['timeouts'] === undefined ? {} : record(c['timeouts'], 'timeouts');
  const r = c['reconnect'] === undefined ? {} : record(c['reconnect'], 'reconnect');
  const initialDelayMs = integer(
    r['initialDelayMs'] ?? DEFAULT_RECONNECT.initialDelayMs,
    'reconnect.initialDelayMs',
    1,
    3_600_000,
  );
  const maxDelayMs = integer(
    r['maxDelayMs'] ?? DEFAULT_RECONNECT.maxDelayMs,
    'reconnect.maxDelayMs',
    1,
    3_600_000,
  );
  if (maxDelayMs < initialDelayMs)
    throw new IscsiConfigError('reconnect.maxDelayMs', 'must be >= initialDelayMs');
  const jitter = r['jitter'] ?? DEFAULT_RECONNECT.jitter;
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter <= 1)) {
    throw new IscsiConfigError(
      'reconnect.jitter',
      `must be a number in [0, 1], got ${JSON.stringify(jitter)}`,
    );
  }
  const enabled = r['enabled'] ?? DEFAULT_RECONNECT.enabled;
  if (typeof enabled !== 'boolean') throw new IscsiConfigError('reconnect.enabled', 'must be a boolean');
  return {
    portal: { host, port: integer(portal['port'] ?? 3260, 'portal.port', 1, 65535) },
    targetIqn: iscsiName(c['targetIqn'], 'targetIqn'),
    initiatorName: iscsiName(c['initiatorName'], 'initiatorName'),
    lun: integer(c['lun'], 'lun', 0, 16383),
    auth: auth(c['auth'] ?? { method: 'none' }),
    timeouts: {
      connectMs: integer(t['connectMs'] ?? DEFAULT_TIMEOUTS.connectMs, 'timeouts.connectMs', 1, 600_000),
      loginMs: integer(t['loginMs'] ?? DEFAULT_TIMEOUTS.loginMs, 'timeouts.loginMs', 1, 600_000),
      logoutMs: integer(t['logoutMs'] ?? DEFAULT_TIMEOUTS.logoutMs, 'timeouts.logoutMs', 1, 600_000),
    },
    reconnect: { enabled, initialDelayMs, maxDelayMs, jitter },
  };
}
