// Where a simulated box's dummy resources keep their state: one ledger for
// both controllers, so a test can ask who holds a resource at any instant.
// A resource counts as held from the moment its start begins until its stop
// has finished (the cautious reading: a starting database may already
// write). Starts and stops take time, on the controller's own clock, so a
// stall or a crash can land in the middle of one. The hooks a group runs on
// a move are recorded too, as the lab's recording hook script does.
import type { ControllerId } from '../cluster/codes.ts';
import type { DummyStore } from '../resources/agents/dummy.ts';
import type { CommandRunner } from '../resources/command.ts';
import type { SimProcess } from './process.ts';

export interface LedgerTiming {
  readonly startMs: number;
  readonly stopMs: number;
}

export class ResourceLedger {
  private readonly holders = new Map<string, Set<ControllerId>>();
  private readonly timing: LedgerTiming;
  /** Moves that ran hooks ("B start db failover A->B"), in order. */
  readonly moves: string[] = [];
  /** "A/db": starts of this resource on this controller fail (a broken resource there). */
  readonly brokenStarts = new Set<string>();
  /**
   * A start fails while the other controller still holds the resource, as
   * the lab's filesystem start fails (e2fsck exit 8) while a frozen peer
   * still holds the mount. Off by default: the ledger then lets both hold
   * it, so the invariants can see a double writer.
   */
  exclusive = false;

  constructor(timing: LedgerTiming = { startMs: 200, stopMs: 100 }) {
    this.timing = timing;
  }

  holdersOf(resource: string): ControllerId[] {
    return [...(this.holders.get(resource) ?? [])].sort();
  }

  /** The resource dies on this controller (its process crashed): its monitor will notice. */
  lose(id: ControllerId, resource: string): void {
    this.holders.get(resource)?.delete(id);
  }

  /** Power loss: everything this controller ran is gone. */
  dropAll(id: ControllerId): void {
    for (const s of this.holders.values()) s.delete(id);
  }

  /** The DummyStore of controller `id`, running on its process. */
  store(id: ControllerId, proc: SimProcess): DummyStore {
    const set = (name: string, on: boolean): void => {
      const s = this.holders.get(name) ?? new Set<ControllerId>();
      if (on) s.add(id);
      else s.delete(id);
      this.holders.set(name, s);
    };
    return {
      where: (name) => `sim ledger ${id}/${name}`,
      write: (name) => {
        const heldElsewhere = this.holdersOf(name).some((c) => c !== id);
        set(name, true);
        const broken = this.brokenStarts.has(`${id}/${name}`) || (this.exclusive && heldElsewhere);
        return new Promise((resolve, reject) =>
          proc.after(this.timing.startMs, () => {
            // A failed start leaves nothing running (the agent reports it failed).
            if (!broken) return resolve();
            set(name, false);
            reject(new Error('broken start (sim fault)'));
          }),
        );
      },
      remove: (name) =>
        new Promise((resolve) =>
          proc.after(this.timing.stopMs, () => {
            set(name, false);
            resolve();
          }),
        ),
      exists: (name) => Promise.resolve(this.holders.get(name)?.has(id) ?? false),
    };
  }

  /** The command runner of controller `id`: every hook succeeds and is recorded as a move. */
  runner(id: ControllerId): CommandRunner {
    return (spec) => {
      const env = spec.env ?? {};
      const [when, kind] = (env['TANDEM_EVENT'] ?? '').split('-');
      if (when === 'pre')
        this.moves.push(
          `${id} ${env['TANDEM_ACTION'] ?? '?'} ${env['TANDEM_GROUP'] ?? '?'} ${kind ?? '?'} ${env['TANDEM_FROM'] ?? '?'}->${env['TANDEM_TO'] ?? '?'}`,
        );
      return Promise.resolve({ kind: 'exited', code: 0, stdout: '', stderr: '' });
    };
  }
}
