// How groups move between the controllers: the contract of whoever starts
// and stops them (resources/group-runner.ts in the product), and which start
// or stop is a move that runs the pre/post failover or failback hooks (i2's
// failover and failback scripts). failback = towards the group's home.
import type { ControllerId } from '../cluster/codes.ts';
import type { FailoverEvent, FailoverEventType } from './events.ts';
import { homeOf, type PlacementConfig } from './placement.ts';

export interface GroupMove {
  readonly kind: 'failover' | 'failback';
  readonly from: ControllerId;
  readonly to: ControllerId;
  readonly reason: string;
}

export interface GroupRunner {
  /** Start the group's resources in order. Resolves false when the start failed. */
  startGroup(name: string, move?: GroupMove): Promise<boolean>;
  /**
   * Stop the group's resources in reverse order. 'now' is the self-fence
   * stop: service addresses first, no hooks, no grace period for the
   * database. Resolves false when the stop failed (the resource may still run).
   */
  stopGroup(name: string, mode: 'graceful' | 'now', move?: GroupMove): Promise<boolean>;
}

/** Events whose stop-groups hands the groups to the peer (table.ts). */
const HANDOVER_EVENTS: readonly FailoverEventType[] = [
  'failback-timer',
  'operator-failback',
  'operator-switchover',
  'disk-lost',
  'group-failed',
];

/** The event as hook scripts see it in TANDEM_REASON. */
export function describe(event: FailoverEvent): string {
  return event.detail === undefined ? event.type : `${event.type}: ${event.detail}`;
}

/**
 * A start is a move (hooks run) when the group comes from the peer: we
 * fenced it, or it released the group moments ago. A group nobody ran (the
 * first placement after boot) just starts.
 */
export function moveIn(
  cfg: PlacementConfig,
  self: ControllerId,
  peer: ControllerId,
  group: string,
  event: FailoverEvent,
  from: { readonly releasedByPeer: boolean; readonly fencedPeer: boolean },
): GroupMove | undefined {
  if (event.type !== 'fence-ok' && !(event.type === 'group-free' && (from.releasedByPeer || from.fencedPeer)))
    return undefined;
  const kind = homeOf(cfg, group) === self ? 'failback' : 'failover';
  return { kind, from: peer, to: self, reason: describe(event) };
}

/** A graceful stop is a move when it hands the group to the peer; a self-fence runs no hooks. */
export function moveOut(
  cfg: PlacementConfig,
  self: ControllerId,
  peer: ControllerId,
  group: string,
  event: FailoverEvent,
): GroupMove | undefined {
  if (!HANDOVER_EVENTS.includes(event.type)) return undefined;
  const back = event.type === 'failback-timer' || event.type === 'operator-failback';
  const kind = back || homeOf(cfg, group) === peer ? 'failback' : 'failover';
  return { kind, from: self, to: peer, reason: describe(event) };
}
