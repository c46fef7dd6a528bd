// The campaign's plan: a seeded, reproducible draw of steps from the menu.
// Step k depends on the seed and k alone: each step draws from its own
// stream, the seed's generator jumped k+1 times (xoroshiro128+ jumps 2^64
// values ahead), so `--replay SEED --from K` redraws exactly the steps of
// the original run from K on, whatever the earlier steps consumed, and a
// later change to one kind's parameters does not reshuffle every step after.
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';
import { CUTTABLE } from '../lab/topology.ts';
import {
  FAULT_KINDS,
  DEGRADABLE,
  RANGES,
  STARVED,
  convergenceBoundMs,
  isOperator,
  type Controller,
  type Cuttable,
  type Fault,
  type FaultKind,
  type Range,
} from './menu.ts';

/** Seeds are what xoroshiro128plus takes: a non-negative 31-bit integer, printed and typed back as is. */
export const SEED_MAX = 0x7fff_ffff;
/** A campaign's length; 10 000 steps is days of lab time already. */
export const STEPS_MAX = 10_000;

/** How a step's faults meet: one alone, two at once, or the second while the pair recovers from the first. */
export type Overlap = 'alone' | 'together' | 'during-recovery';

export type Step =
  | {
      readonly index: number;
      readonly overlap: 'alone';
      readonly first: Fault;
      readonly holdMs: number;
      readonly boundMs: number;
    }
  | {
      readonly index: number;
      readonly overlap: 'together';
      readonly first: Fault;
      readonly second: Fault;
      readonly holdMs: number;
      readonly boundMs: number;
    }
  | {
      readonly index: number;
      readonly overlap: 'during-recovery';
      readonly first: Fault;
      readonly second: Fault;
      readonly holdMs: number;
      /** After the first fault's heal, before the second is injected. */
      readonly secondAfterMs: number;
      readonly secondHoldMs: number;
      readonly boundMs: number;
    };

export function faultsOf(s: Step): readonly Fault[] {
  switch (s.overlap) {
    case 'alone':
      return [s.first];
    case 'together':
    case 'during-recovery':
      return [s.first, s.second];
  }
}

type Rng = JumpableRandomGenerator;

function int(rng: Rng, r: Range): number {
  return uniformInt(rng, r.min, r.max);
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  const v = items[uniformInt(rng, 0, items.length - 1)];
  if (v === undefined) throw new Error('pick from an empty list');
  return v;
}

function controller(rng: Rng): Controller {
  return pick(rng, ['A', 'B'] as const);
}

/** The links cut together: one, two or three at random, or all four of one controller's (isolating it). */
function drawLinks(rng: Rng): readonly Cuttable[] {
  const shape = uniformInt(rng, 0, 2);
  let chosen: readonly Cuttable[];
  if (shape === 2) {
    const c = controller(rng);
    chosen = ['serial', 'private', c === 'A' ? 'sas-a' : 'sas-b', c === 'A' ? 'lan-a' : 'lan-b'];
  } else {
    const n = shape === 0 ? 1 : uniformInt(rng, 2, 3);
    const pool = [...CUTTABLE];
    // A partial Fisher-Yates: the first n of a uniform shuffle.
    for (let i = 0; i < n; i++) {
      const j = uniformInt(rng, i, pool.length - 1);
      const a = pool[i];
      const b = pool[j];
      if (a === undefined || b === undefined) throw new Error('shuffle out of range');
      pool[i] = b;
      pool[j] = a;
    }
    chosen = pool.slice(0, n);
  }
  // In the lab's order, so that equal cuts read the same in the report.
  return CUTTABLE.filter((l) => chosen.includes(l));
}

/** Draws the parameters of one fault of `kind`, always in the same order (the draw is part of the seed's meaning). */
export function drawFault(rng: Rng, kind: FaultKind): Fault {
  switch (kind) {
    case 'kill':
      return { kind, controller: controller(rng) };
    case 'poweroff':
      return { kind, controller: controller(rng), offMs: int(rng, RANGES.offMs) };
    case 'stall':
      return { kind, controller: controller(rng), ms: int(rng, RANGES.stallMs) };
    case 'cut':
      return { kind, links: drawLinks(rng) };
    case 'serial-mode':
      return uniformInt(rng, 0, 1) === 0
        ? { kind, mode: { kind: 'corrupt', fraction: int(rng, RANGES.serialCorruptPermille) / 1000 } }
        : { kind, mode: { kind: 'delay', ms: int(rng, RANGES.serialDelayMs) } };
    case 'degrade':
      return {
        kind,
        link: pick(rng, DEGRADABLE),
        lossPct: int(rng, RANGES.lossPct),
        duplicatePct: int(rng, RANGES.duplicatePct),
      };
    case 'kill-postgres':
    case 'restart-tgtd':
    case 'switchover':
      return { kind };
    case 'fill-volume':
      return { kind, pct: int(rng, RANGES.fillPct) };
    case 'starve':
      return {
        kind,
        controller: controller(rng),
        what: pick(rng, STARVED),
        workers: int(rng, RANGES.starveWorkers),
      };
    case 'maintenance':
      return { kind, ms: int(rng, RANGES.maintenanceMs) };
  }
}

