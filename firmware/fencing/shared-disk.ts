// Opens the controller's one session to the shared LUN from config, for
// either transport: 'iscsi' (the lab's tgt, shared-iscsi.ts) or 'sg' (the
// box's SAS HBA, shared-sg.ts). Nothing is opened until ready(). The same
// reservation manager and DiskPath run over both (shared-transport.ts).
import type { Clock } from '../../hal/clock/clock.ts';
import type { ScsiDevice } from '../../hal/scsi/device.ts';
import { paths } from '../../hal/paths.ts';
import { SharedIscsiSession } from './shared-iscsi.ts';
import { SharedSgSession } from './shared-sg.ts';
import type { SharedDiskConfig } from './shared-config.ts';
import type { SharedDisk } from './shared-transport.ts';

export type { SharedDisk } from './shared-transport.ts';

export interface SharedDiskOptions {
  /** The sg node when /cluster/disk/sgDevice is unset; default hal/paths.ts (TANDEM_SCSI_GENERIC). */
  readonly scsiGeneric?: string;
  /** Opens the sg node; default openSgDevice. Tests pass the sim kernel's. */
  readonly openSg?: (path: string) => Promise<ScsiDevice>;
  /** [0, 1) source for reopen jitter (sg); injectable for tests. */
  readonly random?: () => number;
}

export function createSharedDisk(
  config: SharedDiskConfig,
  clock: Clock,
  options: SharedDiskOptions = {},
): SharedDisk {
  const d = config.cluster.disk;
  switch (d.transport) {
    case 'iscsi':
      return new SharedIscsiSession(config, clock);
    case 'sg':
      return new SharedSgSession({
        path: d.sgDevice ?? options.scsiGeneric ?? paths.scsiGeneric,
        clock,
        open: options.openSg,
        random: options.random,
      });
  }
}
