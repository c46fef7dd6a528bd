// A controller's SAS/iSCSI link to the shared target, which can be cut on
// one side only (SimScsiTarget.setOffline cuts both). Completions run on the
// controller's clock, so a stalled process sees them only when it resumes.
import { HalError } from '../../../../hal/errors.ts';
import type { ScsiCommand, ScsiDevice, ScsiResult } from '../../../../hal/scsi/device.ts';
import type { ControllerClock } from './controller-clock.ts';

export class LinkDevice implements ScsiDevice {
  readonly description: string;
  up = true;
  private readonly inner: ScsiDevice;
  private readonly clock: ControllerClock;

  constructor(inner: ScsiDevice, clock: ControllerClock) {
    this.inner = inner;
    this.clock = clock;
    this.description = inner.description;
  }

  execute(cmd: ScsiCommand): Promise<ScsiResult> {
    const attempt: Promise<ScsiResult> = this.up
      ? this.inner.execute(cmd)
      : Promise.reject(new HalError('disconnected', this.description, 'link cut'));
    return new Promise((resolve, reject) => {
      attempt.then(
        (r) => this.clock.run(() => resolve(r)),
        (e: unknown) => this.clock.run(() => reject(e instanceof Error ? e : new Error(String(e)))),
      );
    });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
