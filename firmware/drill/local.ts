// The drill's actions on the controller that performs them, whichever
// controller runs the drill: the resource kill on the group's owner, and
// the watch of a muted path on the controller that should hear the silence.
// The drill's own controller calls these directly; the peer's drill asks
// for them with `drill-peer` (commands/drill.ts).
import { Type, type Static } from '@sinclair/typebox';
import type { HeartbeatPath } from '../cluster/heartbeat-paths.ts';
import type { PathState, PeerState } from '../cluster/membership.ts';
import type { DrillParts } from './parts.ts';
import { KILLED_CODE, readTiming, type EventReader } from './phases.ts';

export const CrashSchema = Type.Object(
  {
    resource: Type.String({ maxLength: 64 }),
    type: Type.String({ maxLength: 32 }),
    /** The newest event id before the kill: the restart's timing is read after it. */
    mark: Type.Integer({ minimum: 0 }),
    waitMs: Type.Integer({ minimum: 0, maximum: 86_400_000 }),
  },
  { additionalProperties: false },
);
export type Crash = Static<typeof CrashSchema>;

/** Best first: the watch keeps the worst it saw. */
const PATH_STATES = ['up', 'init', 'late', 'down'] as const satisfies readonly PathState[];
const PEER_STATES = ['alive', 'unknown', 'suspect', 'dead'] as const satisfies readonly PeerState[];

export const WatchSchema = Type.Object(
  {
    /** The longest time between two heartbeats heard on the path during the watch. */
    silenceMs: Type.Integer({ minimum: 0, maximum: 86_400_000 }),
    /** The worst the path's state got, and the peer's. */
    path: Type.Union(PATH_STATES.map((s) => Type.Literal(s))),
    peer: Type.Union(PEER_STATES.map((s) => Type.Literal(s))),
  },
  { additionalProperties: false },
);
export type Watch = Static<typeof WatchSchema>;

/** How often the watch reads the membership: far finer than any heartbeat interval. */
const WATCH_POLL_MS = 10;
/** How often the owner looks for the restart it caused, to forget its failure. */
const FORGET_POLL_MS = 200;

/**
 * Kill the group's database here and log it (KILLED_CODE: where the
 * restart's timing begins). Once its monitor has restarted it, the
 * failure is forgotten (the restart policy does not count a drill).
 */
export async function crashHere(
  parts: DrillParts,
  group: string,
  log: EventReader,
): Promise<{ ok: true; value: Crash } | { ok: false; error: string }> {
  const mark = log.query({ limit: 1 })[0]?.id ?? 0;
  const r = await parts.crash(group);
  if (!r.ok) return { ok: false, error: r.error };
  if (r.resource === '') return { ok: true, value: { resource: '', type: '', mark, waitMs: 0 } };
  parts.events.append({
    severity: 'warning',
    source: 'drill',
    code: KILLED_CODE,
    message: `drill: ${r.type} ${r.resource} of group ${group} killed (${r.detail}); its monitor must restart it`,
    data: { group, resource: r.resource, type: r.type, detail: r.detail },
  });
  const deadline = parts.clock.monotonicMs() + r.waitMs;
  const forget = (): void => {
    const t = readTiming(log, 'restart', group, r.resource, mark);
    if (t.state === 'done') return parts.forgetFailure(group);
    if (t.state === 'pending' && parts.clock.monotonicMs() < deadline)
      parts.clock.after(FORGET_POLL_MS, forget);
  };
  parts.clock.after(FORGET_POLL_MS, forget);
  return { ok: true, value: { resource: r.resource, type: r.type, mark, waitMs: r.waitMs } };
}

/**
 * For `ms`, how this controller hears its peer on `path`: the longest gap
 * between two heartbeats, counting the silence still running at the end,
 * and the worst path and peer states seen.
 */
export function watchPath(
  parts: DrillParts,
  path: HeartbeatPath,
  ms: number,
): Promise<{ ok: true; value: Watch } | { ok: false; error: string }> {
  const clock = parts.clock;
  const end = clock.monotonicMs() + ms;
  let heard: number | undefined;
  let silenceMs = 0;
  let pathWorst = 0;
  let peerWorst = 0;
  return new Promise((resolve) => {
    const look = (): void => {
      const now = clock.monotonicMs();
      const s = parts.status.current();
      const p = s.peer.paths.find((x) => x.path === path);
      if (p === undefined)
        return resolve({ ok: false, error: `${parts.self} has no heartbeat path ${path}` });
      pathWorst = Math.max(pathWorst, PATH_STATES.indexOf(p.state));
      peerWorst = Math.max(peerWorst, PEER_STATES.indexOf(s.peer.state));
      const at = p.lastHeardAgoMs === null ? undefined : now - p.lastHeardAgoMs;
      // lastHeardAgoMs is rounded: a move of a ms or two is the same beat.
      if (at !== undefined && (heard === undefined || at > heard + 2)) {
        if (heard !== undefined) silenceMs = Math.max(silenceMs, Math.round(at - heard));
        heard = at;
      }
      if (now < end) return void clock.after(WATCH_POLL_MS, look);
      if (heard !== undefined) silenceMs = Math.max(silenceMs, Math.round(now - heard));
      resolve({
        ok: true,
        value: { silenceMs, path: PATH_STATES[pathWorst] ?? 'down', peer: PEER_STATES[peerWorst] ?? 'dead' },
      });
    };
    look();
  });
}
