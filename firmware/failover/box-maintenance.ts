// Maintenance is a property of the box, not of one controller. Set on either
// controller, it travels in every heartbeat as a mark (on, epoch) and the
// peer adopts a newer mark than its own; it is kept in the state directory,
// so a controller restarted in maintenance comes back in maintenance (and a
// peer that was killed while the operator worked on it is not fenced).
//
// The epoch orders changes like a Lamport clock: a change takes one more than
// the larger of ours and the peer's, so it beats every mark either side has
// seen. Two changes made while the controllers could not hear each other can
// end with equal epochs that disagree; they settle on "on", the side where
// nothing happens automatically.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { MaintenanceMark } from '../cluster/message.ts';
import { readFileBounded } from '../core/bounded-read.ts';
import { LIMITS } from '../core/limits.ts';
import { writeFileAtomicSync } from '../store/atomic-file.ts';

export type { MaintenanceMark };

export const NO_MAINTENANCE: MaintenanceMark = { on: false, epoch: 0 };
const MAX_EPOCH = 0xffff_ffff;

/** Whether `theirs` should replace `ours`. */
export function supersedes(theirs: MaintenanceMark, ours: MaintenanceMark): boolean {
  if (theirs.epoch !== ours.epoch) return theirs.epoch > ours.epoch;
  return theirs.on && !ours.on;
}

/** Where the mark is kept between process starts; neither call throws. */
export interface MarkStore {
  load(): MaintenanceMark;
  save(mark: MaintenanceMark): void;
}

/**
 * A JSON file `{ "on": bool, "epoch": u32 }`, read once at boot (bounded)
 * and replaced atomically on each change. A missing file is "never set"; an
 * unreadable one is reported and read as "on": an operator who cannot tell
 * whether the box was in maintenance would rather it did nothing on its own.
 */
export function fileMarkStore(path: string, onProblem: (problem: string) => void): MarkStore {
  return {
    load() {
      if (!existsSync(path)) return NO_MAINTENANCE;
      const read = readFileBounded(path, LIMITS.stateFileBytes, path);
      if (!read.ok) {
        onProblem(read.error);
        return { on: true, epoch: 0 };
      }
      const mark = parseMark(read.value.toString('utf8'));
      if (mark === undefined) {
        onProblem(`${path}: not a maintenance mark {"on": boolean, "epoch": 0..${MAX_EPOCH}}`);
        return { on: true, epoch: 0 };
      }
      return mark;
    },
    // A failed write is reported, not thrown: the mark still holds in
    // memory and in our heartbeats, so the box stays consistent until a
    // restart.
    save(mark) {
      try {
        mkdirSync(dirname(path), { recursive: true });
        writeFileAtomicSync(path, JSON.stringify(mark) + '\n');
      } catch (err) {
        onProblem(`cannot keep the maintenance mark in ${path}: ${(err as Error).message}`);
      }
    },
  };
}

function parseMark(text: string): MaintenanceMark | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const { on, epoch } = v as Record<string, unknown>;
  if (typeof on !== 'boolean' || !Number.isInteger(epoch)) return undefined;
  const e = epoch as number;
  return e >= 0 && e <= MAX_EPOCH ? { on, epoch: e } : undefined;
}

/** An in-memory store (unit tests, a platform without a state directory). */
export function memoryMarkStore(initial: MaintenanceMark = NO_MAINTENANCE): MarkStore & {
  saved: MaintenanceMark;
} {
  const s = {
    saved: initial,
    load: () => s.saved,
    save: (m: MaintenanceMark) => {
      s.saved = m;
    },
  };
  return s;
}

/** The box's maintenance mark as this controller knows it. */
export class BoxMaintenance {
  private current: MaintenanceMark;
  private readonly store: MarkStore;

  constructor(store: MarkStore) {
    this.store = store;
    this.current = store.load();
  }

  get mark(): MaintenanceMark {
    return this.current;
  }

  /** An operator's change here: beats every mark seen on either side. Returns whether it changed. */
  set(on: boolean, peer: MaintenanceMark | undefined): boolean {
    if (this.current.on === on && (peer === undefined || !supersedes(peer, this.current))) return false;
    const epoch = Math.min(MAX_EPOCH, Math.max(this.current.epoch, peer?.epoch ?? 0) + 1);
    this.keep({ on, epoch });
    return true;
  }

  /** The peer's mark, from its heartbeat: adopted if newer. Returns whether ours changed. */
  adopt(peer: MaintenanceMark): boolean {
    if (!supersedes(peer, this.current)) return false;
    this.keep(peer);
    return true;
  }

  private keep(mark: MaintenanceMark): void {
    this.store.save(mark);
    this.current = mark;
  }
}
