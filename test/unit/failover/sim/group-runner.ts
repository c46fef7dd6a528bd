// Sim resource groups: a shared ledger of who holds which group. A group
// counts as held from the moment its start begins until its stop has
// finished (the cautious reading: a starting database may already write).
import type { ControllerId } from '../../../../firmware/cluster/codes.ts';
import type { GroupMove, GroupRunner } from '../../../../firmware/failover/ports.ts';
import type { ControllerClock } from './controller-clock.ts';

export class GroupLedger {
  private readonly holders = new Map<string, Set<ControllerId>>();
  /** Starts and stops that ran hooks ("B start db failover A->B"), in order. */
  readonly moves: string[] = [];
  /** "A/db": starts of this group on this controller fail (a broken resource there). */
  readonly brokenStarts = new Set<string>();

  noteMove(id: ControllerId, action: 'start' | 'stop', group: string, move: GroupMove | undefined): void {
    if (move !== undefined) this.moves.push(`${id} ${action} ${group} ${move.kind} ${move.from}->${move.to}`);
  }

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

  startGroup(name: string, move?: GroupMove): Promise<boolean> {
    this.ledger.add(this.id, name);
    this.ledger.noteMove(this.id, 'start', name, move);
    const broken = this.ledger.brokenStarts.has(`${this.id}/${name}`);
    return new Promise((resolve) =>
      this.clock.after(this.startMs, () => {
        // A failed start rolls back what it started (resources/group.ts), so nothing is left held.
        if (broken) this.ledger.remove(this.id, name);
        resolve(!broken);
      }),
    );
  }

  stopGroup(name: string, mode: 'graceful' | 'now', move?: GroupMove): Promise<boolean> {
    this.ledger.noteMove(this.id, 'stop', name, move);
    return new Promise((resolve) =>
      this.clock.after(mode === 'now' ? 0 : this.stopMs, () => {
        this.ledger.remove(this.id, name);
        resolve(true);
      }),
    );
  }
}
