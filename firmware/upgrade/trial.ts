// The first boot of a newly installed slot is a trial. GRUB set the slot's
// TRY flag as it booted it; only a passed health check (health.ts) marks it
// good, within a deadline. Then the old slot is marked bad (RAUC's
// prevent-late-fallback: a later storm of power cycles, rauc#490, can no
// longer fall back to it; `upgrade rollback` still can, on purpose). A trial
// that fails, or runs out of time, reboots: GRUB skips the tried slot and
// boots the old one, where this same code finds the trial naming another
// slot, says so on every surface (an event and an alarm) and makes the old
// slot primary again. Any other boot is marked good at once: the slot was
// good before, and every boot's TRY flag must be cleared.
import type { BootSlots, BootStatus } from '../../hal/boot/boot-slots.ts';
import type { Clock } from '../../hal/clock/clock.ts';
import { errorMessage } from '../../hal/errors.ts';
import type { EventInput } from '../events/types.ts';
import type { DocumentStore } from '../store/document-store.ts';
import type { Trial } from './documents.ts';
import type { HealthReport } from './health.ts';

export interface TrialOptions {
  readonly slots: BootSlots;
  readonly trials: DocumentStore<Trial>;
  readonly clock: Clock;
  readonly health: () => Promise<HealthReport>;
  readonly deadlineMs: number;
  readonly pollMs: number;
  readonly log: (e: Omit<EventInput, 'source'>) => void;
  /** A fallback stays raised until an operator clears it (a new upgrade, or acknowledges it). */
  readonly raiseFellBack: (message: string) => void;
  readonly reboot: (why: string) => void;
  /** This boot's id, to tell a daemon restart from a reboot; absent in the sim. */
  readonly bootId?: string;
}

export type TrialOutcome = 'normal' | 'good' | 'failed' | 'fell-back' | 'stopped';

export class BootTrial {
  private stopped = false;
  private outcome: TrialOutcome | 'checking' = 'checking';
  private lastHealth: HealthReport | null = null;
  private readonly o: TrialOptions;

  constructor(o: TrialOptions) {
    this.o = o;
  }

  state(): { readonly outcome: TrialOutcome | 'checking'; readonly failing: readonly string[] } {
    return { outcome: this.outcome, failing: this.lastHealth?.failing ?? [] };
  }

  stop(): void {
    this.stopped = true;
  }

  async run(): Promise<TrialOutcome> {
    this.outcome = await this.decide();
    return this.outcome;
  }

  private async decide(): Promise<TrialOutcome> {
    const { slots, log } = this.o;
    let boot: BootStatus;
    try {
      boot = await slots.status();
    } catch (e) {
      log({
        severity: 'error',
        code: 'BOOT_SLOTS_UNKNOWN',
        message: `cannot read the boot slots: ${errorMessage(e)}`,
      });
      return 'normal';
    }
    const read = await this.o.trials.read();
    const trial = read.kind === 'ok' && read.value.outcome === 'pending' ? read.value : null;
    if (trial === null) {
      await this.mark(() => slots.markGood(), `slot ${boot.booted} marked good`);
      return 'normal';
    }
    if (trial.slot !== boot.booted) {
      if (trial.bootId !== undefined && trial.bootId === this.o.bootId) {
        // Installed during this very boot: the daemon restarted before the reboot.
        log({
          severity: 'notice',
          code: 'UPGRADE_TRIAL',
          message: `slot ${trial.slot} (${trial.version}) is installed: rebooting into it`,
        });
        this.o.reboot(`the update to ${trial.version} is installed in slot ${trial.slot}`);
        return 'normal';
      }
      return this.fellBack(trial, boot);
    }
    log({
      severity: 'notice',
      code: 'UPGRADE_TRIAL',
      message: `slot ${trial.slot} (${trial.version}) boots for the first time: health check within ${Math.round(this.o.deadlineMs / 1000)} s`,
    });
    const end = this.o.clock.monotonicMs() + this.o.deadlineMs;
    for (;;) {
      if (this.stopped) return 'stopped';
      this.lastHealth = await this.o.health();
      if (this.lastHealth.pass) break;
      if (this.o.clock.monotonicMs() >= end) {
        log({
          severity: 'error',
          code: 'UPGRADE_HEALTH_FAILED',
          message: `slot ${trial.slot} (${trial.version}) did not pass its health check in time: ${this.lastHealth.failing.join('; ')}; rebooting into slot ${trial.from}`,
          data: { failing: [...this.lastHealth.failing] },
        });
        this.o.reboot(`slot ${trial.slot} failed its health check`);
        return 'failed';
      }
      await this.o.clock.sleep(this.o.pollMs);
    }
    await this.mark(() => slots.markGood(), `slot ${trial.slot} marked good`);
    await this.mark(() => slots.markOtherBad(), `slot ${trial.from} marked bad (prevent-late-fallback)`);
    await this.o.trials.write({ ...trial, outcome: 'good' });
    log({
      severity: 'notice',
      code: 'UPGRADE_SLOT_GOOD',
      message: `slot ${trial.slot} (${trial.version}) passed its health check: marked good; slot ${trial.from} (${trial.fromVersion}) may no longer boot by itself`,
    });
    return 'good';
  }

  private async fellBack(trial: Trial, boot: BootStatus): Promise<TrialOutcome> {
    await this.mark(() => this.o.slots.markActive('booted'), `slot ${boot.booted} made primary again`);
    await this.mark(() => this.o.slots.markOtherBad(), `slot ${trial.slot} marked bad`);
    await this.o.trials.write({ ...trial, outcome: 'fell-back' });
    const message = `the update to ${trial.version} fell back: slot ${trial.slot} did not pass its health check, slot ${boot.booted} (${trial.fromVersion}) runs again`;
    this.o.log({ severity: 'error', code: 'UPGRADE_FELL_BACK', message });
    this.o.raiseFellBack(message);
    return 'fell-back';
  }

  private async mark(op: () => Promise<void>, what: string): Promise<void> {
    try {
      await op();
      this.o.log({ severity: 'info', code: 'BOOT_SLOT_MARKED', message: what });
    } catch (e) {
      this.o.log({
        severity: 'error',
        code: 'BOOT_SLOT_MARK_FAILED',
        message: `${what}: failed: ${errorMessage(e)}`,
      });
    }
  }
}
