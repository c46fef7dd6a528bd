// GROUP_DOWN: a configured group that runs on no controller although one
// could run it. A takeover or a move leaves a group unowned for a while by
// design (detection, lease, fence delay, settling), so the alarm waits a
// grace period of that length before it speaks. It clears as soon as the
// group runs again (an owner that is not stopping it) or nobody could run it
// (the root cause, such as a dead peer with no disk here, has its own
// alarm); a start here in flight leaves it as it is. The alarm says what the
// group waits for (a start retry, a sign from the peer, an operator) and is
// raised again, with the new text, when that changes.
import type { Clock } from '../../hal/clock/clock.ts';
import type { AlarmManager } from '../alarms/alarm-manager.ts';
import { otherController, type ControllerId } from '../cluster/codes.ts';
import type { StartWait } from '../failover/start-retry.ts';
import type { GroupStatus } from '../status/snapshot.ts';

export interface GroupDownSource {
  groups(): readonly GroupStatus[];
  /** Controllers that could run a group now (alive, with the disk, in a state that places groups). */
  candidates(): readonly ControllerId[];
  /** What a group that failed here waits for before it starts here again (failover machine startWait). */
  startWait(group: string): StartWait | undefined;
}

/** What an unowned group waits for: `key` changes only when the wait does (not with its countdown). */
export interface GroupWaitText {
  readonly key: string;
  readonly text: string;
}

export function groupWaitText(
  self: ControllerId,
  g: GroupStatus,
  wait: StartWait | undefined,
): GroupWaitText {
  const peer = otherController(self);
  if (wait !== undefined) {
    switch (wait.kind) {
      case 'last-resort':
        return { key: 'last-resort', text: `its last-resort start on ${self} is due` };
      case 'cause':
        return {
          key: 'cause',
          text: `its start failed on ${self}; retried once ${peer} has self-fenced, released it or been confirmed down`,
        };
      case 'retry':
        return {
          key: `retry ${wait.retry}`,
          text: `retrying its start on ${self} in ${Math.ceil(wait.inMs / 1000)} s (retry ${wait.retry} of ${wait.of})`,
        };
      case 'gave-up':
        return {
          key: 'gave-up',
          text: `its start on ${self} failed again after ${wait.retries} retries: waiting for tandemctl cleanup or the failure to expire`,
        };
    }
  }
  if (g.failedOn.includes(peer))
    return {
      key: 'failed-on-peer',
      text: `it failed on ${peer}, whose own GROUP_DOWN says what it waits for`,
    };
  if (g.failedOn.includes(self))
    return { key: 'failed-here', text: `it failed on ${self}; waiting for ${peer} to start it` };
  return { key: 'placement', text: 'waiting for a takeover or placement to start it' };
}

export class GroupDownWatch {
  private readonly alarms: AlarmManager;
  private readonly clock: Clock;
  private readonly graceMs: number;
  private readonly self: ControllerId;
  private readonly source: GroupDownSource;
  private readonly downSince = new Map<string, number>();
  /** Raised alarms, by group, with the key of the wait they say. */
  private readonly raised: Map<string, string>;

  constructor(
    alarms: AlarmManager,
    clock: Clock,
    graceMs: number,
    self: ControllerId,
    source: GroupDownSource,
  ) {
    this.alarms = alarms;
    this.clock = clock;
    this.graceMs = graceMs;
    this.self = self;
    this.source = source;
    // Left by a previous process: cleared below once the group runs again,
    // and raised again with what it waits for now.
    this.raised = new Map(
      alarms
        .active()
        .filter((a) => a.code === 'GROUP_DOWN')
        .map((a) => [a.subject, '']),
    );
  }

  /** Call every heartbeat interval. */
  tick(): void {
    const now = this.clock.monotonicMs();
    const candidates = this.source.candidates();
    const groups = this.source.groups();
    const configured = new Set(groups.map((g) => g.name));
    for (const g of groups) {
      // A start here in flight (a retry among them) neither clears nor
      // raises: it may fail again, and a slow start is no outage of its own.
      if (g.owner === this.self && g.state === 'starting') continue;
      // A group being stopped (a self-fenced peer's, a release here) is not served.
      const served = g.owner !== null && g.state !== 'stopping';
      if (served || candidates.length === 0) {
        this.downSince.delete(g.name);
        this.clear(g.name);
        continue;
      }
      const since = this.downSince.get(g.name) ?? now;
      this.downSince.set(g.name, since);
      if (now - since < this.graceMs) continue;
      const wait = groupWaitText(this.self, g, this.source.startWait(g.name));
      if (this.raised.get(g.name) === wait.key) continue;
      this.raised.set(g.name, wait.key);
      this.alarms.raise('GROUP_DOWN', {
        subject: g.name,
        params: {
          candidates: candidates.join(' and '),
          downForMs: Math.round(now - since),
          waiting: wait.text,
        },
      });
    }
    for (const name of [...this.raised.keys()]) if (!configured.has(name)) this.clear(name);
  }

  private clear(name: string): void {
    if (!this.raised.delete(name)) return;
    this.alarms.clear('GROUP_DOWN', name);
  }
}
