// Turns heartbeat runtime happenings into event-log entries with stable codes
// (what operators, tests and the bench search for).
import type { MembershipEvent } from '../cluster/membership.ts';
import type { EventInput, JsonValue } from '../events/types.ts';
import type { RuntimeEvents } from '../heartbeat/runtime.ts';

export function membershipEvent(e: MembershipEvent): EventInput {
  const base = { atMs: Math.round(e.atMs), reason: e.reason };
  switch (e.type) {
    case 'path-up':
    case 'path-late':
    case 'path-down': {
      const severity = e.type === 'path-up' ? 'notice' : e.type === 'path-late' ? 'warning' : 'error';
      const lastHeardMs = e.lastHeardMs === undefined ? null : Math.round(e.lastHeardMs);
      return {
        severity,
        source: 'cluster',
        code: e.type.toUpperCase().replace('-', '_'),
        message: `heartbeat path ${e.path} ${e.type.slice(5)}: ${e.reason}`,
        data: { ...base, path: e.path, lastHeardMs },
      };
    }
    case 'peer-alive':
    case 'peer-suspect':
    case 'peer-dead': {
      const severity =
        e.type === 'peer-alive' ? 'notice' : e.type === 'peer-suspect' ? 'warning' : 'critical';
      const lastHeardMs = e.lastHeardMs === undefined ? null : Math.round(e.lastHeardMs);
      return {
        severity,
        source: 'cluster',
        code: e.type.toUpperCase().replace('-', '_'),
        message: `peer ${e.type.slice(5)}: ${e.reason}`,
        data: { ...base, lastHeardMs, paths: { ...e.paths } as JsonValue },
      };
    }
    case 'one-way':
      return {
        severity: e.oneWay ? 'warning' : 'notice',
        source: 'cluster',
        code: e.oneWay ? 'PATH_ONE_WAY' : 'PATH_SYMMETRIC',
        message: `heartbeat path ${e.path}: ${e.reason}`,
        data: { ...base, path: e.path, direction: e.direction ?? null },
      };
    case 'self-stall':
      return {
        severity: 'warning',
        source: 'cluster',
        code: 'HB_SELF_STALL',
        message: `heartbeat: ${e.reason}`,
        data: { ...base, stalledMs: e.stalledMs },
      };
    case 'peer-versions': {
      const v = e.versions;
      return {
        // A minor difference (or a first hearing) is information; another
        // major raises PEER_PROTOCOL_MISMATCH as well (protocol-alarm.ts).
        severity: e.compatible ? 'info' : 'error',
        source: 'cluster',
        code: e.compatible ? 'PEER_VERSIONS' : 'PEER_PROTOCOL_MISMATCH',
        message: e.reason,
        data: {
          ...base,
          protocol: `${v.protocol.major}.${v.protocol.minor}`,
          firmwareVersion: v.firmwareVersion,
          configSchema: v.configSchema,
        },
      };
    }
  }
}

export function transportEvent(info: RuntimeEvents['transport'][0]): EventInput {
  return {
    severity: info.up ? 'info' : 'warning',
    source: 'heartbeat',
    code: info.up ? 'TRANSPORT_UP' : 'TRANSPORT_DOWN',
    message: `${info.path} transport ${info.up ? 'up' : 'down'}: ${info.detail}`,
    data: { path: info.path, detail: info.detail },
  };
}
