// Which groups nobody runs that placement gives us, once they have been free
// long enough to be sure (a few intervals: the peer's heartbeat that claims
// a group may be on its way), or at once when the peer released them to us.
import type { ControllerId } from '../cluster/codes.ts';
import { runnerOfFreeGroup, type PlacementConfig } from './placement.ts';

export interface FreeGroupInputs {
  readonly now: number;
  readonly held: ReadonlySet<string>;
  readonly peerGroups: readonly string[];
  readonly selfCandidate: boolean;
  readonly peerCandidate: boolean;
  readonly failedHere: readonly string[];
  readonly failedThere: readonly string[];
  /** Just joined: we do not know what the peer has seen released. */
  readonly fresh: boolean;
  readonly releasedBy: (group: string) => ControllerId | undefined;
}

export class FreeGroups {
  private readonly cfg: PlacementConfig;
  private readonly self: ControllerId;
  private readonly settleMs: number;
  private readonly freeSince = new Map<string, number>();

  constructor(cfg: PlacementConfig, self: ControllerId, settleMs: number) {
    this.cfg = cfg;
    this.self = self;
    this.settleMs = settleMs;
  }

  forUs(v: FreeGroupInputs): string[] {
    const out: string[] = [];
    for (const { name } of this.cfg.groups) {
      if (v.held.has(name) || v.peerGroups.includes(name)) {
        this.freeSince.delete(name);
        continue;
      }
      const releasedBy = v.releasedBy(name);
      let runner = runnerOfFreeGroup(this.cfg, name, {
        self: this.self,
        selfCandidate: v.selfCandidate,
        peerCandidate: v.peerCandidate,
        releasedBy,
        failedOnSelf: v.failedHere.includes(name),
        failedOnPeer: v.failedThere.includes(name),
      });
      // Just joined: leave free groups to the peer if it can take them (its
      // memory of who released what is better than ours).
      if (v.fresh && v.peerCandidate && releasedBy === undefined) runner = null;
      if (runner !== this.self) {
        this.freeSince.delete(name);
        continue;
      }
      // Released by the peer: its own placement hands the group to us, so no
      // claim of its can be on the way and there is nothing to wait for.
      if (releasedBy !== undefined && releasedBy !== this.self) {
        this.freeSince.delete(name);
        out.push(name);
        continue;
      }
      const since = this.freeSince.get(name) ?? v.now;
      this.freeSince.set(name, since);
      if (v.now - since >= this.settleMs) out.push(name);
    }
    return out;
  }
}
