// A resource group: resources started in order and stopped in reverse (the
// reservation before the filesystem before the database). A failed start
// stops what it had started, in reverse, so a half-started group never
// lingers. A failed stop halts the stop right there: releasing the disks
// below a filesystem that would not unmount would let the peer mount it
// twice, so the caller must fence this controller instead (stopFailed).
import type { Clock } from '../../hal/clock/clock.ts';
import type { ControllerId } from '../cluster/codes.ts';
import type { GroupStatus } from '../status/snapshot.ts';
import { runAction } from './agent.ts';
import type { Action, ResourceAgent } from './agent.ts';
import type { CommandRunner } from './command.ts';
import { runHooks } from './hooks.ts';
import type { HookEvent, HookSpec } from './hooks.ts';
import { OCF, describeResult, fail, isOk } from './ocf.ts';
import type { OcfCode, OcfResult } from './ocf.ts';
import type { AlarmPort, EventSink, Transition } from './ports.ts';

export type GroupState = GroupStatus['state'];

export interface ActionRecord {
  readonly resource: string;
  readonly action: Action;
  readonly result: OcfResult;
}

export interface GroupOutcome {
  readonly ok: boolean;
  readonly reason: string;
  /** The first action that failed, if any. */
  readonly failed?: ActionRecord;
  /** A stop failed: resources may still hold the disks; fence before the peer starts. */
  readonly stopFailed: boolean;
  readonly actions: readonly ActionRecord[];
}

export interface ResourceGroupOptions {
  readonly name: string;
  readonly controller: ControllerId;
  readonly agents: readonly ResourceAgent[];
  readonly hooks?: readonly HookSpec[];
  readonly clock: Clock;
  readonly run: CommandRunner;
  readonly events?: EventSink;
  readonly alarms?: AlarmPort;
}

const PLAIN_START: Transition = { event: 'start', from: null, to: null, reason: 'start' };
const PLAIN_STOP: Transition = { event: 'stop', from: null, to: null, reason: 'stop' };
/** Monitor answers that mean "nothing of this runs here". */
const STOPPED_CODES: readonly OcfCode[] = [OCF['not-running'], OCF['not-installed'], OCF['not-configured']];

export class ResourceGroup {
  readonly name: string;
  readonly agents: readonly ResourceAgent[];
  private readonly opts: ResourceGroupOptions;
  private current: GroupState = 'stopped';
  private failReason = '';
  /**
   * Set by the self-fence (stopUrgently) before its stop is even queued: from
   * then on nothing starts here, not even the rest of a local restart that
   * was under way (one that had just stopped a resource on a fenced disk
   * would otherwise start it again, seen on a real kernel: test/kernel/
   * zombie-writer). A self-fenced controller waits for a reboot, which is a
   * new process; nothing lifts the halt.
   */
  private halted = false;
  /** Start, stop and restart never overlap; monitor checks skip while busy. */
  private queue: Promise<unknown> = Promise.resolve();
  private pending = 0;

  constructor(options: ResourceGroupOptions) {
    const names = new Set<string>();
    for (const a of options.agents) {
      if (names.has(a.name)) throw new Error(`group ${options.name}: two resources named ${a.name}`);
      names.add(a.name);
    }
    this.name = options.name;
    this.agents = options.agents;
    this.opts = options;
  }

  get state(): GroupState {
    return this.current;
  }

  /** Why the group is failed ('' otherwise). */
  get failure(): string {
    return this.current === 'failed' ? this.failReason : '';
  }

  get busy(): boolean {
    return this.pending > 0;
  }

  /** Validates every resource; nothing is touched. */
  validate(): Promise<GroupOutcome> {
    return this.serial(async () => {
      const actions: ActionRecord[] = [];
      for (const agent of this.agents) {
        const rec = await this.act(agent, 'validate');
        actions.push(rec);
        if (!isOk(rec.result)) return this.outcome(false, actions, rec);
      }
      return this.outcome(true, actions);
    });
  }

