// Fixed code tables for the small enumerations that travel on the wire.
// Each value is a u8; 0 is never a valid code so that a zeroed buffer can
// never decode as a plausible value, and unknown codes are rejected rather
// than mapped to a default (a newer peer must bump the format version).
import { CONTROLLER_STATES } from '../core/states.ts';

export interface CodeTable<N extends string> {
  readonly names: readonly N[];
  code(name: N): number;
  /** undefined for an unknown code: the caller turns that into a typed error. */
  name(code: number): N | undefined;
}

export function codeTable<const N extends string>(names: readonly N[]): CodeTable<N> {
  return {
    names,
    code: (name) => names.indexOf(name) + 1,
    name: (code) => (Number.isInteger(code) && code >= 1 ? names[code - 1] : undefined),
  };
}

/** Controller ids travel as ASCII 'A' / 'B' so they are readable in a hex dump. */
export const CONTROLLER_IDS = ['A', 'B'] as const;
export type ControllerId = (typeof CONTROLLER_IDS)[number];

export function controllerCode(id: ControllerId): number {
  return id.charCodeAt(0);
}

export function controllerFromCode(code: number): ControllerId | undefined {
  return CONTROLLER_IDS.find((id) => id.charCodeAt(0) === code);
}

export function otherController(id: ControllerId): ControllerId {
  return id === 'A' ? 'B' : 'A';
}

export const ROLES = codeTable(['active', 'standby', 'none'] as const);
export type Role = (typeof ROLES.names)[number];

// The state a controller reports in its heartbeat is its operator state
// (firmware/core/states.ts), so the peer, telemetry and the LCD all speak of
// the same thing. Codes are the list order + 1 (1 starting .. 9 self-fenced):
// appending is compatible, reordering needs a new message version.
export const STATES = codeTable(CONTROLLER_STATES);
export type NodeState = (typeof STATES.names)[number];

export const RESOURCE_HEALTH = codeTable(['ok', 'degraded', 'failed', 'stopped'] as const);
export type ResourceHealth = (typeof RESOURCE_HEALTH.names)[number];
