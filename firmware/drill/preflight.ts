// Before a drill moves anything: the checks a takeover or a switchover
// would need to pass, on both controllers, so that a drill never starts on
// a pair that could not survive it. Each check names what it found; the
// drill refuses when any fails (docs/drill.md).
import { otherController, type ControllerId } from '../cluster/codes.ts';
import type { ReservationView } from '../commands/context.ts';
import type { Result } from '../core/result.ts';
import { boxPrefix, ownerOf } from '../fencing/keys.ts';
import type { CheckedReport } from '../status/report-check.ts';
import type { GroupStatus, ResourceStatus, StatusReport } from '../status/snapshot.ts';
import type { PreflightCheck } from './report.ts';

export interface PreflightInputs {
  readonly here: StatusReport;
  /** The peer's own status report (over the peer channel, checked), or why it could not be had. */
  readonly peer: Result<CheckedReport, string>;
  /** null when the peer answers the drill's own requests (`drill-peer`); else why not. */
  readonly peerDrill: string | null;
  readonly reservations: ReservationView;
  /** Where placement puts each group (its preferred controller, or the first group's under active-standby). */
  readonly home: (group: string) => ControllerId;
}

const hex = (k: bigint): string => `0x${k.toString(16).padStart(16, '0')}`;
/** A check from its problems (each said once: both controllers may see the same). */
function check(name: string, found: readonly string[], good: string): PreflightCheck {
  const problems = found.filter((p, n) => found.indexOf(p) === n);
  return {
    check: name,
    ok: problems.length === 0,
    detail: (problems.length === 0 ? good : problems.join('; ')).slice(0, 400),
  };
}

export function preflight(i: PreflightInputs): PreflightCheck[] {
  const self = i.here.controller;
  const peer = otherController(self);
  const report = i.peer.ok ? i.peer.value : null;
  return [
    check(
      'peer reachable',
      [
        ...(i.peer.ok ? [] : [`${peer} did not answer its status: ${i.peer.error}`]),
        ...(i.peerDrill === null ? [] : [`${peer} does not take the drill's requests: ${i.peerDrill}`]),
      ],
      `${peer} answered its status and the drill's first request over the peer channel`,
    ),
    // The takeover outlook is what status shows: each could take over from the other now.
    check(
      'both healthy',
      [
        ...i.here.takeover.filter((t) => !t.possible).flatMap((t) => t.why),
        ...(report?.takeover ?? []).filter((t) => !t.possible).flatMap((t) => t.why),
      ],
      `${self} and ${peer} could each take over from the other`,
    ),
    check(
      'heartbeat paths',
      [...pathProblems(self, i.here), ...(report === null ? [] : pathProblems(peer, report))],
      `every path up both ways`,
    ),
    check(
      'reservations',
      reservationProblems(i.here.boxId, self, i.here, i.reservations),
      reservationsGood(i),
    ),
    check(
      'groups',
      [
        ...groupProblems(self, i.here, i.home),
        ...(report === null ? [] : groupProblems(peer, report, i.home)),
      ],
      i.here.groups.length === 0
        ? 'no group is configured: only the heartbeat paths are drilled'
        : 'every group runs where it belongs, without failures',
    ),
    check(
      'no upgrade',
      [i.here.upgrade, report?.upgrade]
        .filter((u) => u !== undefined && u !== null && !['done', 'failed', 'aborted'].includes(u.step))
        .map((u) => `a rolling upgrade is at ${u?.step ?? '?'}`),
      'no rolling upgrade under way',
    ),
  ];
}

/** What both the local report and the peer's checked one have. */
type Report = Pick<StatusReport, 'peer'> & {
  readonly groups: readonly (GroupStatus & { readonly resources?: readonly ResourceStatus[] })[];
};

function pathProblems(c: ControllerId, r: Report): string[] {
  return r.peer.paths.flatMap((p) =>
    p.state !== 'up'
      ? [`${c} hears its peer on ${p.path}: ${p.state}`]
      : p.oneWay
        ? [`${p.path} is one-way as ${c} sees it`]
        : [],
  );
}

/** A group the drill can move and restart: running at home, nothing failed. */
function groupProblems(c: ControllerId, r: Report, home: (group: string) => ControllerId): string[] {
  const out: string[] = [];
  for (const g of r.groups) {
    if (g.failedOn.length > 0)
      out.push(`group ${g.name} failed on ${g.failedOn.join(' and ')} (cleanup first)`);
    if (g.owner === null) out.push(`group ${g.name} runs nowhere`);
    else if (g.owner !== home(g.name))
      out.push(`group ${g.name} runs on ${g.owner}, not at home on ${home(g.name)} (fail it back first)`);
    // Each controller knows the health of what it runs.
    if (g.owner !== c) continue;
    if (g.state !== 'running') out.push(`group ${g.name} is ${g.state} on ${c}`);
    for (const res of g.resources ?? []) {
      if (res.health !== 'ok') out.push(`${g.name}/${res.name} is ${res.health} on ${c}`);
      if (res.failCount > 0)
        out.push(`${g.name}/${res.name} failed ${res.failCount} times lately on ${c} (cleanup first)`);
    }
  }
  return out;
}

/**
 * As a takeover expects them: our key registered and not preempted, the
 * peer's one key, nothing stale (an older key of either controller) or
 * foreign, and the reservation, where a group claims one, held by one of
 * the two.
 */
function reservationProblems(
  boxId: string,
  self: ControllerId,
  here: StatusReport,
  v: ReservationView,
): string[] {
  const out: string[] = [];
  const prefix = boxPrefix(boxId);
  if (v.weAreFenced) out.push(`${self}'s key was preempted: ${self} is fenced`);
  if (v.ourKey === null) out.push(`${self} is not registered on the shared LUN`);
  else if (!v.keys.includes(v.ourKey)) out.push(`${self}'s key ${hex(v.ourKey)} is not on the shared LUN`);
  const peerKeys = v.keys.filter((k) => ownerOf(k, prefix, self) === 'peer');
  const stale = v.keys.filter((k) => ownerOf(k, prefix, self) === 'ours' && k !== v.ourKey);
  const foreign = v.keys.filter((k) => ownerOf(k, prefix, self) === 'foreign');
  if (peerKeys.length === 0) out.push(`no key of ${otherController(self)} on the shared LUN`);
  if (peerKeys.length > 1)
    out.push(`stale keys of ${otherController(self)}: ${peerKeys.map(hex).join(', ')}`);
  if (stale.length > 0) out.push(`stale keys of ${self}: ${stale.map(hex).join(', ')}`);
  if (foreign.length > 0) out.push(`keys of another box: ${foreign.map(hex).join(', ')}`);
  const claimed = here.groups.some((g) => g.resources.some((r) => r.type === 'reservation'));
  if (v.reservation === null) {
    if (claimed) out.push('no reservation on the shared LUN, though a group holds one');
  } else if (!v.keys.includes(v.reservation.key))
    out.push(`the reservation is held by ${hex(v.reservation.key)}, which is not registered`);
  return out;
}

function reservationsGood(i: PreflightInputs): string {
  const v = i.reservations;
  const keys = `${v.keys.length} keys (${v.keys.map(hex).join(', ')})`;
  return v.reservation === null
    ? `${keys}, no reservation`
    : `${keys}, reserved by ${hex(v.reservation.key)}`;
}