  start(transition: Transition = PLAIN_START): Promise<GroupOutcome> {
    return this.serial(async () => {
      if (this.current === 'running')
        return { ok: true, reason: 'already running', stopFailed: false, actions: [] };
      if (this.current === 'failed') {
        const reason = `group failed here (${this.failReason}); clear the failure first`;
        return { ok: false, reason, stopFailed: false, actions: [] };
      }
      this.current = 'starting';
      const pre = await this.hooks(transition, 'pre', 'start');
      if (!pre.proceed) return this.failStart(pre.reason, []);
      const actions: ActionRecord[] = [];
      const started = await this.startRange(0, actions);
      if (started !== true) return this.rollback(started, actions);
      const post = await this.hooks(transition, 'post', 'start');
      if (!post.proceed) return this.rollback(null, actions, post.reason);
      this.current = 'running';
      this.log('info', 'GROUP_STARTED', `group ${this.name} started`, post.reason);
      return { ok: true, reason: post.reason, stopFailed: false, actions };
    });
  }

  /** Stops every resource, even ones it does not believe running (each stop is idempotent). */
  stop(transition: Transition = PLAIN_STOP): Promise<GroupOutcome> {
    return this.serial(async () => {
      const wasFailed = this.current === 'failed';
      const pre = await this.hooks(transition, 'pre', 'stop');
      if (!pre.proceed) return { ok: false, reason: pre.reason, stopFailed: false, actions: [] };
      this.current = 'stopping';
      const actions: ActionRecord[] = [];
      const stopped = await this.stopRange(0, actions);
      if (stopped !== true) return this.stopFailure(stopped, actions);
      const post = await this.hooks(transition, 'post', 'stop');
      // A failed group stays failed (so it does not start here again) until cleared.
      this.current = wasFailed ? 'failed' : 'stopped';
      this.log('info', 'GROUP_STOPPED', `group ${this.name} stopped`, post.reason);
      return { ok: post.proceed, reason: post.reason, stopFailed: false, actions };
    });
  }

  /**
   * The self-fence stop: service addresses (VIPs) first, then everything in
   * reverse order; no hooks. A failed stop is reported as in stop().
   */
  stopUrgently(): Promise<GroupOutcome> {
    this.halted = true;
    return this.serial(async () => {
      const wasFailed = this.current === 'failed';
      this.current = 'stopping';
      const actions: ActionRecord[] = [];
      for (const agent of this.agents.filter((a) => a.type === 'vip')) {
        const rec = await this.act(agent, 'stop');
        actions.push(rec);
        if (!isOk(rec.result)) return this.stopFailure(rec, actions);
      }
      const stopped = await this.stopRange(0, actions, (a) => a.type !== 'vip');
      if (stopped !== true) return this.stopFailure(stopped, actions);
      this.current = wasFailed ? 'failed' : 'stopped';
      this.log('info', 'GROUP_STOPPED', `group ${this.name} stopped at once (self-fence)`);
      return { ok: true, reason: '', stopFailed: false, actions };
    });
  }

  /**
   * Local recovery after resource `index` failed its monitor: stop it and
   * everything started after it (they depend on it), then start them again.
   */
  restartFrom(index: number): Promise<GroupOutcome> {
    return this.serial(async () => {
      if (this.current !== 'running')
        return { ok: false, reason: `group is ${this.current}`, stopFailed: false, actions: [] };
      const actions: ActionRecord[] = [];
      const stopped = await this.stopRange(index, actions);
      if (stopped !== true) return this.stopFailure(stopped, actions);
      const started = await this.startRange(index, actions);
      if (started !== true) {
        this.current = 'failed';
        this.failReason = `restart of ${started.resource} failed: ${describeResult(started.result)}`;
        return this.outcome(false, actions, started);
      }
      return this.outcome(true, actions);
    });
  }

