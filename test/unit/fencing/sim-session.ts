// A ScsiDevice over SimScsiTarget that can "log in again", like IscsiInitiator:
// reconnect() opens a new session (a new I_T nexus under the 'tgt' quirks)
// and emits 'reconnected'.
import { EventEmitter } from 'node:events';
import type { ScsiCommand, ScsiDevice, ScsiResult } from '../../../hal/scsi/device.ts';
import type { SimScsiDevice, SimScsiTarget } from '../../../hal/scsi/sim.ts';

export class SimSession extends EventEmitter<{ reconnected: [] }> implements ScsiDevice {
  readonly description: string;
  private session: SimScsiDevice;
  private readonly target: SimScsiTarget;
  private readonly name: string;

  constructor(target: SimScsiTarget, name: string) {
    super();
    this.target = target;
    this.name = name;
    this.session = target.connect(name);
    this.description = this.session.description;
  }

  execute(cmd: ScsiCommand): Promise<ScsiResult> {
    return this.session.execute(cmd);
  }

  /** Drop the session silently (no event), as a transport that does not report it. */
  relogin(): void {
    void this.session.close();
    this.session = this.target.connect(this.name);
  }

  reconnect(): void {
    this.relogin();
    this.emit('reconnected');
  }

  close(): Promise<void> {
    return this.session.close();
  }
}
