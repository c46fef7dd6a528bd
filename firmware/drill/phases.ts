// How long each part of a drill step took, from one controller's own event
// log, after a mark (the newest event id before the step began, so an
// earlier step of the same group is never read for this one). Every phase
// is timed on that controller's clock alone: the drill never subtracts
// one controller's time from the other's. The start phases are the
// takeover history's (status/takeover-phases.ts startPhases).
import { Type, type Static } from '@sinclair/typebox';
import type { EventQuery, LoggedEvent } from '../events/types.ts';
import { startPhases } from '../status/takeover-phases.ts';
import { DRILL_PHASES } from './report.ts';

/** What a drill step's log says so far: still under way, done with its phases, or failed. */
export const TimingSchema = Type.Object(
  {
    state: Type.Union([Type.Literal('pending'), Type.Literal('done'), Type.Literal('failed')]),
    detail: Type.String({ maxLength: 400 }),
    phases: Type.Array(
      Type.Object(
        {
          name: Type.Union(DRILL_PHASES.map((p) => Type.Literal(p))),
          ms: Type.Integer({ minimum: 0, maximum: 86_400_000 }),
        },
        { additionalProperties: false },
      ),
      { maxItems: 8 },
    ),
    /** stop: the whole stop; start: until the service address is announced (or the group started, without one). */
    totalMs: Type.Integer({ minimum: 0, maximum: 86_400_000 }),
  },
  { additionalProperties: false },
);
export type LogTiming = Static<typeof TimingSchema>;

export const TIMING_KINDS = ['stop', 'start', 'restart'] as const;
export type TimingKind = (typeof TIMING_KINDS)[number];

/** Written by the drill when it kills a resource: where the restart's timing begins. */
export const KILLED_CODE = 'DRILL_RESOURCE_KILLED';

/** The codes each timing reads, each asked for after the mark. */
const CODES: Readonly<Record<TimingKind, readonly string[]>> = {
  stop: ['FAILOVER_TRANSITION', 'GROUP_STOPPED', 'GROUP_STOP_FAILED'],
  start: ['FAILOVER_TRANSITION', 'RESOURCE_STARTED', 'GROUP_STARTED', 'GROUP_START_FAILED'],
  restart: [KILLED_CODE, 'RESOURCE_MONITOR_FAILED', 'RESOURCE_RESTARTED', 'GROUP_NEEDS_FAILOVER'],
};

/** Events per code read for one step: far more than a step writes. */
const ROWS = 500;

export interface EventReader {
  query(q?: EventQuery): LoggedEvent[];
}

/** The newest event id of the log: a step's mark. */
export function logMark(log: EventReader): number {
  return log.query({ limit: 1 })[0]?.id ?? 0;
}

/** The timing of `kind` for `group` (and `resource`, for a restart) after `afterId`. */
export function readTiming(
  log: EventReader,
  kind: TimingKind,
  group: string,
  resource: string,
  afterId: number,
): LogTiming {
  const events = CODES[kind].flatMap((code) => log.query({ code, afterId, limit: ROWS }));
  const sorted = events.sort((a, b) => a.ts - b.ts || a.id - b.id);
  switch (kind) {
    case 'stop':
      return stopTiming(sorted, group);
    case 'start':
      return startTiming(sorted, group);
    case 'restart':
      return restartTiming(sorted, group, resource);
  }
}

type Obj = Readonly<Record<string, unknown>>;
const dataOf = (e: LoggedEvent): Obj =>
  e.data !== null && typeof e.data === 'object' && !Array.isArray(e.data) ? e.data : {};
const forGroup = (e: LoggedEvent, group: string): boolean => dataOf(e)['group'] === group;
const names = (e: LoggedEvent, group: string): boolean => {
  const groups = dataOf(e)['groups'];
  return Array.isArray(groups) && groups.includes(group);
};
const pending = (detail: string): LogTiming => ({ state: 'pending', detail, phases: [], totalMs: 0 });
const failed = (detail: string): LogTiming => ({ state: 'failed', detail, phases: [], totalMs: 0 });

