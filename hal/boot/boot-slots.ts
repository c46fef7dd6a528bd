// The controller's two root slots (A/B) and the boot loader's choice between
// them, as RAUC keeps it (grubenv: ORDER, <slot>_OK, <slot>_TRY). The Linux
// driver runs the rauc CLI (rauc.ts); the sim keeps the same state in memory
// with scripted faults (sim.ts). One contract suite runs against both.

export type SlotName = 'A' | 'B';
export const SLOT_NAMES: readonly SlotName[] = ['A', 'B'];

export function otherSlot(s: SlotName): SlotName {
  return s === 'A' ? 'B' : 'A';
}

export interface SlotInfo {
  readonly name: SlotName;
  /** The boot loader's mark: good (may boot), bad (skipped). */
  readonly good: boolean;
  /** The firmware version last installed there, null when unknown (never installed by RAUC). */
  readonly version: string | null;
}

export interface BootStatus {
  /** The slot running now. */
  readonly booted: SlotName;
  /** The slot the boot loader tries first. */
  readonly primary: SlotName;
  readonly slots: readonly SlotInfo[];
}

export interface BundleInfo {
  readonly compatible: string;
  readonly version: string;
}

export interface InstallProgress {
  readonly percent: number;
  readonly message: string;
}

export interface BootSlots {
  status(): Promise<BootStatus>;
  /** The bundle's signature checked against the keyring; its compatible and version. Nothing is written. */
  info(bundle: string): Promise<BundleInfo>;
  /**
   * Verifies the bundle (signature, then every payload block as it is read)
   * and writes it into the slot not running, which becomes primary. A bundle
   * that fails verification writes nothing.
   */
  install(bundle: string, onProgress: (p: InstallProgress) => void): Promise<void>;
  /** The booted slot passed its health check: good, and its attempt counter reset. */
  markGood(): Promise<void>;
  /** The slot not running may no longer boot (prevent-late-fallback, or a failed trial). */
  markOtherBad(): Promise<void>;
  /** Makes a slot primary and good: the booted one (after a fallback) or the other (rollback). */
  markActive(which: 'booted' | 'other'): Promise<void>;
}

/** What went wrong, for callers to branch on. */
export type BootErrorCode = 'not-installed' | 'refused' | 'failed' | 'timeout' | 'bad-output';

export class BootError extends Error {
  readonly code: BootErrorCode;
  constructor(code: BootErrorCode, message: string) {
    super(message);
    this.name = 'BootError';
    this.code = code;
  }
}