  /** One monitor call; the monitor loop decides what a failure means. */
  monitorResource(index: number): Promise<OcfResult | null> {
    const agent = this.agents[index];
    if (!agent || this.busy || this.current !== 'running') return Promise.resolve(null);
    return runAction(agent, 'monitor', this.opts);
  }

  /**
   * What a previous process of this firmware left running: a daemon that is
   * restarted (or killed and started again before the watchdog fires) does
   * not stop its resources, and its new process starts knowing nothing. The
   * names of the agents whose monitor does not say they are stopped; an
   * uncertain answer counts as running. Reservations are skipped: the fencer
   * owns the PR state when the failover core starts.
   */
  findLeftovers(): Promise<string[]> {
    return this.serial(async () => {
      const found: string[] = [];
      for (const agent of this.agents) {
        if (agent.type === 'reservation') continue;
        const result = await runAction(agent, 'monitor', this.opts);
        if (!STOPPED_CODES.includes(result.code)) found.push(agent.name);
      }
      return found;
    });
  }

  /** Stop what a previous process left running: every agent but reservations, in reverse, no hooks. */
  stopLeftovers(): Promise<GroupOutcome> {
    return this.serial(async () => {
      this.current = 'stopping';
      const actions: ActionRecord[] = [];
      const stopped = await this.stopRange(0, actions, (a) => a.type !== 'reservation');
      if (stopped !== true) return this.stopFailure(stopped, actions);
      this.current = 'stopped';
      this.log(
        'warning',
        'GROUP_LEFTOVERS_STOPPED',
        `group ${this.name}: what a previous process left running is stopped`,
      );
      return { ok: true, reason: '', stopFailed: false, actions };
    });
  }

  markFailed(reason: string): void {
    this.current = 'failed';
    this.failReason = reason;
  }

  /** Operator cleared the failure (tandemctl): the group may start here again. */
  clearFailure(): void {
    if (this.current === 'failed') this.current = 'stopped';
    this.failReason = '';
  }

  // ---- internals ----

  private async startRange(from: number, actions: ActionRecord[]): Promise<true | ActionRecord> {
    // Starts of unordered resources still running alongside the current one.
    const alongside: Promise<ActionRecord>[] = [];
    const settle = async (): Promise<true | ActionRecord> => {
      const recs = await Promise.all(alongside.splice(0));
      actions.push(...recs);
      return recs.find((r) => !isOk(r.result)) ?? true;
    };
    for (let i = from; i < this.agents.length; i++) {
      const agent = this.agents[i];
      if (!agent) continue;
      if (this.halted) {
        const refused = fail('generic-error', 'not started: this controller fenced itself');
        const rec: ActionRecord = { resource: agent.name, action: 'start', result: refused };
        const earlier = await settle();
        actions.push(rec);
        return earlier === true ? rec : earlier;
      }
      const starting = this.act(agent, 'start');
      if (agent.ordered === false && i < this.agents.length - 1) {
        alongside.push(starting);
        continue;
      }
      const rec = await starting;
      const earlier = await settle();
      actions.push(rec);
      if (earlier !== true) return earlier;
      if (!isOk(rec.result)) return rec;
    }
    return settle();
  }

  private async stopRange(
    downTo: number,
    actions: ActionRecord[],
    include: (a: ResourceAgent) => boolean = () => true,
  ): Promise<true | ActionRecord> {
    for (let i = this.agents.length - 1; i >= downTo; i--) {
      const agent = this.agents[i];
      if (!agent || !include(agent)) continue;
      const rec = await this.act(agent, 'stop');
      actions.push(rec);
      if (!isOk(rec.result)) return rec;
    }
    return true;
  }

