// --timing INTERVAL/WARNTIME/DEADTIME of the detect and takeover benches and
// the campaign: the lab's configs (tools/lab/configs/*.json, LAB_TIMING of
// firmware/cluster/timing.ts) with the heartbeat timing under test instead,
// so the default (50/300/500), or a proposed one, is measured on the lab. test/unit/lab/timing.test.ts runs
// withTiming's result through the firmware's validator.

import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { labFiles } from '../files.ts';

type Json = Record<string, unknown>;

/** The three times `--timing` names (initdead is the config's own). */
export interface BeatTiming {
  readonly intervalMs: number;
  readonly warntimeMs: number;
  readonly deadtimeMs: number;
}

/** "50/300/500" -> the three numbers, each a whole number of ms in range. */
export function parseTiming(text: string): BeatTiming {
  const m = /^([0-9]{1,6})\/([0-9]{1,6})\/([0-9]{1,6})$/.exec(text);
  if (m === null)
    throw new Error(`--timing must be INTERVAL/WARNTIME/DEADTIME in ms, got ${JSON.stringify(text)}`);
  const [intervalMs, warntimeMs, deadtimeMs] = [m[1], m[2], m[3]].map(Number) as [number, number, number];
  if (!(intervalMs >= 10 && intervalMs < warntimeMs && warntimeMs < deadtimeMs))
    throw new Error(`--timing needs 10 <= interval < warntime < deadtime, got ${text}`);
  return { intervalMs, warntimeMs, deadtimeMs };
}

/** The inverse of parseTiming: "50/300/500". */
export function formatTiming(t: BeatTiming): string {
  return `${t.intervalMs}/${t.warntimeMs}/${t.deadtimeMs}`;
}

/** A copy of a lab config with `timing` as its heartbeat (initdead kept, raised to deadtime if below). */
export function withTiming(config: Json, timing: BeatTiming): Json {
  const out = structuredClone(config);
  const cluster = out['cluster'];
  if (typeof cluster !== 'object' || cluster === null || Array.isArray(cluster))
    throw new Error('lab config has no cluster object');
  const c = cluster as Json;
  const before = c['heartbeat'] as Json | undefined;
  const initdead = typeof before?.['initdeadMs'] === 'number' ? before['initdeadMs'] : timing.deadtimeMs;
  c['heartbeat'] = { ...timing, initdeadMs: Math.max(initdead, timing.deadtimeMs) };
  return out;
}

/**
 * `config` (a lab config file) with `timing`, written to the lab's run
 * directory (it exists once the lab is up) as `<use>-<its name>`: the file
 * a daemon of that run is started with.
 */
export function timedConfigFile(config: string, timing: BeatTiming, use: string): string {
  const file = join(labFiles.runDir, `${use}-${basename(config)}`);
  writeFileSync(file, JSON.stringify(withTiming(JSON.parse(readFileSync(config, 'utf8')) as Json, timing)));
  return file;
}
