// Local monitoring of a running group, Pacemaker-style: every resource is
// checked at its own interval; a failure is first repaired where it happened
// (restart the resource and what depends on it), up to maxRestarts times per
// resource within windowMs. One more failure, or a restart that fails, and
// the group is marked failed and "needs failover" is raised for the failover
// core, with the reason in the event log and a RESOURCE_FAILED alarm.
import type { Clock, TimerHandle } from '../../hal/clock/clock.ts';
import type { ResourceGroup } from './group.ts';
import { describeResult, isHardFailure, isOk } from './ocf.ts';
import type { AlarmPort, EventSink } from './ports.ts';

export interface RestartPolicy {
  /** Local restarts allowed per resource within windowMs (0 = fail over at once). */
  readonly maxRestarts: number;
  readonly windowMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { maxRestarts: 3, windowMs: 600_000 };

export interface NeedsFailover {
  readonly group: string;
  readonly resource: string;
  readonly reason: string;
}

export interface GroupMonitorOptions {
  readonly group: ResourceGroup;
  readonly clock: Clock;
  readonly policy?: RestartPolicy;
  readonly events?: EventSink;
  readonly alarms?: AlarmPort;
  readonly onNeedsFailover: (event: NeedsFailover) => void;
}

export class GroupMonitor {
  private readonly opts: GroupMonitorOptions;
  private readonly policy: RestartPolicy;
  private timers: TimerHandle[] = [];
  private readonly inFlight = new Set<number>();
  /** Monotonic times of recent failures, per resource index. */
  private readonly failures = new Map<number, number[]>();
  /** Whether each resource's last check passed; absent: not checked since the group started. */
  private readonly lastOk = new Map<number, boolean>();

  constructor(options: GroupMonitorOptions) {
    this.opts = options;
    this.policy = options.policy ?? DEFAULT_RESTART_POLICY;
  }

  get running(): boolean {
    return this.timers.length > 0;
  }

  /** Begin checking; call after the group has started. */
  start(): void {
    if (this.running) return;
    this.lastOk.clear();
    this.opts.group.agents.forEach((agent, index) => {
      this.timers.push(this.opts.clock.every(agent.monitorIntervalMs, () => void this.check(index)));
    });
  }

  /** Stop checking; call before stopping the group. Failure history is kept. */
  stop(): void {
    for (const t of this.timers) t.cancel();
    this.timers = [];
  }

  /** Operator cleanup: the restart counts start again from zero. */
  resetFailures(): void {
    this.failures.clear();
  }

  /** Restarts counted against `resource` within the window now. */
  recentFailures(index: number): number {
    return this.prune(index).length;
  }

  /** Whether resource `index` passed its last check here (undefined: not checked since the start). */
  lastCheckOk(index: number): boolean | undefined {
    return this.lastOk.get(index);
  }

  /** Exposed for tests and for tandemctl "check now". */
  async check(index: number): Promise<void> {
    const { group } = this.opts;
    const agent = group.agents[index];
    if (!agent || this.inFlight.has(index)) return;
    this.inFlight.add(index);
    try {
      const result = await group.monitorResource(index);
      // null: the group is busy or not running; nothing to judge.
      if (result === null || !this.running) return;
      this.lastOk.set(index, isOk(result));
      if (isOk(result)) return;
      const history = this.prune(index);
      history.push(this.opts.clock.monotonicMs());
      const what = `${agent.type} ${agent.name} failed its monitor: ${describeResult(result)}`;
      if (isHardFailure(result)) {
        this.escalate(agent.name, `${what} (a restart here cannot help)`);
        return;
      }
      if (history.length > this.policy.maxRestarts) {
        this.escalate(agent.name, `${what} (${history.length} failures within ${this.policy.windowMs} ms)`);
        return;
      }
      this.log(
        'warning',
        'RESOURCE_MONITOR_FAILED',
        `${what}; local restart ${history.length} of ${this.policy.maxRestarts}`,
        agent.name,
      );
      const outcome = await group.restartFrom(index);
      if (!outcome.ok) this.escalate(agent.name, `${what}; local restart failed: ${outcome.reason}`);
      else {
        this.lastOk.set(index, true);
        this.log('notice', 'RESOURCE_RESTARTED', `${agent.type} ${agent.name} restarted locally`, agent.name);
      }
    } finally {
      this.inFlight.delete(index);
    }
  }

  private escalate(resource: string, reason: string): void {
    const { group } = this.opts;
    this.stop();
    if (group.state !== 'failed') group.markFailed(reason);
    this.log('error', 'GROUP_NEEDS_FAILOVER', `group ${group.name} needs failover: ${reason}`, resource);
    this.opts.alarms?.raise('RESOURCE_FAILED', { subject: `${group.name}/${resource}`, params: { reason } });
    this.opts.onNeedsFailover({ group: group.name, resource, reason });
  }

  private prune(index: number): number[] {
    const since = this.opts.clock.monotonicMs() - this.policy.windowMs;
    const kept = (this.failures.get(index) ?? []).filter((t) => t > since);
    this.failures.set(index, kept);
    return kept;
  }

  private log(
    severity: 'notice' | 'warning' | 'error',
    code: string,
    message: string,
    resource: string,
  ): void {
    const group = this.opts.group.name;
    this.opts.events?.append({
      severity,
      source: `resource:${group}/${resource}`,
      code,
      message,
      data: { group, resource },
    });
  }
}
