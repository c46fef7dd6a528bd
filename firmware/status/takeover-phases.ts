// How long each phase of a takeover took, from the failover machine's own
// transitions in the event log around its TAKEOVER alarm (raised at
// fence-ok): waiting out the peer (peer-suspect until fencing), the fence
// (fencing until fence-ok), and starting the groups (until active). A phase
// whose edges are not in the log (rotated out, or not reached) is left out.
import type { LoggedEvent } from '../events/types.ts';

export type TakeoverPhaseName = 'wait' | 'fence' | 'start';

export interface TakeoverPhase {
  readonly name: TakeoverPhaseName;
  readonly ms: number;
}

/** The window searched on either side of the TAKEOVER alarm. */
export const PHASE_WINDOW_MS = 120_000;

const to = (e: LoggedEvent): unknown =>
  e.data !== null && typeof e.data === 'object' && !Array.isArray(e.data) ? e.data['to'] : undefined;

/** `transitions`: FAILOVER_TRANSITION events in any order; `fenceOkTs`: the TAKEOVER alarm's time. */
export function takeoverPhases(transitions: readonly LoggedEvent[], fenceOkTs: number): TakeoverPhase[] {
  const sorted = [...transitions].sort((a, b) => a.ts - b.ts || a.id - b.id);
  const before = sorted.filter((e) => e.ts <= fenceOkTs);
  const fencing = before.filter((e) => to(e) === 'fencing').at(-1);
  const phases: TakeoverPhase[] = [];
  if (fencing !== undefined) {
    // The suspicion that led here: the last entry into peer-suspect with no
    // other state entered between it and the fence.
    const i = before.indexOf(fencing);
    const prior = before.slice(0, i).filter((e) => to(e) !== 'fencing');
    const last = prior.at(-1);
    if (last !== undefined && to(last) === 'peer-suspect')
      phases.push({ name: 'wait', ms: fencing.ts - last.ts });
    phases.push({ name: 'fence', ms: fenceOkTs - fencing.ts });
  }
  const active = sorted.find((e) => e.ts >= fenceOkTs && to(e) === 'active');
  if (active !== undefined) phases.push({ name: 'start', ms: active.ts - fenceOkTs });
  return phases;
}

// ---------------------------------------------------------------------------
// The takeover history (`takeovers`, the web panel's history page, issue
// #15): every takeover, switchover and failback this controller's event log
// holds, each with the phases of the issue where the log has their edges:
//   detected       PEER_SUSPECT -> PEER_DEAD (the peer's silence judged)
//   fenced         PEER_DEAD (or entering fencing) -> fence-ok (the TAKEOVER alarm)
//   disk           -> the reservation resource started
//   mounted        -> the filesystem resource started
//   database up    -> the postgresql resource started
//   VIP announced  -> the vip resource started
// Each phase lasts from the edge before it (in time order) to its own, so
// the phases add up to the whole; totalMs runs from the first edge to the
// machine entering `active` (or the last edge seen).

/** The phases of a group's start (startPhases): the takeover's last four, and the drill's. */
export type StartPhaseName = 'disk' | 'mounted' | 'database up' | 'VIP announced';
export type HistoryPhaseName = 'detected' | 'fenced' | StartPhaseName;

export interface HistoryPhase {
  readonly name: HistoryPhaseName;
  readonly ms: number;
}

export interface TakeoverHistoryRecord {
  /** Wall-clock ms of the decisive moment: fence-ok for a takeover, the operator's or timer's transition otherwise. */
  readonly at: number;
  readonly kind: 'takeover' | 'switchover' | 'failback';
  /** The controller that took the groups, and the one that had them. */
  readonly by: 'A' | 'B';
  readonly from: 'A' | 'B';
  readonly reason: string;
  readonly totalMs: number;
  readonly phases: readonly HistoryPhase[];
}

/** The event codes the history is built from: query each (bounded) and pass them all in. */
export const HISTORY_CODES = [
  'TAKEOVER',
  'FAILOVER_TRANSITION',
  'PEER_SUSPECT',
  'PEER_DEAD',
  'RESOURCE_STARTED',
] as const;

/** The resource agent whose start ends each start phase (its type opens RESOURCE_STARTED's message). */
const START_PHASES: readonly (readonly [string, StartPhaseName])[] = [
  ['reservation', 'disk'],
  ['filesystem', 'mounted'],
  ['postgresql', 'database up'],
  ['vip', 'VIP announced'],
];

type Obj = Readonly<Record<string, unknown>>;
const dataOf = (e: LoggedEvent): Obj =>
  e.data !== null && typeof e.data === 'object' && !Array.isArray(e.data) ? e.data : {};
const other = (c: 'A' | 'B'): 'A' | 'B' => (c === 'A' ? 'B' : 'A');
const isId = (v: unknown): v is 'A' | 'B' => v === 'A' || v === 'B';

/** Operator and timer events that hand this controller's groups to the peer. */
const HANDOVERS: Readonly<Record<string, 'switchover' | 'failback'>> = {
  'operator-switchover': 'switchover',
  'operator-failback': 'failback',
  'failback-timer': 'failback',
};

/**
 * The start phases (disk, mounted, database up, VIP announced) of a group
 * start that began at `fromTs`, from its RESOURCE_STARTED events (time
 * order not needed; the first start of each agent type counts). Each phase
 * runs from the edge before it; `lastTs` is the last edge (`fromTs` if none).
 * The takeover history and the failover drill (firmware/drill) both read it.
 */
