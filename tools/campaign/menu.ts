// The fault menu of issue 18 item 1: every kind of fault the campaign may
// draw, with its parameters and their ranges, how it is healed, how long the
// pair may take to converge after the heal, and (expect.ts) whether it calls
// for a takeover. Links, controllers and serial modes use the lab's own names
// (tools/lab/topology.ts, tools/lab/serial-mode.ts), so a step reads as the
// `npm run lab` verbs that will inject it: one concept, one name.
import type { SerialMode } from '../lab/serial-mode.ts';
import type { Controller, Cuttable } from '../lab/topology.ts';
import { DEGRADABLE, type Degradable } from '../lab/degrade.ts';

export type { Controller, Cuttable, Degradable };
export { DEGRADABLE };

/** The serial proxy's two degraded modes (a `drop` is a cut of `serial`, `pass` its heal). */
export type DegradedSerialMode = Extract<SerialMode, { kind: 'corrupt' | 'delay' }>;

export const STARVED = ['cpu', 'memory', 'io'] as const;
export type Starved = (typeof STARVED)[number];

/** An inclusive integer range a parameter is drawn from. */
export interface Range {
  readonly min: number;
  readonly max: number;
}

/**
 * Parameter ranges. A stall spans both sides of deadtime (issue: "below and
 * beyond deadtime"); corruption is a fraction as `serial-mode corrupt` takes
 * it, here in parts per thousand so the draw stays integral. A fault is
 * held up to six deadtimes: long enough for any verdict it can cause, short
 * enough for a thousand of them in an afternoon.
 */
export const RANGES = {
  stallMs: { min: 100, max: 5000 },
  offMs: { min: 0, max: 10_000 },
  holdMs: { min: 500, max: 6000 },
  serialCorruptPermille: { min: 1, max: 500 },
  serialDelayMs: { min: 10, max: 2000 },
  lossPct: { min: 0, max: 50 },
  duplicatePct: { min: 0, max: 20 },
  fillPct: { min: 90, max: 100 },
  starveWorkers: { min: 1, max: 8 },
  maintenanceMs: { min: 500, max: 5000 },
  secondAfterMs: { min: 0, max: 5000 },
} as const satisfies Record<string, Range>;

/** One fault with its parameters. `kind` is also the name the report groups outages by. */
export type Fault =
  | { readonly kind: 'kill'; readonly controller: Controller }
  | { readonly kind: 'poweroff'; readonly controller: Controller; readonly offMs: number }
  | { readonly kind: 'stall'; readonly controller: Controller; readonly ms: number }
  | { readonly kind: 'cut'; readonly links: readonly Cuttable[] }
  | { readonly kind: 'serial-mode'; readonly mode: DegradedSerialMode }
  | {
      readonly kind: 'degrade';
      readonly link: Degradable;
      readonly lossPct: number;
      readonly duplicatePct: number;
    }
  | { readonly kind: 'kill-postgres' }
  | { readonly kind: 'fill-volume'; readonly pct: number }
  | { readonly kind: 'restart-tgtd' }
  | {
      readonly kind: 'starve';
      readonly controller: Controller;
      readonly what: Starved;
      readonly workers: number;
    }
  | { readonly kind: 'switchover' }
  | { readonly kind: 'maintenance'; readonly ms: number };

export type FaultKind = Fault['kind'];

/** Every kind, in the menu's order (the plan draws from this list, so its order is part of a seed's meaning). */
export const FAULT_KINDS = [
  'kill',
  'poweroff',
  'stall',
  'cut',
  'serial-mode',
  'degrade',
  'kill-postgres',
  'fill-volume',
  'restart-tgtd',
  'starve',
  'switchover',
  'maintenance',
] as const satisfies readonly FaultKind[];

/**
 * Operator commands are only drawn "in the middle of a fault" (issue item 1):
 * as the second fault of a step, never alone.
 */
export const OPERATOR_KINDS = ['switchover', 'maintenance'] as const satisfies readonly FaultKind[];

export function isOperator(kind: FaultKind): boolean {
  return (OPERATOR_KINDS as readonly FaultKind[]).includes(kind);
}

/** How each kind is undone, in the lab's words (the executor does it). */
export function healOf(f: Fault): string {
  switch (f.kind) {
    case 'kill':
      return `start ${f.controller} (the firmware again)`;
    case 'poweroff':
      return `poweron ${f.controller} after ${f.offMs} ms`;
    case 'stall':
      return 'none: stall resumes the firmware itself (SIGCONT)';
    case 'cut':
      return f.links.map((l) => `heal ${l}`).join(', ');
    case 'serial-mode':
      return 'serial-mode pass';
    case 'degrade':
      return `undegrade ${f.link} (the nftables rules removed)`;
    case 'kill-postgres':
      return 'none: the firmware restarts it (or hands the group over)';
    case 'fill-volume':
      return 'delete the filler file';
    case 'restart-tgtd':
      return 'none: tgtd is back, the active registers and reserves again';
    case 'starve':
      return `stop stress-ng in ${f.controller}`;
    case 'switchover':
      return 'none: an operator move completes by itself';
    case 'maintenance':
      return `maintenance off after ${f.ms} ms`;
  }
}

/**
 * How long after its heal the pair must be back to exactly one runner per
 * group and successful client inserts. A takeover is deadtime plus a start
 * (fsck, mount, PostgreSQL: seconds); a failed start is retried within 46 s
 * (docs/failover.md), so kinds that can fail a start get that on top. First
 * bounds, to be tightened from the lab's measured recoveries.
 */
export function convergenceBoundMs(kind: FaultKind): number {
  switch (kind) {
    case 'serial-mode':
    case 'degrade':
    case 'maintenance':
      return 10_000;
    case 'starve':
      return 20_000;
    case 'cut':
      // Cutting both LAN ports fails the group on both controllers: the home
      // retries it with back-off (docs/failover.md), so after the heal the
      // next retry may be 16 s away, then a start.
      return 40_000;
    case 'kill':
    case 'stall':
    case 'kill-postgres':
    case 'switchover':
      return 30_000;
    case 'poweroff':
      // A fresh boot of the powered controller comes before it can rejoin.
      return 60_000;
    case 'fill-volume':
    case 'restart-tgtd':
      // Both can fail a start (no space; the reservation gone): 46 s of retries.
      return 60_000;
  }
}
