// The failover machine's GroupRunner over real resource groups
// (firmware/resources): each configured group is built once with its agents
// (factory.ts buildGroup); a started group is watched by a GroupMonitor, and
// a monitor that gives up ("needs failover") becomes the core's group-failed
// event through onGroupFailed.
import type { ControllerId } from '../cluster/codes.ts';
import type { GroupStatus, ResourceStatus } from '../status/snapshot.ts';
import type { GroupMove, GroupRunner } from '../failover/moves.ts';
import { buildGroup, type GroupDeps, type GroupEntry } from './factory.ts';
import type { ResourceGroup } from './group.ts';
import type { Transition } from './ports.ts';
import { GroupMonitor, type NeedsFailover } from './monitor.ts';

export interface ConfiguredGroup extends GroupEntry {
  readonly preferred: ControllerId;
}

interface Built {
  readonly group: ResourceGroup;
  readonly monitor: GroupMonitor;
}

export interface ResourceGroupRunnerOptions {
  readonly groups: readonly ConfiguredGroup[];
  readonly deps: GroupDeps;
  readonly onGroupFailed: (e: NeedsFailover) => void;
  /** Told about groups whose configuration is wrong (they never start). */
  readonly onConfigError: (group: string, detail: string) => void;
}

export class ResourceGroupRunner implements GroupRunner {
  private readonly built = new Map<string, Built>();
  private readonly broken = new Map<string, string>();
  private readonly preferred = new Map<string, ControllerId>();
  /** The resource whose start failed, per group, until the group starts again. */
  private readonly startFailed = new Map<string, string>();
  private readonly onGroupFailed: (e: NeedsFailover) => void;

  constructor(o: ResourceGroupRunnerOptions) {
    this.onGroupFailed = o.onGroupFailed;
    o.groups.forEach((entry, i) => {
      this.preferred.set(entry.name, entry.preferred);
      const r = buildGroup(entry, o.deps, `/groups/${i}`);
      if (!r.ok) {
        const detail = r.error.map((e) => `${e.path} ${e.message}`).join('; ');
        this.broken.set(entry.name, detail);
        o.onConfigError(entry.name, detail);
        return;
      }
      const monitor = new GroupMonitor({
        group: r.value.group,
        clock: o.deps.clock,
        policy: r.value.restartPolicy,
        ...(o.deps.events ? { events: o.deps.events } : {}),
        ...(o.deps.alarms ? { alarms: o.deps.alarms } : {}),
        onNeedsFailover: (e) => o.onGroupFailed(e),
      });
      this.built.set(entry.name, { group: r.value.group, monitor });
    });
  }

  async startGroup(name: string, move?: GroupMove): Promise<boolean> {
    const b = this.built.get(name);
    if (b === undefined) return false;
    // A group that failed here earlier is started again only by a new
    // decision of the core (a takeover back after the peer failed too).
    b.group.clearFailure();
    const out = await b.group.start(transitionOf(move, 'start'));
    if (out.ok) b.monitor.start();
    if (out.ok || out.failed === undefined) this.startFailed.delete(name);
    else this.startFailed.set(name, out.failed.resource);
    return out.ok;
  }

  async stopGroup(name: string, mode: 'graceful' | 'now', move?: GroupMove): Promise<boolean> {
    const b = this.built.get(name);
    if (b === undefined) return true; // never built, so never running
    b.monitor.stop();
    // The self-fence drops the service addresses before anything else: they
    // are the one thing the disk reservation does not protect, and the
    // peer's takeover wait only allows a short stop budget for them.
    const out =
      mode === 'now' ? await b.group.stopUrgently() : await b.group.stop(transitionOf(move, 'stop'));
    return out.ok || !out.stopFailed;
  }

  /**
   * Operator cleanup: reset the restart counts; a group we still hold that is
   * failed here is stopped and started again in place (Pacemaker re-probes
   * and restarts on cleanup). Resolves true when such a restart worked; a
   * restart that fails is a new group failure for the core.
   */
  async cleanup(name: string, heldHere: boolean): Promise<boolean> {
    const b = this.built.get(name);
    if (b === undefined) return false;
    b.monitor.resetFailures();
    if (b.group.state !== 'failed') return false;
    if (!heldHere) {
      b.group.clearFailure();
      return false;
    }
    const stopped = await b.group.stop();
    b.group.clearFailure();
    const out = stopped.ok ? await b.group.start() : stopped;
    if (out.ok) {
      b.monitor.start();
      return true;
    }
    if (b.group.state !== 'failed') b.group.markFailed(out.reason);
    this.onGroupFailed({ group: name, resource: '', reason: `restart after cleanup failed: ${out.reason}` });
    return false;
  }

  /**
   * At boot, before the first heartbeat: find what a previous process left
   * running of this group and stop it. Resolves the agents found; `stopped`
   * false means something may still run (the stop failed).
   */
  async recoverLeftovers(name: string): Promise<{ found: string[]; stopped: boolean }> {
    const b = this.built.get(name);
    if (b === undefined) return { found: [], stopped: true };
    const found = await b.group.findLeftovers();
    if (found.length === 0) return { found, stopped: true };
    const out = await b.group.stopLeftovers();
    return { found, stopped: out.ok };
  }

  /** For status: what each group is doing here (owner filled in by the caller). */
  localState(name: string): GroupStatus['state'] {
    return this.built.get(name)?.group.state ?? 'failed';
  }

  /** For status: each resource of the group, its health here and its recent monitor failures. */
  resourceStatus(name: string): ResourceStatus[] {
    const b = this.built.get(name);
    if (b === undefined) return [];
    const state = b.group.state;
    return b.group.agents.map((agent, i) => {
      const checked = b.monitor.lastCheckOk(i);
      const failedHere = checked === false || this.startFailed.get(name) === agent.name;
      const health =
        state === 'running'
          ? checked === false
            ? 'failed'
            : 'ok'
          : state === 'failed'
            ? failedHere
              ? 'failed'
              : 'stopped'
            : state;
      return { name: agent.name, type: agent.type, health, failCount: b.monitor.recentFailures(i) };
    });
  }

  preferredOf(name: string): ControllerId {
    return this.preferred.get(name) ?? 'A';
  }

  stopMonitors(): void {
    for (const b of this.built.values()) b.monitor.stop();
  }
}

function transitionOf(move: GroupMove | undefined, plain: 'start' | 'stop'): Transition {
  if (move === undefined) return { event: plain, from: null, to: null, reason: plain };
  return { event: move.kind, from: move.from, to: move.to, reason: move.reason };
}
