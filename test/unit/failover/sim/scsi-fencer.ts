// A Fencer over any ScsiDevice with a fence_scsi-like key scheme, for the
// simulation (the product's reservation manager lives in firmware/fencing).
import { isScsiError } from '../../../../hal/scsi/errors.ts';
import {
  preempt,
  preemptAndAbort,
  readKeys,
  readReservation,
  registerIgnore,
  release,
  reserve,
} from '../../../../hal/scsi/commands.ts';
import { PrType } from '../../../../hal/scsi/cdb/pr-types.ts';
import type { ScsiDevice } from '../../../../hal/scsi/device.ts';
import type { ControllerId } from '../../../../firmware/cluster/codes.ts';
import type {
  FenceOutcome,
  Fencer,
  FencerSnapshot,
  RegistrationCheck,
} from '../../../../firmware/failover/ports.ts';

const TYPE = PrType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY;
const OPTS = { timeoutMs: 300 };

/** "TDKY" + controller letter: readable in sg_persist output. */
export function keyOf(id: ControllerId): bigint {
  return (0x5444_4b59n << 32n) | BigInt(id.charCodeAt(0));
}

export class ScsiFencer implements Fencer {
  private readonly dev: ScsiDevice;
  private readonly ourKey: bigint;
  private readonly peerKey: bigint;
  private last: FencerSnapshot;

  constructor(dev: ScsiDevice, self: ControllerId, peer: ControllerId) {
    this.dev = dev;
    this.ourKey = keyOf(self);
    this.peerKey = keyOf(peer);
    this.last = { ourKey: this.ourKey, keys: [], reservation: null, fenced: false };
  }

  async start(): Promise<void> {
    await this.register();
    await this.reserve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  register(): Promise<void> {
    return registerIgnore(this.dev, this.ourKey, OPTS);
  }

  async reserve(): Promise<void> {
    const r = await readReservation(this.dev, OPTS);
    if (r.reservation !== null) return;
    try {
      await reserve(this.dev, this.ourKey, TYPE, OPTS);
    } catch (e) {
      // The peer reserved between our read and our RESERVE: that is fine.
      if (!isScsiError(e, 'reservation-conflict')) throw e;
    }
  }

  release(): Promise<void> {
    return release(this.dev, this.ourKey, TYPE, OPTS);
  }

  async fencePeer(): Promise<FenceOutcome> {
    let keys: bigint[];
    try {
      keys = (await readKeys(this.dev, OPTS)).keys;
    } catch (e) {
      return { kind: 'failed', detail: String(e) };
    }
    if (!keys.includes(this.ourKey)) return { kind: 'we-are-fenced', detail: 'our key is not registered' };
    if (!keys.includes(this.peerKey)) return { kind: 'fenced', method: 'already-gone' };
    try {
      await preemptAndAbort(this.dev, this.ourKey, this.peerKey, TYPE, OPTS);
      return { kind: 'fenced', method: 'preempt-and-abort' };
    } catch (e) {
      if (isScsiError(e, 'reservation-conflict')) return { kind: 'we-are-fenced', detail: String(e) };
      if (!isScsiError(e, 'illegal-request')) return { kind: 'failed', detail: String(e) };
    }
    try {
      await preempt(this.dev, this.ourKey, this.peerKey, TYPE, OPTS);
      return { kind: 'fenced', method: 'preempt' };
    } catch (e) {
      if (isScsiError(e, 'reservation-conflict')) return { kind: 'we-are-fenced', detail: String(e) };
      return { kind: 'failed', detail: String(e) };
    }
  }

  async verifyOwnRegistration(): Promise<RegistrationCheck> {
    try {
      const keys = (await readKeys(this.dev, OPTS)).keys;
      const fenced = !keys.includes(this.ourKey);
      this.last = { ...this.last, keys, fenced };
      return fenced ? { kind: 'lost' } : { kind: 'ok' };
    } catch (e) {
      return { kind: 'disk-error', detail: String(e) };
    }
  }

  snapshot(): FencerSnapshot {
    return this.last;
  }
}
