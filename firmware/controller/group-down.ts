// GROUP_DOWN: a configured group that runs on no controller although one
// could run it. A takeover or a move leaves a group unowned for a while by
// design (detection, lease, fence delay, settling), so the alarm waits a
// grace period of that length before it speaks; it clears as soon as the
// group has an owner again, or nobody could run it (the root cause, such as
// a dead peer with no disk here, has its own alarm).
import type { Clock } from '../../hal/clock/clock.ts';
import type { AlarmManager } from '../alarms/alarm-manager.ts';
import type { ControllerId } from '../cluster/codes.ts';
import type { GroupStatus } from '../status/snapshot.ts';

export interface GroupDownSource {
  groups(): readonly GroupStatus[];
  /** Controllers that could run a group now (alive, with the disk, in a state that places groups). */
  candidates(): readonly ControllerId[];
}

export class GroupDownWatch {
  private readonly alarms: AlarmManager;
  private readonly clock: Clock;
  private readonly graceMs: number;
  private readonly source: GroupDownSource;
  private readonly downSince = new Map<string, number>();
  private readonly raised: Set<string>;

  constructor(alarms: AlarmManager, clock: Clock, graceMs: number, source: GroupDownSource) {
    this.alarms = alarms;
    this.clock = clock;
    this.graceMs = graceMs;
    this.source = source;
    // Left by a previous process: cleared below once the group runs again.
    this.raised = new Set(
      alarms
        .active()
        .filter((a) => a.code === 'GROUP_DOWN')
        .map((a) => a.subject),
    );
  }

  /** Call every heartbeat interval. */
  tick(): void {
    const now = this.clock.monotonicMs();
    const candidates = this.source.candidates();
    const groups = this.source.groups();
    const configured = new Set(groups.map((g) => g.name));
    for (const g of groups) {
      if (g.owner !== null || candidates.length === 0) {
        this.downSince.delete(g.name);
        this.clear(g.name);
        continue;
      }
      const since = this.downSince.get(g.name) ?? now;
      this.downSince.set(g.name, since);
      if (now - since < this.graceMs || this.raised.has(g.name)) continue;
      this.raised.add(g.name);
      this.alarms.raise('GROUP_DOWN', {
        subject: g.name,
        params: { candidates: candidates.join(' and '), downForMs: Math.round(now - since) },
      });
    }
    for (const name of [...this.raised]) if (!configured.has(name)) this.clear(name);
  }

  private clear(name: string): void {
    if (!this.raised.delete(name)) return;
    this.alarms.clear('GROUP_DOWN', name);
  }
}
