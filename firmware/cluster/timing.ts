// Heartbeat timing and its rules. Justification of the defaults against
// corosync, Heartbeat, sbd and keepalived: docs/heartbeat.md "Timing".
import { err, ok, type Result } from '../core/result.ts';

export interface HeartbeatTiming {
  /** How often a heartbeat is sent on every path (and the witness slot written). */
  readonly intervalMs: number;
  /** No heartbeat on a path for this long: the path is 'late' (an alarm only). */
  readonly warntimeMs: number;
  /** No heartbeat on a path for this long: the path is 'down'. All paths down: peer dead. */
  readonly deadtimeMs: number;
  /** Before the first heartbeat on a path, it is 'down' only after this long. */
  readonly initdeadMs: number;
}

/**
 * The timing the lab's configs (tools/lab/configs/*.json), the simulated box
 * and the unit tests run: slower than the embedded default (the schema's
 * 50/300/500), so that the lab's tests, tuned at it, keep their margins on
 * a loaded CI machine; the benches and the campaign measure the default
 * with `--timing`. docs/heartbeat.md, Defaults.
 */
export const LAB_TIMING: HeartbeatTiming = {
  intervalMs: 100,
  warntimeMs: 600,
  deadtimeMs: 1000,
  initdeadMs: 5000,
};

export interface TimingError {
  readonly field: keyof HeartbeatTiming;
  readonly detail: string;
}

/**
 * Rules (each keeps a benign hiccup from looking like a failure):
 * - every value is an integer number of ms; interval >= 10 (serial bandwidth);
 * - warntime >= 2 x interval: one lost heartbeat never makes a path late;
 * - deadtime >= warntime + interval: a late path gets at least one more
 *   chance before it is declared down;
 * - initdead >= deadtime: booting is never judged more harshly than running.
 */
export function validateTiming(t: HeartbeatTiming): Result<HeartbeatTiming, TimingError> {
  for (const field of ['intervalMs', 'warntimeMs', 'deadtimeMs', 'initdeadMs'] as const) {
    const v = t[field];
    if (!Number.isSafeInteger(v) || v <= 0) return err({ field, detail: `${v} is not a positive integer` });
  }
  if (t.intervalMs < 10) return err({ field: 'intervalMs', detail: 'must be >= 10 ms' });
  if (t.warntimeMs < 2 * t.intervalMs) {
    return err({ field: 'warntimeMs', detail: `must be >= 2 x interval (${2 * t.intervalMs} ms)` });
  }
  if (t.deadtimeMs < t.warntimeMs + t.intervalMs) {
    return err({
      field: 'deadtimeMs',
      detail: `must be >= warntime + interval (${t.warntimeMs + t.intervalMs} ms)`,
    });
  }
  if (t.initdeadMs < t.deadtimeMs) return err({ field: 'initdeadMs', detail: 'must be >= deadtime' });
  return ok(t);
}