const PRIMARY: readonly FaultKind[] = FAULT_KINDS.filter((k) => !isOperator(k));
/** Kinds whose loss of the runner makes a takeover: where "switchover during a takeover" means something. */
const TAKEOVER_KINDS: readonly FaultKind[] = ['kill', 'poweroff', 'stall'];

function targetOf(f: Fault): Controller | null {
  switch (f.kind) {
    case 'kill':
    case 'poweroff':
    case 'stall':
    case 'starve':
      return f.controller;
    case 'cut':
    case 'serial-mode':
    case 'degrade':
    case 'kill-postgres':
    case 'fill-volume':
    case 'restart-tgtd':
    case 'switchover':
    case 'maintenance':
      return null;
  }
}

/** Two faults that act on the same thing would undo or hide each other: never drawn together. */
export function conflicts(a: Fault, b: Fault): boolean {
  if (a.kind === b.kind) return true;
  const ta = targetOf(a);
  if (ta !== null && ta === targetOf(b)) return true;
  const cutOf = (f: Fault): readonly Cuttable[] => (f.kind === 'cut' ? f.links : []);
  const linkOf = (f: Fault): Cuttable | null =>
    f.kind === 'serial-mode' ? 'serial' : f.kind === 'degrade' ? f.link : null;
  const la = linkOf(a);
  const lb = linkOf(b);
  return (la !== null && cutOf(b).includes(la)) || (lb !== null && cutOf(a).includes(lb));
}

/** Redraws of a conflicting second fault before the step falls back to one fault alone. */
const REDRAWS = 8;

/** A second fault: any primary kind, or the operator's maintenance on and off while the first holds. */
const SECOND_KINDS: readonly FaultKind[] = [...PRIMARY, 'maintenance'];

function drawSecond(rng: Rng, first: Fault): Fault | null {
  for (let i = 0; i < REDRAWS; i++) {
    const f = drawFault(rng, pick(rng, SECOND_KINDS));
    if (!conflicts(first, f)) return f;
  }
  return null;
}

function drawStep(rng: Rng, index: number): Step {
  const shape = uniformInt(rng, 0, 99);
  const first = drawFault(rng, pick(rng, PRIMARY));
  const holdMs = int(rng, RANGES.holdMs);
  const alone: Step = { index, overlap: 'alone', first, holdMs, boundMs: convergenceBoundMs(first.kind) };
  if (shape < 70) return alone;
  if (shape < 90) {
    // Operator commands come "in the middle of a fault": maintenance on and off while it holds.
    const second = drawSecond(rng, first);
    if (second === null) return alone;
    const boundMs = Math.max(convergenceBoundMs(first.kind), convergenceBoundMs(second.kind));
    return { index, overlap: 'together', first, second, holdMs, boundMs };
  }
  // A switchover drawn as one kind among thirteen, and only after a takeover
  // kind, came about twice in a thousand steps: after a takeover kind it is
  // half of the draws, so a run of a thousand sees it a dozen times.
  const second =
    TAKEOVER_KINDS.includes(first.kind) && uniformInt(rng, 0, 1) === 0
      ? drawFault(rng, 'switchover')
      : drawSecond(rng, first);
  if (second === null) return alone;
  const secondAfterMs = int(rng, RANGES.secondAfterMs);
  const secondHoldMs = int(rng, RANGES.holdMs);
  const boundMs = Math.max(convergenceBoundMs(first.kind), convergenceBoundMs(second.kind));
  return { index, overlap: 'during-recovery', first, second, holdMs, secondAfterMs, secondHoldMs, boundMs };
}

function checkInt(name: string, v: number, max: number): void {
  if (!Number.isSafeInteger(v) || v < 0 || v > max)
    throw new RangeError(`${name} must be an integer 0..${max}, got ${v}`);
}

/** Steps `from` .. `from + count - 1` of the campaign seeded with `seed`. */
export function drawPlan(seed: number, from: number, count: number): readonly Step[] {
  checkInt('seed', seed, SEED_MAX);
  checkInt('from', from, STEPS_MAX - 1);
  checkInt('count', count, STEPS_MAX - from);
  const stream = xoroshiro128plus(seed);
  for (let k = 0; k < from; k++) stream.jump();
  const steps: Step[] = [];
  for (let k = from; k < from + count; k++) {
    stream.jump();
    steps.push(drawStep(stream.clone(), k));
  }
  return steps;
}
