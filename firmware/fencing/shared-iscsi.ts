// The shared session over iSCSI (the lab's tgt): one initiator per
// controller. It reconnects by itself (the manager re-registers on
// 'reconnected'), so DiskPath's "close and reopen" becomes "wait for it".
import type { Clock } from '../../hal/clock/clock.ts';
import { HalError } from '../../hal/errors.ts';
import type { ScsiDevice } from '../../hal/scsi/device.ts';
import { IscsiInitiator, isidFor } from '../../hal/scsi/iscsi/initiator.ts';
import type { DiskTransport } from '../heartbeat/disk-path.ts';
import type { SharedDiskConfig } from './shared-config.ts';
import { sharedTransport, type SharedDisk } from './shared-transport.ts';

export class SharedIscsiSession implements SharedDisk {
  readonly initiator: IscsiInitiator;
  private connecting: Promise<void> | undefined;

  constructor(config: SharedDiskConfig, clock: Clock) {
    const d = config.cluster.disk;
    this.initiator = new IscsiInitiator(
      {
        portal: { host: d.portal.host, port: d.portal.port },
        targetIqn: d.targetIqn,
        initiatorName: d.initiatorName,
        lun: d.lun,
        auth: { method: 'none' },
        // A cut SAS link must not hold a login attempt for long.
        timeouts: { connectMs: Math.max(500, config.cluster.heartbeat.deadtimeMs) },
        reconnect: { enabled: true, initialDelayMs: 200, maxDelayMs: 2000 },
      },
      // One SCSI initiator port per controller across restarts (isidFor).
      { clock, isid: isidFor(d.initiatorName) },
    );
  }

  get device(): ScsiDevice {
    return this.initiator;
  }

  /** Log in if nobody has yet; rejects while a reconnect is under way. */
  ready(): Promise<void> {
    const init = this.initiator;
    switch (init.state) {
      case 'connected':
        return Promise.resolve();
      case 'idle':
        this.connecting ??= init.connect().finally(() => {
          this.connecting = undefined;
        });
        return this.connecting;
      case 'connecting':
        return this.connecting ?? Promise.reject(new HalError('busy', init.description, 'login under way'));
      case 'reconnecting':
        return Promise.reject(new HalError('busy', init.description, 'session reconnecting'));
      case 'closed':
        return Promise.reject(new HalError('closed', init.description, 'session closed'));
    }
  }

  transport(): DiskTransport {
    return sharedTransport(this.initiator, () => this.ready());
  }

  close(): Promise<void> {
    return this.initiator.close();
  }
}
