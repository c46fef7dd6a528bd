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
import { GroupMonitor, type NeedsFailover, type RestartPolicy } from './monitor.ts';
import { isOk } from './ocf.ts';

export interface ConfiguredGroup extends GroupEntry {
  readonly preferred: ControllerId;
}

interface Built {
  readonly group: ResourceGroup;
  readonly monitor: GroupMonitor;
  readonly policy: RestartPolicy;
}

/** The drill's resource failure, staged (crashForDrill); resource '' when the group has none to kill. */
export type DrillCrash =
  | {
      readonly ok: true;
      readonly resource: string;
      readonly type: string;
      readonly detail: string;
      /** The longest the monitor may take to notice and restart it: the drill waits this long. */
      readonly waitMs: number;
    }
  | { readonly ok: false; readonly error: string };

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
      this.built.set(entry.name, { group: r.value.group, monitor, policy: r.value.restartPolicy });
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

  /**
   * The failover drill's resource failure: the group's database
   * (postgresql; in a simulation, whose groups have none, its last dummy)
   * dies here as in a crash, and the monitor is left to notice and restart
   * it. Refused when that restart would be one more than the group's
   * restart policy allows: the drill never causes a failover.
   */
  async crashForDrill(name: string): Promise<DrillCrash> {
    const b = this.built.get(name);
    if (b === undefined) return { ok: false, error: `group ${name} cannot run here` };
    if (b.group.state !== 'running' || !b.monitor.running)
      return { ok: false, error: `group ${name} is ${b.group.state} here, not running` };
    const agents = b.group.agents;
    const pg = agents.findIndex((a) => a.type === 'postgresql');
    const index = pg >= 0 ? pg : agents.findLastIndex((a) => a.type === 'dummy');
    const agent = agents[index];
    // Nothing to stage: said as such (resource ''), not a failure.
    if (agent?.crash === undefined)
      return {
        ok: true,
        resource: '',
        type: '',
        detail: `group ${name} has no database (postgresql)`,
        waitMs: 0,
      };
    const used = b.monitor.recentFailures(index);
    if (used + 1 > b.policy.maxRestarts)
      return {
        ok: false,
        error:
          `group ${name}: a kill of ${agent.name} would hand the group over (its restart policy allows ` +
          `${b.policy.maxRestarts} local restarts within ${b.policy.windowMs} ms; ${used} used)`,
      };
    const r = await agent.crash();
    if (!isOk(r)) return { ok: false, error: `${agent.type} ${agent.name}: ${r.reason}` };
    // Noticed at the next check at the latest, then it and what depends on it stop and start again.
    let waitMs = agent.monitorIntervalMs + agent.timeouts.monitor;
    for (const a of agents.slice(index)) waitMs += a.timeouts.stop + a.timeouts.start;
    return { ok: true, resource: agent.name, type: agent.type, detail: r.reason, waitMs };
  }

  /**
   * After the drill's restart: its failure is not counted against the
   * restart policy (the drill's preflight found the group without failures).
   */
  forgetDrillFailure(name: string): void {
    this.built.get(name)?.monitor.resetFailures();
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
