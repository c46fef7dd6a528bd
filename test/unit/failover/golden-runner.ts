// Golden scenarios, as Pacemaker's cts/scheduler: a scenario file (config +
// timed faults) goes in, the ordered transitions of both controllers come
// out and are compared with the expected list in the same file.
// UPDATE_GOLDEN=1 rewrites the expected lists (review the diff before committing).
import { readFileSync, writeFileSync } from 'node:fs';
import type { ControllerId } from '../../../firmware/cluster/codes.ts';
import type { GroupSpec } from '../../../firmware/failover/placement.ts';
import { Simulation, type LogEntry, type Operator } from './simulation.ts';

export type GoldenStep =
  | { readonly atMs: number; readonly do: 'boot' | 'crash' | 'stall' | 'resume'; readonly id: ControllerId }
  | { readonly atMs: number; readonly do: 'disk'; readonly id: ControllerId; readonly up: boolean }
  | { readonly atMs: number; readonly do: 'cut'; readonly path: 'serial' | 'net'; readonly cut: boolean }
  | { readonly atMs: number; readonly do: 'operator'; readonly id: ControllerId; readonly op: Operator }
  | { readonly atMs: number; readonly do: 'group-fail'; readonly id: ControllerId; readonly group: string }
  | {
      readonly atMs: number;
      readonly do: 'break-start';
      readonly id: ControllerId;
      readonly group: string;
      readonly broken: boolean;
    };

export interface GoldenFile {
  readonly description: string;
  readonly config: {
    readonly policy: 'active-standby' | 'active-active';
    readonly groups: readonly GroupSpec[];
    readonly watchdogS?: number | null;
    readonly autoFailback?: { readonly enabled: boolean; readonly delayMs: number };
    readonly fenceDelayMs?: number;
    readonly rebootMs?: number;
    readonly failureTimeoutMs?: number;
    readonly exclusiveStarts?: boolean;
  };
  readonly steps: readonly GoldenStep[];
  readonly runMs: number;
  /** Group -> controller expected to hold it at the end ('' for nobody). */
  readonly finalOwners: Readonly<Record<string, string>>;
  readonly expected: readonly string[];
  /** Starts and stops that ran failover/failback hooks (ResourceLedger.moves). */
  readonly moves?: readonly string[];
}

/** One readable line per transition; 'ignore' lines only for operator commands (refusals). */
export function formatEntry(e: LogEntry): string | undefined {
  if (e.outcome === 'ignore' && !e.event.startsWith('operator-')) return undefined;
  const groups = e.groups !== undefined ? ` ${JSON.stringify(e.groups)}` : '';
  const acts = e.actions.length > 0 ? ` [${e.actions.join(', ')}]` : '';
  return `${e.atMs} ${e.controller} ${e.from} -> ${e.to} on ${e.event}${groups}${acts}: ${e.outcome === 'go' ? '' : `${e.outcome}: `}${e.text}`;
}

export async function runGolden(
  file: GoldenFile,
  quirks: 'spc4' | 'tgt' = 'spc4',
): Promise<{ lines: string[]; owners: Record<string, string>; moves: string[] }> {
  const c = new Simulation({ ...file.config, quirks });
  for (const s of file.steps) {
    c.clock.after(s.atMs, () => {
      switch (s.do) {
        case 'boot':
          return c.boot(s.id);
        case 'crash':
          return c.crash(s.id);
        case 'stall':
          return c.stall(s.id);
        case 'resume':
          return c.resume(s.id);
        case 'disk':
          return c.setDisk(s.id, s.up);
        case 'cut':
          return c.cutPath(s.path, s.cut);
        case 'operator':
          return c.command(s.id, s.op);
        case 'group-fail':
          return c.failGroup(s.id, s.group);
        case 'break-start':
          return c.breakStarts(s.id, s.group, s.broken);
      }
    });
  }
  await c.run(file.runMs);
  const owners: Record<string, string> = {};
  for (const g of file.config.groups) owners[g.name] = c.writers(g.name).join('+');
  const lines = c.log.map(formatEntry).filter((l): l is string => l !== undefined);
  const moves = [...c.box.ledger.moves];
  await c.stop();
  return { lines, owners, moves };
}

/** A small line diff: '-' expected only, '+' actual only. */
export function lineDiff(expected: readonly string[], actual: readonly string[]): string {
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < expected.length || j < actual.length) {
    if (i < expected.length && j < actual.length && expected[i] === actual[j]) {
      out.push(`  ${expected[i]}`);
      i++;
      j++;
    } else if (j < actual.length && !expected.slice(i).includes(actual[j] ?? '')) {
      out.push(`+ ${actual[j]}`);
      j++;
    } else {
      out.push(`- ${expected[i]}`);
      i++;
    }
  }
  return out.join('\n');
}

export function loadGolden(path: string): GoldenFile {
  return JSON.parse(readFileSync(path, 'utf8')) as GoldenFile;
}

export function saveGolden(path: string, file: GoldenFile): void {
  writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`);
}