  /** Undo a failed start: stop everything, the failed resource included (it may be half up). */
  private async rollback(
    failed: ActionRecord | null,
    actions: ActionRecord[],
    why?: string,
  ): Promise<GroupOutcome> {
    const reason = failed
      ? `start of ${failed.resource} failed: ${describeResult(failed.result)}`
      : (why ?? '');
    const stopped = await this.stopRange(0, actions);
    if (stopped !== true) return this.stopFailure(stopped, actions, `${reason}; rollback `);
    return this.failStart(reason, actions, failed ?? undefined);
  }

  private failStart(reason: string, actions: ActionRecord[], failed?: ActionRecord): GroupOutcome {
    // Nothing is running, so another attempt (here or on the peer) is safe.
    this.current = 'stopped';
    this.log('error', 'GROUP_START_FAILED', `group ${this.name} did not start: ${reason}`);
    return { ok: false, reason, stopFailed: false, actions, ...(failed ? { failed } : {}) };
  }

  private stopFailure(failed: ActionRecord, actions: ActionRecord[], prefix = ''): GroupOutcome {
    const reason = `${prefix}stop of ${failed.resource} failed: ${describeResult(failed.result)}`;
    this.markFailed(reason);
    this.log('critical', 'GROUP_STOP_FAILED', `group ${this.name}: ${reason}; fence this controller`);
    this.opts.alarms?.raise('RESOURCE_FAILED', {
      subject: `${this.name}/${failed.resource}`,
      params: { reason: `stop failed: ${describeResult(failed.result)}` },
    });
    return { ok: false, reason, failed, stopFailed: true, actions };
  }

  private outcome(okAll: boolean, actions: ActionRecord[], failed?: ActionRecord): GroupOutcome {
    const reason = failed
      ? `${failed.action} of ${failed.resource} failed: ${describeResult(failed.result)}`
      : '';
    return { ok: okAll, reason, stopFailed: false, actions, ...(failed ? { failed } : {}) };
  }

  private async act(agent: ResourceAgent, action: Action): Promise<ActionRecord> {
    const result = await runAction(agent, action, this.opts);
    const rec: ActionRecord = { resource: agent.name, action, result };
    if (action !== 'validate') {
      this.opts.events?.append({
        severity: isOk(result) ? 'info' : 'error',
        source: `resource:${this.name}/${agent.name}`,
        code: `RESOURCE_${action.toUpperCase()}${isOk(result) ? (action === 'stop' ? 'PED' : 'ED') : '_FAILED'}`,
        message: `${agent.type} ${agent.name} ${action}: ${describeResult(result)}`,
        data: { group: this.name, resource: agent.name, action, code: result.code, reason: result.reason },
      });
    }
    if (result.alarm)
      this.opts.alarms?.raise(result.alarm.code, {
        subject: result.alarm.subject,
        params: result.alarm.params,
      });
    return rec;
  }

  private async hooks(t: Transition, when: 'pre' | 'post', action: 'start' | 'stop') {
    if (t.event !== 'failover' && t.event !== 'failback') return { proceed: true, reason: '', runs: [] };
    const event: HookEvent = `${when}-${t.event}`;
    const out = await runHooks(
      this.opts.hooks ?? [],
      { ...t, event, action, group: this.name, controller: this.opts.controller },
      this.opts.run,
    );
    for (const r of out.runs) {
      if (r.ok || r.policy === 'ignore') continue;
      this.log(
        r.policy === 'abort' ? 'error' : 'warning',
        'HOOK_FAILED',
        `group ${this.name}: ${event} hook ${r.command[0] ?? ''} ${r.detail}`,
      );
    }
    return out;
  }

  private log(
    severity: 'info' | 'warning' | 'error' | 'critical',
    code: string,
    message: string,
    extra = '',
  ): void {
    this.opts.events?.append({
      severity,
      source: `resource:${this.name}`,
      code,
      message: extra ? `${message} (${extra})` : message,
      data: { group: this.name },
    });
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    this.pending++;
    const next = this.queue.then(fn).finally(() => {
      this.pending--;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}
