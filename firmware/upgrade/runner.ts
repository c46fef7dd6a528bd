// The rolling upgrade of the pair (docs/upgrade.md), run by the firmware of
// both controllers from one plan that each keeps on its data partition and
// sends to the other at every step. What to do next is derived from facts,
// never from memory: which controller runs the new version, whose trial
// passed, who holds the groups. So a plan survives the reboot of either
// controller and carries on from wherever it stood (resumable), and the one
// acting is always the controller that stays up:
//   neither runs it            -> the second (active) installs it on the first (standby)
//   the first runs it, good    -> the second switches every group over to it
//   the first holds the groups -> the first installs it on the second
//   both run it                -> fail back if asked, then done.
// Never from the new version back to an old one: a switchover goes to the
// controller running the bundle's version only.
import { randomBytes } from 'node:crypto';
import type { Clock, TimerHandle } from '../../hal/clock/clock.ts';
import { errorMessage } from '../../hal/errors.ts';
import { otherController, type ControllerId } from '../cluster/codes.ts';
import type { Outcome } from '../commands/define.ts';
import type { PeerRunner } from '../peer/channel.ts';
import type { EventInput, JsonValue } from '../events/types.ts';

import type { GroupStatus, StatusReport } from '../status/snapshot.ts';
import type { DocumentStore } from '../store/document-store.ts';
import type { AgentStatus, UpgradeAgent } from './agent.ts';
import { peerAgentStatus } from './peer-status.ts';
import { ENDED, PlanSchema, validatorOf, type Plan } from './documents.ts';
import type { UpgradeStep } from '../status/snapshot.ts';

export interface RunnerOptions {
  readonly self: ControllerId;
  readonly clock: Clock;
  readonly plans: DocumentStore<Plan>;
  readonly agent: UpgradeAgent;
  readonly peer: PeerRunner;
  readonly report: () => Promise<StatusReport | null>;
  readonly groups: () => readonly GroupStatus[];
  readonly switchover: (groups: readonly string[]) => void;
  readonly log: (e: Omit<EventInput, 'source'>) => void;
  readonly tickMs?: number;
  /** A controller being installed and rebooted must be back and good within this. */
  readonly installDeadlineMs?: number;
  /** Groups must have moved within this. */
  readonly switchoverDeadlineMs?: number;
}

const checkPlan = validatorOf(PlanSchema, 'plan');

export class UpgradeRunner {
  private plan: Plan | null = null;
  private timer: TimerHandle | null = null;
  private busy = false;
  private readonly listeners = new Set<() => void>();
  /** When the current wait (install, switchover) began, by the step it is for. */
  private waitSince: { key: string; at: number } | null = null;
  /** The plan's writes, one after the other: two at once on one file race (each removes the other's temporary). */
  private writes: Promise<unknown> = Promise.resolve();
  /** The plan whose install this runner asked of the peer (a failure after it ends that plan). */
  private installAsked: string | null = null;
  private readonly o: RunnerOptions;

  constructor(o: RunnerOptions) {
    this.o = o;
  }

