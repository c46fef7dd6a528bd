// The upgrade on one controller, as the daemon runs it: the boot's trial
// (trial.ts), this controller's agent (agent.ts) and the rolling upgrade of
// the pair (runner.ts), behind the operations the commands call
// (commands/rolling-upgrade.ts). An Extension: the trial starts with the
// daemon, so a new slot is confirmed only by the firmware that runs in it.
import type { BootSlots } from '../../hal/boot/boot-slots.ts';
import type { Clock } from '../../hal/clock/clock.ts';
import { errorMessage } from '../../hal/errors.ts';
import type { ControllerId } from '../cluster/codes.ts';
import type { Outcome } from '../commands/define.ts';
import type { PeerUpgradeOp, UpgradeOps } from '../commands/context.ts';
import type { Extension } from '../core/extension.ts';
import type { EventInput } from '../events/types.ts';
import type { GroupStatus, StatusReport, UpgradeProgress } from '../status/snapshot.ts';
import { UpgradeAgent } from './agent.ts';
import { planStore, trialStore } from './documents.ts';
import { checkHealth, type HealthProbes } from './health.ts';
import { UpgradeRunner } from './runner.ts';
import type { PeerRunner } from '../peer/channel.ts';
import { BootTrial } from './trial.ts';

export interface UpgradeServiceOptions {
  readonly self: ControllerId;
  readonly clock: Clock;
  readonly slots: BootSlots;
  readonly stateDir: string;
  readonly firmwareVersion: string;
  readonly peer: PeerRunner;
  readonly probes: Omit<HealthProbes, 'report'>;
  readonly groups: () => readonly GroupStatus[];
  readonly switchover: (groups: readonly string[]) => void;
  readonly log: (e: EventInput) => void;
  readonly raiseFellBack: (message: string) => void;
  readonly reboot: (why: string) => void;
  /** This boot's id (Linux), to tell a daemon restart from a reboot. */
  readonly bootId?: string;
  /** The trial's health check must pass within this. */
  readonly trialDeadlineMs: number;
}

export class UpgradeService implements Extension, UpgradeOps {
  readonly name = 'upgrade';
  readonly agent: UpgradeAgent;
  readonly runner: UpgradeRunner;
  private readonly trial: BootTrial;
  private readonly o: UpgradeServiceOptions;
  /** The status report comes from the command handler, which is built with this service in it. */
  private reportOf: () => Promise<StatusReport | null> = () => Promise.resolve(null);

  constructor(o: UpgradeServiceOptions) {
    this.o = o;
    const log = (e: Omit<EventInput, 'source'>): void => o.log({ ...e, source: 'upgrade' });
    const trials = trialStore(o.stateDir);
    this.trial = new BootTrial({
      slots: o.slots,
      trials,
      clock: o.clock,
      health: () => checkHealth({ ...o.probes, report: () => this.reportOf() }),
      deadlineMs: o.trialDeadlineMs,
      pollMs: 2000,
      log,
      raiseFellBack: o.raiseFellBack,
      reboot: o.reboot,
      ...(o.bootId !== undefined ? { bootId: o.bootId } : {}),
    });
    this.agent = new UpgradeAgent({
      slots: o.slots,
      trials,
      trial: this.trial,
      stateDir: o.stateDir,
      firmwareVersion: o.firmwareVersion,
      ...(o.bootId !== undefined ? { bootId: o.bootId } : {}),
      log,
      reboot: o.reboot,
    });
    this.runner = new UpgradeRunner({
      self: o.self,
      clock: o.clock,
      plans: planStore(o.stateDir),
      agent: this.agent,
      peer: o.peer,
      report: () => this.reportOf(),
      groups: o.groups,
      switchover: o.switchover,
      log,
    });
  }

  /** Called after every change of the plan (the panels' report is sent again). */
  subscribe(listener: () => void): () => void {
    return this.runner.subscribe(listener);
  }

  useReport(report: () => Promise<StatusReport | null>): void {
    this.reportOf = report;
  }

  async start(): Promise<void> {
    // The trial marks slots: the agent reads them now and once it is through.
    void this.agent.refresh();
    void this.trial
      .run()
      .then(() => this.agent.refresh())
      .catch((e: unknown) =>
        this.o.log({
          severity: 'error',
          source: 'upgrade',
          code: 'UPGRADE_TRIAL_ERROR',
          message: errorMessage(e),
        }),
      );
    await this.runner.start();
  }

  stop(): Promise<void> {
    this.trial.stop();
    this.runner.stop();
    return Promise.resolve();
  }

  begin(bundle: string, failback: boolean): Promise<Outcome> {
    return this.runner.begin(bundle, failback);
  }

  abort(by: string): Promise<Outcome> {
    return this.runner.abort(by);
  }

  resume(by: string): Promise<Outcome> {
    return this.runner.resume(by);
  }

  progress(): UpgradeProgress | null {
    const p = this.runner.current();
    if (p === null) return null;
    const { id: _id, bundle: _bundle, failback: _failback, ...shown } = p;
    return shown;
  }

  async status(): Promise<unknown> {
    return { plan: this.runner.current(), here: await this.agent.status() };
  }

  /** What the peer's firmware asks of this controller. */
  async peerOp(op: PeerUpgradeOp): Promise<Outcome> {
    switch (op.op) {
      case 'status':
        return { ok: true, data: await this.agent.status() };
      case 'fetch':
        return { ok: true, data: this.agent.fetch(op.bundle) };
      case 'install': {
        const s = this.agent.install();
        return s.state === 'failed'
          ? { ok: false, error: s.detail ?? 'install refused' }
          : { ok: true, data: s };
      }
      case 'plan':
        return this.runner.receive(op.plan);
    }
  }

  async rollback(holdsGroups: boolean): Promise<Outcome> {
    if (holdsGroups)
      return { ok: false, error: 'this controller holds groups: switch them over to the peer first' };
    try {
      await this.agent.rollback();
      return { ok: true, data: 'the other slot is primary: rebooting into it' };
    } catch (e) {
      return { ok: false, error: `rollback refused: ${errorMessage(e)}` };
    }
  }
}
