// This controller's part of an upgrade: fetch and verify a bundle, install
// it into the other slot and reboot into it, and say where it stands. The
// rolling upgrade (runner.ts) asks the peer's agent over the peer channel
// and its own directly; both read the same status.
import { join } from 'node:path';
import { otherSlot, type BootSlots, type BootStatus } from '../../hal/boot/boot-slots.ts';
import { errorMessage } from '../../hal/errors.ts';
import type { EventInput } from '../events/types.ts';
import type { DocumentStore } from '../store/document-store.ts';
import type { Trial } from './documents.ts';
import { fetchBundle } from './fetch-bundle.ts';
import type { BootTrial } from './trial.ts';

export const COMPATIBLE = 'tandem-controller';

export interface FetchState {
  readonly state: 'idle' | 'fetching' | 'verified' | 'failed';
  readonly bundle: string | null;
  readonly version: string | null;
  readonly detail: string | null;
}

export interface InstallState {
  readonly state: 'idle' | 'installing' | 'installed' | 'failed';
  readonly percent: number | null;
  readonly detail: string | null;
}

export interface AgentStatus {
  readonly firmwareVersion: string;
  readonly boot: BootStatus | null;
  readonly trial: Trial | null;
  /** The boot's health check: checking until it passes or fails. */
  readonly check: { readonly outcome: string; readonly failing: readonly string[] };
  readonly fetch: FetchState;
  readonly install: InstallState;
}

export interface AgentOptions {
  readonly slots: BootSlots;
  readonly trials: DocumentStore<Trial>;
  readonly trial: BootTrial;
  readonly stateDir: string;
  readonly firmwareVersion: string;
  /** This boot's id (Linux: /proc/sys/kernel/random/boot_id); absent in the sim. */
  readonly bootId?: string;
  readonly log: (e: Omit<EventInput, 'source'>) => void;
  readonly reboot: (why: string) => void;
}

export class UpgradeAgent {
  private fetchState: FetchState = { state: 'idle', bundle: null, version: null, detail: null };
  private installState: InstallState = { state: 'idle', percent: null, detail: null };
  private file: string | null = null;
  private readonly o: AgentOptions;

  constructor(o: AgentOptions) {
    this.o = o;
  }

  /**
   * The slots and the trial marker as last read: at start, after the boot's
   * trial and after this agent changes them, never per status (the peer asks
   * every 2 s; `rauc status` runs at RAUC's low priority and took over 30 s
   * on a busy active controller, longer than the peer waits for a reply).
   */
  private boot: BootStatus | null = null;
  private trialMark: Trial | null = null;

  async refresh(): Promise<void> {
    // The marker first: it is a small file, and it holds the trial's verdict
    // the peer waits for, while the slots can take half a minute to read.
    const read = await this.o.trials.read();
    this.trialMark = read.kind === 'ok' ? read.value : null;
    this.boot = await this.o.slots.status().catch(() => this.boot);
  }

  status(): Promise<AgentStatus> {
    return Promise.resolve({
      firmwareVersion: this.o.firmwareVersion,
      boot: this.boot,
      trial: this.trialMark,
      check: this.o.trial.state(),
      fetch: this.fetchState,
      install: this.installState,
    });
  }

  /** Starts fetching and verifying; the outcome shows in status(). */
  fetch(bundle: string): FetchState {
    if (this.fetchState.state === 'fetching') return this.fetchState;
    if (this.installState.state === 'installing')
      return { ...this.fetchState, detail: 'an install is running' };
    this.fetchState = { state: 'fetching', bundle, version: null, detail: `fetching ${bundle}` };
    void this.doFetch(bundle);
    return this.fetchState;
  }

  private async doFetch(bundle: string): Promise<void> {
    try {
      const file = await fetchBundle(bundle, join(this.o.stateDir, 'upgrade', 'bundle.raucb'));
      const info = await this.o.slots.info(file);
      if (info.compatible !== COMPATIBLE)
        throw new Error(`the bundle is for '${info.compatible}', this controller is '${COMPATIBLE}'`);
      this.file = file;
      this.fetchState = {
        state: 'verified',
        bundle,
        version: info.version,
        detail: `signature verified: ${info.version}`,
      };
      this.o.log({
        severity: 'info',
        code: 'UPGRADE_BUNDLE_VERIFIED',
        message: `bundle ${info.version} verified (${bundle})`,
      });
    } catch (e) {
      this.file = null;
      this.fetchState = { state: 'failed', bundle, version: null, detail: errorMessage(e) };
      this.o.log({
        severity: 'error',
        code: 'UPGRADE_BUNDLE_REFUSED',
        message: `bundle ${bundle} refused: ${errorMessage(e)}`,
      });
    }
  }

  /** Installs the verified bundle into the other slot, then reboots into it. */
  install(): InstallState {
    if (this.installState.state === 'installing') return this.installState;
    const file = this.file;
    const version = this.fetchState.version;
    if (file === null || version === null || this.fetchState.state !== 'verified') {
      return { state: 'failed', percent: null, detail: 'no verified bundle here: fetch one first' };
    }
    this.installState = { state: 'installing', percent: 0, detail: `installing ${version}` };
    void this.doInstall(file, version);
    return this.installState;
  }

  private async doInstall(file: string, version: string): Promise<void> {
    const { slots, log } = this.o;
    try {
      const before = await slots.status();
      this.boot = before;
      const target = otherSlot(before.booted);
      log({
        severity: 'notice',
        code: 'UPGRADE_INSTALLING',
        message: `installing ${version} into slot ${target}`,
      });
      await slots.install(file, (p) => {
        this.installState = { state: 'installing', percent: p.percent, detail: p.message };
      });
      await this.o.trials.write({
        slot: target,
        version,
        from: before.booted,
        fromVersion: this.o.firmwareVersion,
        at: Date.now(),
        outcome: 'pending',
        ...(this.o.bootId !== undefined ? { bootId: this.o.bootId } : {}),
      });
      await this.refresh();
      this.installState = {
        state: 'installed',
        percent: 100,
        detail: `slot ${target} holds ${version}: rebooting into it`,
      };
      log({
        severity: 'notice',
        code: 'UPGRADE_INSTALLED',
        message: `slot ${target} holds ${version}: rebooting into it for its trial`,
      });
      this.o.reboot(`the update to ${version} is installed in slot ${target}`);
    } catch (e) {
      this.installState = { state: 'failed', percent: null, detail: errorMessage(e) };
      log({
        severity: 'error',
        code: 'UPGRADE_INSTALL_FAILED',
        message: `install of ${version} failed: ${errorMessage(e)}; nothing changes on this controller`,
      });
    }
  }

  /** Rollback: the other slot primary again, then a reboot into it. */
  async rollback(): Promise<void> {
    await this.o.slots.markActive('other');
    await this.refresh();
    this.o.log({
      severity: 'warning',
      code: 'UPGRADE_ROLLBACK',
      message: 'rollback: the other slot is primary again; rebooting into it',
    });
    this.o.reboot('rollback to the other slot');
  }
}