  async start(): Promise<void> {
    const read = await this.o.plans.read();
    if (read.kind === 'ok') this.plan = read.value;
    if (read.kind === 'invalid')
      this.log('warning', 'UPGRADE_PLAN_INVALID', `stored plan ignored: ${read.errors.join('; ')}`);
    this.timer = this.o.clock.every(this.o.tickMs ?? 2000, () => void this.tick());
    if (this.plan !== null && !ENDED.includes(this.plan.step))
      this.log(
        'notice',
        'UPGRADE_RESUMED',
        `upgrade to ${this.plan.version ?? '?'} carries on at ${this.plan.step}`,
      );
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  current(): Plan | null {
    return this.plan;
  }

  /** `tandemctl upgrade BUNDLE`: a new plan whose preflight runs here at once. */
  async begin(bundle: string, failback: boolean): Promise<Outcome> {
    if (this.plan !== null && !ENDED.includes(this.plan.step))
      return {
        ok: false,
        error: `an upgrade to ${this.plan.version ?? this.plan.bundle} is at ${this.plan.step}: abort it first`,
      };
    const held = (c: ControllerId) => this.o.groups().filter((g) => g.owner === c).length;
    const peer = otherController(this.o.self);
    // The standby is updated first; with no group anywhere, the peer.
    const first = held(this.o.self) > 0 || held(peer) === 0 ? peer : this.o.self;
    const now = this.o.clock.wallMs();
    const status = await this.o.agent.status();
    const plan: Plan = {
      id: randomBytes(8).toString('hex'),
      bundle,
      version: null,
      from: status.firmwareVersion,
      first,
      second: otherController(first),
      failback,
      step: 'preflight',
      detail: ['preflight: fetching and verifying the bundle on both controllers'],
      percent: null,
      startedAt: now,
      updatedAt: now,
    };
    await this.save(plan, `upgrade from ${plan.from} with ${bundle}: ${first} first, then ${plan.second}`);
    void this.preflight(plan).catch((e: unknown) =>
      this.log('error', 'UPGRADE_ERROR', `upgrade preflight: ${errorMessage(e)}`),
    );
    return { ok: true, data: plan };
  }

  async abort(by: string): Promise<Outcome> {
    const p = this.plan;
    if (p === null || ENDED.includes(p.step)) return { ok: false, error: 'no upgrade is running' };
    await this.save(
      {
        ...p,
        step: 'aborted',
        detail: [
          `aborted by ${by} at ${p.step}; an install already running finishes (docs/upgrade.md, Rollback)`,
        ],
      },
      `upgrade aborted by ${by} at ${p.step}`,
    );
    return { ok: true, data: this.plan };
  }

  async resume(by: string): Promise<Outcome> {
    const p = this.plan;
    if (p === null) return { ok: false, error: 'no upgrade to resume' };
    if (p.step === 'done') return { ok: false, error: 'the upgrade is done' };
    if (p.version === null)
      return { ok: false, error: 'the upgrade never passed its preflight: start it again' };
    this.waitSince = null;
    // A new id: a plan that ended never starts again under its own id (receive()).
    await this.save(
      { ...p, id: randomBytes(8).toString('hex'), step: 'install-first', detail: [`resumed by ${by}`] },
      `upgrade resumed by ${by}`,
    );
    return { ok: true, data: this.plan };
  }

  /** A plan from the peer: newer news of the same upgrade, or a new one. */
  async receive(value: unknown): Promise<Outcome> {
    const v = checkPlan(value);
    if (!v.ok) return { ok: false, error: v.error.join('; ') };
    const p = v.value;
    if (this.plan !== null && this.plan.id === p.id) {
      // Ended here (aborted, failed, done) while the peer did not hear it (it was
      // rebooting): its plan, however recent, must not start this one again. It
      // gets ours back in the answer (save()).
      if (ENDED.includes(this.plan.step) && !ENDED.includes(p.step))
        return { ok: true, data: { ended: this.plan } };
      if (this.plan.updatedAt > p.updatedAt) return { ok: true, data: 'older' };
    }
    this.plan = p;
    const w = await this.write(p);
    if (!w.ok) this.log('error', 'UPGRADE_PLAN_UNSAVED', w.error.join('; '));
    return { ok: true, data: 'stored' };
  }

  private async preflight(plan: Plan): Promise<void> {
    const reasons: string[] = [];
    const peer = otherController(this.o.self);
    const r = await this.o.report();
    if (r === null) reasons.push('this controller gives no status');
    else this.statusReasons(r, reasons);
    // Both at once: each controller downloads from the source itself.
    const [mine, theirs] = await Promise.all([
      this.fetchAndWait(null, plan.bundle),
      this.fetchAndWait(peer, plan.bundle),
    ]);
    for (const [who, s] of [
      [this.o.self, mine],
      [peer, theirs],
    ] as const) {
      if (typeof s === 'string') reasons.push(`${who}: ${s}`);
      else if (s.fetch.state !== 'verified')
        reasons.push(`${who}: ${s.fetch.detail ?? 'bundle not verified'}`);
    }
    const version = typeof mine === 'string' ? null : mine.fetch.version;
    if (typeof mine !== 'string' && typeof theirs !== 'string') {
      if (mine.firmwareVersion !== theirs.firmwareVersion)
        reasons.push(
          `the controllers run ${mine.firmwareVersion} and ${theirs.firmwareVersion}: resume the upgrade that made them differ, or roll one back`,
        );
      if (version !== null && version === mine.firmwareVersion)
        reasons.push(`both controllers already run ${version}`);
      for (const [who, s] of [
        [this.o.self, mine],
        [peer, theirs],
      ] as const)
        if (s.boot !== null && s.boot.slots.length === 2 && s.trial?.outcome === 'pending')
          reasons.push(`${who}: a trial boot is still being checked`);
    }
    if (this.plan?.id !== plan.id || this.plan.step !== 'preflight') return; // aborted meanwhile
    if (reasons.length > 0) {
      await this.save(
        { ...plan, version, step: 'failed', detail: reasons.slice(0, 16) },
        `upgrade preflight failed: ${reasons.join('; ')}`,
        'error',
      );
      return;
    }
    await this.save(
      {
        ...plan,
        version,
        step: 'install-first',
        detail: [`preflight passed: ${version ?? '?'} verified on both; installing on ${plan.first}`],
      },
      `upgrade preflight passed: ${plan.from} -> ${version ?? '?'}`,
    );
  }

  private statusReasons(r: StatusReport, reasons: string[]): void {
    if (r.peer.state !== 'alive') reasons.push(`controller ${r.peer.id} is not heard (${r.peer.state})`);
    const up = r.peer.paths.filter((p) => p.state === 'up').length;
    if (up < 2) reasons.push(`the peer is reachable on ${up} heartbeat path(s); at least 2 are needed`);
    if (r.maintenance) reasons.push('the box is in maintenance: end it first (tandemctl maintenance off)');
    for (const g of r.groups) {
      if (g.state === 'failed' || g.failedOn.length > 0)
        reasons.push(`group ${g.name} has failed (tandemctl cleanup)`);
      else if (g.state !== 'running') reasons.push(`group ${g.name} is ${g.state}, not running`);
    }
  }

  /** Fetch on one controller (null: here) and wait for its verdict; a string is why it could not be asked. */
  private async fetchAndWait(who: ControllerId | null, bundle: string): Promise<AgentStatus | string> {
    if (who === null) this.o.agent.fetch(bundle);
    else {
      const asked = await this.o.peer.run('upgrade-peer', { op: 'fetch', bundle }, { timeoutMs: 5000 });
      if (!asked.ok) return asked.error;
    }
    const end = this.o.clock.monotonicMs() + 20 * 60_000;
    for (;;) {
      const s = who === null ? await this.o.agent.status() : await this.peerStatus();
      if (s !== null && s.fetch.state !== 'fetching' && s.fetch.bundle === bundle) return s;
      if (this.o.clock.monotonicMs() > end) return 'fetching the bundle took over 20 minutes';
      await this.o.clock.sleep(1000);
    }
  }

  private async peerStatus(): Promise<AgentStatus | null> {
    // upgrade-status: read-only, so the peer does not audit every poll.
    const r = await this.o.peer.run('upgrade-status', {}, { timeoutMs: 5000 });
    const data =
      r.ok && typeof r.data === 'object' && r.data !== null ? (r.data as { here?: unknown }) : null;
    return data === null ? null : peerAgentStatus(data.here);
  }

  private async tick(): Promise<void> {
    if (this.busy) return;
    const p = this.plan;
    if (p === null || ENDED.includes(p.step) || p.step === 'preflight' || p.version === null) return;
    this.busy = true;
    try {
      await this.step(p, p.version);
    } catch (e) {
      this.log('error', 'UPGRADE_ERROR', `upgrade step ${p.step}: ${errorMessage(e)}`);
    } finally {
      this.busy = false;
    }
  }

  private async step(p: Plan, target: string): Promise<void> {
    const self = this.o.self;
    const peer = otherController(self);
    const mine = await this.o.agent.status();
    const theirs = await this.peerStatus();
    const selfNew = mine.firmwareVersion === target && mine.check.outcome !== 'checking';
    const owners = this.o.groups();
    const heldBy = (c: ControllerId) => owners.filter((g) => g.owner === c).map((g) => g.name);

    if (theirs === null) {
      // The peer is down or rebooting: wait for it, within the install's deadline.
      return this.waiting(p, `waiting for controller ${peer}`, 'peer');
    }
    const peerNew = theirs.firmwareVersion === target;
    // The verdict shows in the check as soon as it is known; the marker
    // (read again with the slots) may still say pending for a while.
    const fellBack = theirs.trial?.outcome === 'fell-back' || theirs.check.outcome === 'fell-back';
    if (fellBack && theirs.trial?.version === target)
      return this.fail(
        p,
        `controller ${peer} fell back to ${theirs.firmwareVersion}: ${target} did not pass its health check there`,
      );
    // A failed install stops the plan that asked for it; a resumed plan (a new id) asks again.
    if (theirs.install.state === 'failed' && this.installAsked === p.id)
      return this.fail(p, `install on controller ${peer} failed: ${theirs.install.detail ?? '?'}`);
    const peerIdle = theirs.install.state === 'idle' || theirs.install.state === 'failed';

    if (!selfNew && !peerNew) {
      // The first is installed by the second.
      if (self !== p.second)
        return this.show(p, 'install-first', `installing ${target} on ${p.first}`, theirs);
      if (peerIdle && theirs.check.outcome !== 'checking') {
        if (theirs.fetch.state !== 'verified' || theirs.fetch.version !== target)
          return this.fail(
            p,
            `controller ${peer} has no verified bundle of ${target}: resume to fetch it again`,
          );
        const r = await this.o.peer.run('upgrade-peer', { op: 'install' }, { timeoutMs: 5000 });
        if (!r.ok) return this.fail(p, `controller ${peer} refused the install: ${r.error}`);
        this.installAsked = p.id;
        this.log('notice', 'UPGRADE_STEP', `installing ${target} on controller ${peer}`);
      }
      return this.waiting(p, `installing ${target} on ${peer}`, 'install-first', theirs);
    }
    if (selfNew !== peerNew) {
      const fresh = selfNew ? self : peer;
      const old = otherController(fresh);
      const freshStatus = selfNew ? mine : theirs;
      if (freshStatus.check.outcome !== 'good' && freshStatus.check.outcome !== 'normal')
        return this.waiting(
          p,
          `controller ${fresh} runs ${target}: waiting for its health check`,
          'trial',
          freshStatus,
        );
      if (heldBy(old).length > 0) {
        if (self !== old) return this.show(p, 'switchover', `switching the groups over to ${fresh}`, null);
        const groups = heldBy(self);
        if (this.waitSince?.key !== 'switchover') {
          this.log(
            'notice',
            'UPGRADE_STEP',
            `switching ${groups.join(', ')} over to controller ${fresh} (${target})`,
          );
          this.o.switchover(groups);
        }
        return this.waiting(p, `switching ${groups.join(', ')} over to ${fresh}`, 'switchover');
      }
      if (owners.some((g) => g.owner !== fresh || g.state !== 'running'))
        return this.waiting(p, `waiting for the groups to run on ${fresh}`, 'switchover');
      // The new controller serves: it installs the old one.
      if (self !== fresh) return this.show(p, 'install-second', `installing ${target} on ${old}`, mine);
      if (peerIdle && theirs.check.outcome !== 'checking') {
        if (theirs.fetch.state !== 'verified' || theirs.fetch.version !== target) {
          await this.o.peer.run('upgrade-peer', { op: 'fetch', bundle: p.bundle }, { timeoutMs: 5000 });
          return this.waiting(p, `fetching the bundle again on ${peer}`, 'refetch');
        }
        const r = await this.o.peer.run('upgrade-peer', { op: 'install' }, { timeoutMs: 5000 });
        if (!r.ok) return this.fail(p, `controller ${peer} refused the install: ${r.error}`);
        this.installAsked = p.id;
        this.log('notice', 'UPGRADE_STEP', `installing ${target} on controller ${peer}`);
      }
      return this.waiting(p, `installing ${target} on ${peer}`, 'install-second', theirs);
    }
    // Both run the target.
    if (theirs.check.outcome === 'checking' || mine.check.outcome === 'checking')
      return this.waiting(p, 'waiting for the last health check', 'trial');
    const home = owners.filter((g) => g.owner === self && g.preferred === peer).map((g) => g.name);
    if (p.failback && home.length > 0) {
      if (this.waitSince?.key !== 'failback') {
        this.log('notice', 'UPGRADE_STEP', `failing ${home.join(', ')} back to controller ${peer}`);
        this.o.switchover(home);
      }
      return this.waiting(p, `failing ${home.join(', ')} back to ${peer}`, 'failback');
    }
    // The peer holds ours: it fails them back (above, on its side); not done before.
    const ours = owners.filter((g) => g.owner === peer && g.preferred === self).map((g) => g.name);
    if (p.failback && ours.length > 0)
      return this.waiting(p, `failing ${ours.join(', ')} back to ${self}`, 'failback');
    if (owners.some((g) => g.state !== 'running'))
      return this.waiting(p, 'waiting for the groups to run', 'settle');
    if (p.step !== 'done')
      await this.save(
        { ...p, step: 'done', percent: 100, detail: [`both controllers run ${target}`] },
        `upgrade done: both controllers run ${target} (${Math.round((this.o.clock.wallMs() - p.startedAt) / 1000)} s)`,
      );
  }

  private async show(
    p: Plan,
    step: UpgradeStep,
    detail: string,
    installing: AgentStatus | null,
  ): Promise<void> {
    const percent = installing?.install.state === 'installing' ? installing.install.percent : null;
    if (p.step !== step || p.detail[0] !== detail || p.percent !== percent)
      await this.save({ ...p, step, detail: [detail], percent }, null);
  }

  private async waiting(
    p: Plan,
    detail: string,
    key: string,
    installing?: AgentStatus | null,
  ): Promise<void> {
    const now = this.o.clock.monotonicMs();
    if (this.waitSince?.key !== key) this.waitSince = { key, at: now };
    const limit =
      key === 'switchover' || key === 'failback'
        ? (this.o.switchoverDeadlineMs ?? 300_000)
        : (this.o.installDeadlineMs ?? 1_800_000);
    if (now - this.waitSince.at > limit)
      return this.fail(p, `${detail}: no progress in ${Math.round(limit / 1000)} s`);
    const step: UpgradeStep =
      key === 'install-first' || key === 'install-second' || key === 'switchover' || key === 'failback'
        ? key
        : p.step;
    return this.show(p, step, detail, installing ?? null);
  }

  private async fail(p: Plan, why: string): Promise<void> {
    this.waitSince = null;
    await this.save(
      {
        ...p,
        step: 'failed',
        detail: [
          why,
          'the pair keeps serving; tandemctl upgrade resume carries on, docs/upgrade.md says how to roll back',
        ],
      },
      `upgrade stopped: ${why}`,
      'error',
    );
  }

  private async save(p: Plan, event: string | null, severity: 'notice' | 'error' = 'notice'): Promise<void> {
    const plan = { ...p, updatedAt: Math.max(this.o.clock.wallMs(), p.updatedAt + 1) };
    this.plan = plan;
    for (const l of this.listeners) l();
    const w = await this.write(plan);
    if (!w.ok) this.log('error', 'UPGRADE_PLAN_UNSAVED', w.error.join('; '));
    if (event !== null) this.log(severity, 'UPGRADE_STEP', event, { step: plan.step, version: plan.version });
    const sent = await this.o.peer.run(
      'upgrade-peer',
      { op: 'plan', plan: JSON.stringify(plan) },
      { timeoutMs: 3000 },
    );
    if (!sent.ok && event !== null)
      this.log('info', 'UPGRADE_PLAN_NOT_SENT', `plan not sent to the peer: ${sent.error}`);
    if (sent.ok) await this.adoptEnded(plan, sent.data);
  }

  /** The peer answered a plan with its own, ended meanwhile (receive()): it stands here too. */
  private async adoptEnded(sent: Plan, answer: unknown): Promise<void> {
    const ended =
      typeof answer === 'object' && answer !== null ? (answer as { ended?: unknown }).ended : undefined;
    if (ended === undefined) return;
    const v = checkPlan(ended);
    if (!v.ok || v.value.id !== sent.id || !ENDED.includes(v.value.step) || this.plan?.id !== sent.id) return;
    this.plan = v.value;
    this.waitSince = null;
    const w = await this.write(v.value);
    if (!w.ok) this.log('error', 'UPGRADE_PLAN_UNSAVED', w.error.join('; '));
    this.log(
      'notice',
      'UPGRADE_STEP',
      `the upgrade ended on the peer while this controller was away: ${v.value.step}`,
      {
        step: v.value.step,
        version: v.value.version,
      },
    );
  }

  private write(plan: Plan): Promise<{ ok: true } | { ok: false; error: string[] }> {
    const w = this.writes.then(() => this.o.plans.write(plan));
    this.writes = w.catch(() => undefined);
    return w.then(
      (r) => (r.ok ? { ok: true as const } : r),
      (e: unknown) => ({ ok: false as const, error: [errorMessage(e)] }),
    );
  }

  private log(severity: EventInput['severity'], code: string, message: string, data?: JsonValue): void {
    this.o.log({ severity, code, message, ...(data !== undefined ? { data } : {}) });
  }
}
