// Who stopped each group last, and when: placement gives a group freed by a
// switchover, failback or handover to the controller that did NOT release
// it, and a start counts as a move (hooks run) only if the peer released the
// group within the handover window.
import type { ControllerId } from '../cluster/codes.ts';

export class ReleaseMemory {
  private readonly windowMs: number;
  private readonly peer: ControllerId;
  private readonly releasedBy = new Map<string, { by: ControllerId; atMs: number }>();
  private lastPeerGroups: readonly string[] = [];

  /** windowMs: how long a release (or our own join) is remembered. */
  constructor(peer: ControllerId, windowMs: number) {
    this.peer = peer;
    this.windowMs = windowMs;
  }

  note(group: string, by: ControllerId, atMs: number): void {
    this.releasedBy.set(group, { by, atMs });
  }

  /** A group that left the peer's heartbeat list was released by the peer. Returns those just released. */
  trackPeer(groups: readonly string[], now: number): string[] {
    const released = this.lastPeerGroups.filter((g) => !groups.includes(g));
    for (const g of released) this.note(g, this.peer, now);
    this.lastPeerGroups = groups;
    return released;
  }

  /** Who stopped `group` last, if that was within the handover window. */
  recentlyReleasedBy(group: string, now: number): ControllerId | undefined {
    const rel = this.releasedBy.get(group);
    return rel !== undefined && now - rel.atMs < this.windowMs ? rel.by : undefined;
  }
}
