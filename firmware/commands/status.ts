// The read-only view of this controller: status, peer, paths. Answered from
// the live snapshot the LCD and MQTT also show, so every surface agrees;
// `status` adds what a one-screen summary of the box needs (resources,
// alarms, the last takeover, whether a takeover could happen now), each read
// from this controller's own parts.
import { otherController, type ControllerId } from '../cluster/codes.ts';
import { firmwareVersion } from '../core/firmware-version.ts';
import type { ControllerState } from '../core/states.ts';
import type { ControllerStatus, StatusReport, TakeoverOutlook, TakeoverRecord } from '../status/snapshot.ts';
import { PHASE_WINDOW_MS, takeoverPhases } from '../status/takeover-phases.ts';
import { argObject } from './args.ts';
import type { CommandContext } from './context.ts';
import { defineCommand, ok } from './define.ts';

export { firmwareVersion };

/** States from which a controller takes over a peer that fails (a takeover under way counts). */
const READY: readonly ControllerState[] = ['standby', 'active', 'peer-suspect', 'fencing', 'taking-over'];

/** Why `state` keeps controller `c` from taking over, if it does. */
function stateBlocks(c: ControllerId, state: ControllerState): string | null {
  if (READY.includes(state)) return null;
  switch (state) {
    case 'self-fenced':
      return `${c} is self-fenced and waits for a reboot`;
    case 'starting':
      return `${c} is still starting`;
    case 'releasing':
      return `${c} is handing groups over`;
    case 'maintenance':
      return null; // said once, as the box's maintenance
    case 'unconfigured':
      return `${c} is unconfigured: it waits for a config (tandemctl config import FILE)`;
    case 'stopping':
      return `${c} is stopping its daemon`;
    case 'standby':
    case 'active':
    case 'peer-suspect':
    case 'fencing':
    case 'taking-over':
      return null;
  }
}

/**
 * Whether each controller could take over the other's groups now: this
 * controller by what it knows of itself (state, disk access, its key on the
 * shared LUN), the peer by what its heartbeat says (heard at all, state,
 * disk access). Maintenance stops both: no automatic failover.
 */
export function takeoverOutlook(
  s: ControllerStatus,
  weAreFenced: boolean,
  maintenance: boolean,
): TakeoverOutlook[] {
  const self = s.controller;
  const peer = s.peer.id;
  const common = maintenance ? ['maintenance is on: no automatic failover'] : [];
  const mine: string[] = [];
  const state = stateBlocks(self, s.state);
  if (state !== null) mine.push(state);
  if (weAreFenced && s.state !== 'self-fenced')
    mine.push(`${self}'s key is gone from the shared disk: ${peer} fenced it`);
  if (!s.diskAccess) mine.push(`${self} cannot reach the shared disk`);
  const theirs: string[] = [];
  if (s.peer.state === 'dead') theirs.push(`${peer} is not heard on any heartbeat path`);
  else if (s.peer.state === 'suspect') theirs.push(`${peer} is suspect: its heartbeats are failing`);
  else if (s.peer.peerState === null) theirs.push(`${peer} has not reported its state yet`);
  else {
    const blocked = stateBlocks(peer, s.peer.peerState);
    if (blocked !== null) theirs.push(blocked);
    if (s.peer.diskAccess === false) theirs.push(`${peer} reports no access to the shared disk`);
  }
  const outlook = (by: ControllerId, why: string[]): TakeoverOutlook => ({
    by,
    from: otherController(by),
    possible: why.length === 0 && common.length === 0,
    why: [...common, ...why],
  });
  return [outlook(self, mine), outlook(peer, theirs)];
}

/** The newest TAKEOVER this controller raised, from its event log (the alarm may be acknowledged since). */
function lastTakeover(ctx: CommandContext, self: ControllerId): TakeoverRecord | null {
  const rows = ctx.events?.query({ code: 'TAKEOVER', limit: 50 }) ?? [];
  for (const e of rows) {
    const d = e.data;
    if (d === null || typeof d !== 'object' || Array.isArray(d) || d['action'] !== 'raise') continue;
    const params = d['params'];
    const reason =
      params !== null &&
      typeof params === 'object' &&
      !Array.isArray(params) &&
      typeof params['reason'] === 'string'
        ? params['reason']
        : e.message.replace(/^ALARM: /, '');
    const by = d['subject'] === 'A' || d['subject'] === 'B' ? d['subject'] : self;
    const transitions =
      ctx.events?.query({
        code: 'FAILOVER_TRANSITION',
        fromTs: e.ts - PHASE_WINDOW_MS,
        toTs: e.ts + PHASE_WINDOW_MS,
        limit: 500,
      }) ?? [];
    return { at: e.ts, by, reason, phases: takeoverPhases(transitions, e.ts) };
  }
  return null;
}

/** The one-screen summary `status` answers. */
export function statusReport(ctx: CommandContext): StatusReport {
  const s = ctx.status.current();
  const host = ctx.host();
  const signals = ctx.alarms?.signals?.snapshot();
  // The box's mark where a failover host keeps one; else what the two states say.
  const maintenance =
    host?.failover.status().maintenance.on ??
    (s.state === 'maintenance' || s.peer.peerState === 'maintenance');
  const groups = s.groups.map((g) => {
    const resources = host?.resourceStatus?.(g.name) ?? [];
    // Its health is known where it runs; our heartbeat from the peer carries none.
    const elsewhere = g.owner !== null && g.owner !== s.controller;
    return {
      ...g,
      resources: elsewhere ? resources.map((r) => ({ ...r, health: 'unknown' as const })) : resources,
    };
  });
  return {
    ...s,
    firmwareVersion: firmwareVersion(),
    groups,
    maintenance,
    alarms: ctx.alarms?.active() ?? [],
    lastTakeover: lastTakeover(ctx, s.controller),
    takeover: takeoverOutlook(s, host?.fencer.snapshot().weAreFenced ?? false, maintenance),
    // A handler without alarms has nothing to sound or blink.
    muted: signals?.muted ?? false,
    locate: signals?.locate ?? false,
    upgrade: ctx.upgrade?.progress() ?? null,
  };
}

export const statusCommands = [
  defineCommand({
    name: 'status',
    summary: 'a summary of the box: controllers, paths, groups and resources, alarms, takeover',
    role: 'viewer',
    // Read-only: the other controller may ask for it (firmware/peer).
    peer: true,
    args: argObject({}),
    cli: { words: ['status'] },
    run: (ctx) => ok(statusReport(ctx)),
  }),
  defineCommand({
    name: 'peer',
    summary: 'the peer controller and each heartbeat path',
    role: 'viewer',
    args: argObject({}),
    cli: { words: ['peer'] },
    run: (ctx) => ok(ctx.status.current().peer),
  }),
  defineCommand({
    name: 'paths',
    summary: 'heartbeat paths',
    role: 'viewer',
    args: argObject({}),
    cli: { words: ['paths'] },
    run: (ctx) => ok({ paths: ctx.status.current().peer.paths, counters: ctx.counters() }),
  }),
];
