// Sim resource groups: a shared ledger of who holds which group. A group
// counts as held from the moment its start begins until its stop has
// finished (the cautious reading: a starting database may already write).
import type { ControllerId } from '../../../../firmware/cluster/codes.ts';
import type { GroupRunner } from '../../../../firmware/failover/ports.ts';
import type { ControllerClock } from './controller-clock.ts';

export class GroupLedger {
  private readonly holders = new Map<string, Set<ControllerId>>();

  add(id: ControllerId, group: string): void {
    const s = this.holders.get(group) ?? new Set<ControllerId>();
    s.add(id);
    this.holders.set(group, s);
  }

  remove(id: ControllerId, group: string): void {
    this.holders.get(group)?.delete(id);
  }

  /** Power loss: everything this controller ran is gone. */
  dropAll(id: ControllerId): void {
    for (const s of this.holders.values()) s.delete(id);
  }

  holdersOf(group: string): ControllerId[] {
    return [...(this.holders.get(group) ?? [])].sort();
  }
}

export class SimGroupRunner implements GroupRunner {
  private readonly id: ControllerId;
  private readonly ledger: GroupLedger;
  private readonly clock: ControllerClock;
  private readonly startMs: number;
  private readonly stopMs: number;

  constructor(id: ControllerId, ledger: GroupLedger, clock: ControllerClock, startMs = 200, stopMs = 100) {
    this.id = id;
    this.ledger = ledger;
    this.clock = clock;
    this.startMs = startMs;
    this.stopMs = stopMs;
  }

  startGroup(name: string): Promise<boolean> {
    this.ledger.add(this.id, name);
    return new Promise((resolve) => this.clock.after(this.startMs, () => resolve(true)));
  }

  stopGroup(name: string, mode: 'graceful' | 'now'): Promise<boolean> {
    return new Promise((resolve) =>
      this.clock.after(mode === 'now' ? 0 : this.stopMs, () => {
        this.ledger.remove(this.id, name);
        resolve(true);
      }),
    );
  }
}
