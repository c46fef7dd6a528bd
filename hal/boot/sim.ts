// BootSlots in memory, with GRUB's choice modelled as images/grub/grub.cfg
// makes it (ORDER, <slot>_OK, <slot>_TRY): `powerCycle()` picks the next
// slot as the boot loader would. Bundles are registered by path with their
// contents; scripted faults make a bundle corrupt or an install fail.
import {
  BootError,
  otherSlot,
  type BootSlots,
  type BootStatus,
  type BundleInfo,
  type InstallProgress,
  type SlotName,
} from './boot-slots.ts';
import { asError } from '../errors.ts';

interface SimSlot {
  ok: boolean;
  tried: boolean;
  version: string | null;
}

export interface SimBundle extends BundleInfo {
  /** Refused by the signature check (wrong key). */
  readonly badSignature?: boolean;
  /** Refused at install, when the payload is verified (a flipped byte). */
  readonly corrupt?: boolean;
}

export class SimBootSlots implements BootSlots {
  readonly compatible: string;
  private readonly slots: Record<SlotName, SimSlot>;
  private order: SlotName[] = ['A', 'B'];
  private bootedSlot: SlotName = 'A';
  private readonly bundles = new Map<string, SimBundle>();
  /** A power cut during install: the slot is half-written, not primary. */
  failNextInstall: string | null = null;
  /**
   * A slow `rauc status` (it runs at RAUC's low priority and took over 30 s
   * on a busy controller): when set, status() first waits for it.
   */
  statusDelay: (() => Promise<void>) | null = null;

  constructor(o: { compatible?: string; version?: string } = {}) {
    this.compatible = o.compatible ?? 'tandem-controller';
    this.slots = {
      A: { ok: true, tried: true, version: o.version ?? null },
      B: { ok: false, tried: false, version: null },
    };
  }

  addBundle(path: string, bundle: SimBundle): void {
    this.bundles.set(path, bundle);
  }

  async status(): Promise<BootStatus> {
    await this.statusDelay?.();
    return {
      booted: this.bootedSlot,
      primary: this.order[0]!,
      slots: (['A', 'B'] as const).map((name) => ({
        name,
        good: this.slots[name].ok,
        version: this.slots[name].version,
      })),
    };
  }

  private bundle(path: string): SimBundle {
    const b = this.bundles.get(path);
    if (b === undefined) throw new BootError('refused', `${path}: no such bundle`);
    if (b.badSignature === true) throw new BootError('refused', `${path}: signature verification failed`);
    if (b.compatible !== this.compatible)
      throw new BootError('refused', `${path}: compatible '${b.compatible}' is not '${this.compatible}'`);
    return b;
  }

  info(path: string): Promise<BundleInfo> {
    try {
      const b = this.bundle(path);
      return Promise.resolve({ compatible: b.compatible, version: b.version });
    } catch (e) {
      return Promise.reject(asError(e));
    }
  }

  install(path: string, onProgress: (p: InstallProgress) => void): Promise<void> {
    try {
      const b = this.bundle(path);
      if (b.corrupt === true) throw new BootError('refused', `${path}: verity: hash mismatch in the payload`);
      const target = otherSlot(this.bootedSlot);
      onProgress({ percent: 0, message: 'Installing' });
      // Before writing, RAUC marks the target bad: a cut leaves it unbootable.
      this.slots[target] = { ok: false, tried: false, version: null };
      if (this.failNextInstall !== null) {
        const why = this.failNextInstall;
        this.failNextInstall = null;
        throw new BootError('failed', why);
      }
      this.slots[target] = { ok: true, tried: false, version: b.version };
      this.order = [target, this.bootedSlot];
      onProgress({ percent: 100, message: 'Installing done.' });
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(asError(e));
    }
  }

  markGood(): Promise<void> {
    const s = this.slots[this.bootedSlot];
    s.ok = true;
    s.tried = false;
    return Promise.resolve();
  }

  markOtherBad(): Promise<void> {
    const s = this.slots[otherSlot(this.bootedSlot)];
    s.ok = false;
    s.tried = false;
    return Promise.resolve();
  }

  markActive(which: 'booted' | 'other'): Promise<void> {
    const name = which === 'booted' ? this.bootedSlot : otherSlot(this.bootedSlot);
    this.slots[name] = { ...this.slots[name], ok: true, tried: false };
    this.order = [name, otherSlot(name)];
    return Promise.resolve();
  }

  /** GRUB's choice (images/grub/grub.cfg): the first in ORDER that is OK and untried; else the first. */
  powerCycle(): SlotName {
    const next = this.order.find((n) => this.slots[n].ok && !this.slots[n].tried) ?? this.order[0]!;
    this.slots[next].tried = true;
    this.bootedSlot = next;
    return next;
  }
}