/** The operator's hand-over this group was part of, and its stop here. */
const HANDOVERS = ['operator-switchover', 'operator-failback'];

/** stop: the operator's hand-over (switchover or failback) until the group stopped here. */
export function stopTiming(sorted: readonly LoggedEvent[], group: string): LogTiming {
  const begin = sorted.find(
    (e) =>
      e.code === 'FAILOVER_TRANSITION' &&
      dataOf(e)['outcome'] === 'go' &&
      HANDOVERS.includes(String(dataOf(e)['event'])) &&
      names(e, group),
  );
  if (begin === undefined) return pending(`no hand-over of ${group} logged yet`);
  const after = sorted.filter((e) => e.ts >= begin.ts && e.id > begin.id && forGroup(e, group));
  const broke = after.find((e) => e.code === 'GROUP_STOP_FAILED');
  if (broke !== undefined) return failed(broke.message);
  const end = after.find((e) => e.code === 'GROUP_STOPPED');
  if (end === undefined) return pending(`${group} is stopping`);
  const ms = end.ts - begin.ts;
  return { state: 'done', detail: `${group} stopped`, phases: [{ name: 'stop', ms }], totalMs: ms };
}

/**
 * start: from the transition that took the group (it was free: the peer
 * released it) through its resources' starts until the group started; the
 * total runs until the VIP was announced, or the group started without one.
 */
export function startTiming(sorted: readonly LoggedEvent[], group: string): LogTiming {
  const begin = sorted.find(
    (e) =>
      e.code === 'FAILOVER_TRANSITION' &&
      dataOf(e)['outcome'] === 'go' &&
      dataOf(e)['event'] === 'group-free' &&
      names(e, group),
  );
  if (begin === undefined) return pending(`${group} not taken yet`);
  const after = sorted.filter((e) => e.ts >= begin.ts && e.id > begin.id && forGroup(e, group));
  const broke = after.find((e) => e.code === 'GROUP_START_FAILED');
  if (broke !== undefined) return failed(broke.message);
  const end = after.find((e) => e.code === 'GROUP_STARTED');
  if (end === undefined) return pending(`${group} is starting`);
  const starts = after.filter((e) => e.code === 'RESOURCE_STARTED' && e.ts <= end.ts);
  const { phases } = startPhases(starts, begin.ts);
  const vip = starts.find((e) => e.message.startsWith('vip '));
  const totalMs = (vip ?? end).ts - begin.ts;
  return { state: 'done', detail: `${group} started`, phases, totalMs };
}

/** restart: the drill's kill, the monitor's finding (detected), the local restart done (restarted). */
export function restartTiming(sorted: readonly LoggedEvent[], group: string, resource: string): LogTiming {
  const source = `resource:${group}/${resource}`;
  const killed = sorted.find(
    (e) => e.code === KILLED_CODE && forGroup(e, group) && dataOf(e)['resource'] === resource,
  );
  if (killed === undefined) return pending(`no kill of ${group}/${resource} logged`);
  const after = sorted.filter((e) => e.ts >= killed.ts && e.id > killed.id);
  const gaveUp = after.find((e) => e.code === 'GROUP_NEEDS_FAILOVER' && forGroup(e, group));
  if (gaveUp !== undefined) return failed(gaveUp.message);
  const found = after.find((e) => e.code === 'RESOURCE_MONITOR_FAILED' && e.source === source);
  if (found === undefined) return pending(`${resource} killed; its monitor has not noticed yet`);
  const restarted = after.find((e) => e.code === 'RESOURCE_RESTARTED' && e.source === source);
  if (restarted === undefined) return pending(`${resource} is restarting`);
  return {
    state: 'done',
    detail: `${resource} restarted locally`,
    phases: [
      { name: 'detected', ms: found.ts - killed.ts },
      { name: 'restarted', ms: restarted.ts - found.ts },
    ],
    totalMs: restarted.ts - killed.ts,
  };
}