export function startPhases(
  starts: readonly LoggedEvent[],
  fromTs: number,
): { phases: { name: StartPhaseName; ms: number }[]; lastTs: number } {
  const sorted = [...starts].sort((a, b) => a.ts - b.ts || a.id - b.id);
  const edges: { name: StartPhaseName; ts: number }[] = [];
  for (const [type, name] of START_PHASES) {
    const first = sorted.find((e) => e.code === 'RESOURCE_STARTED' && e.message.startsWith(`${type} `));
    if (first !== undefined) edges.push({ name, ts: first.ts });
  }
  edges.sort((a, b) => a.ts - b.ts);
  const phases: { name: StartPhaseName; ms: number }[] = [];
  let prev = fromTs;
  for (const edge of edges) {
    phases.push({ name: edge.name, ms: edge.ts - prev });
    prev = edge.ts;
  }
  return { phases, lastTs: prev };
}

/** Newest first, at most `limit`. `events`: any mix of HISTORY_CODES, any order. */
export function takeoverHistory(
  events: readonly LoggedEvent[],
  self: 'A' | 'B',
  limit = 50,
): TakeoverHistoryRecord[] {
  const sorted = [...events].sort((a, b) => a.ts - b.ts || a.id - b.id);
  const out: TakeoverHistoryRecord[] = [];
  for (const e of sorted) {
    const d = dataOf(e);
    if (e.code === 'TAKEOVER' && d['action'] === 'raise') out.push(takeoverRecord(sorted, e, self));
    else if (e.code === 'FAILOVER_TRANSITION' && d['outcome'] === 'go') {
      const kind = typeof d['event'] === 'string' ? HANDOVERS[d['event']] : undefined;
      if (kind !== undefined) out.push(handoverRecord(sorted, e, kind, self));
    }
  }
  return out.reverse().slice(0, Math.max(0, limit));
}

function takeoverRecord(
  sorted: readonly LoggedEvent[],
  t: LoggedEvent,
  self: 'A' | 'B',
): TakeoverHistoryRecord {
  const d = dataOf(t);
  const params = d['params'] !== null && typeof d['params'] === 'object' ? (d['params'] as Obj) : {};
  const by = isId(d['subject']) ? d['subject'] : self;
  const reason = typeof params['reason'] === 'string' ? params['reason'] : t.message.replace(/^ALARM: /, '');
  const within = (e: LoggedEvent) => e.ts >= t.ts - PHASE_WINDOW_MS && e.ts <= t.ts + PHASE_WINDOW_MS;
  const near = sorted.filter(within);
  const before = near.filter((e) => e.ts <= t.ts && e.id !== t.id);
  const fencing = before
    .filter((e) => e.code === 'FAILOVER_TRANSITION' && dataOf(e)['to'] === 'fencing')
    .at(-1);
  const dead = before.filter((e) => e.code === 'PEER_DEAD' && e.ts <= (fencing?.ts ?? t.ts)).at(-1);
  const suspect =
    dead === undefined
      ? undefined
      : before.filter((e) => e.code === 'PEER_SUSPECT' && e.ts <= dead.ts).at(-1);
  const phases: HistoryPhase[] = [];
  if (suspect !== undefined && dead !== undefined)
    phases.push({ name: 'detected', ms: dead.ts - suspect.ts });
  const fenceFrom = dead ?? fencing;
  if (fenceFrom !== undefined) phases.push({ name: 'fenced', ms: t.ts - fenceFrom.ts });
  // The start ends at `active`; the next takeover or handover bounds it too.
  const after = near.filter((e) => e.ts >= t.ts && e.id !== t.id);
  const active = after.find((e) => e.code === 'FAILOVER_TRANSITION' && dataOf(e)['to'] === 'active');
  const starts = after.filter(
    (e) => e.code === 'RESOURCE_STARTED' && (active === undefined || e.ts <= active.ts),
  );
  const started = startPhases(starts, t.ts);
  phases.push(...started.phases);
  const start = suspect?.ts ?? dead?.ts ?? fencing?.ts ?? t.ts;
  const end = active?.ts ?? started.lastTs;
  return { at: t.ts, kind: 'takeover', by, from: other(by), reason, totalMs: end - start, phases };
}

/**
 * This controller handing its groups to the peer: the peer's start is in
 * the peer's log, so the phases here are none; totalMs runs until the
 * groups were stopped here.
 */
function handoverRecord(
  sorted: readonly LoggedEvent[],
  t: LoggedEvent,
  kind: 'switchover' | 'failback',
  self: 'A' | 'B',
): TakeoverHistoryRecord {
  const d = dataOf(t);
  const stopped = sorted.find(
    (e) =>
      e.ts >= t.ts &&
      e.ts <= t.ts + PHASE_WINDOW_MS &&
      e.id !== t.id &&
      e.code === 'FAILOVER_TRANSITION' &&
      dataOf(e)['event'] === 'groups-stopped',
  );
  const event = typeof d['event'] === 'string' ? d['event'] : kind;
  const groups = Array.isArray(d['groups'])
    ? ` (${d['groups'].filter((g) => typeof g === 'string').join(', ')})`
    : '';
  return {
    at: t.ts,
    kind,
    by: other(self),
    from: self,
    reason: `${event}${groups}`,
    totalMs: stopped === undefined ? 0 : stopped.ts - t.ts,
    phases: [],
  };
}
