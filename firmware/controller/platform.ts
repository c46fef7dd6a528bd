// What a controller runs on: the HAL drivers and a clock. The Linux daemon
// (linux-platform.ts) and the simulations (firmware/sim) each provide one;
// build.ts turns a config and a platform into a controller, the same way
// for all of them.
import type { Clock } from '../../hal/clock/clock.ts';
import type { DatagramSocket } from '../../hal/net/datagram.ts';
import type { NetControl } from '../../hal/net/net.ts';
import type { SerialLink } from '../../hal/serial/serial.ts';
import type { Watchdog } from '../../hal/watchdog/watchdog.ts';
import type { TandemConfig } from '../config/schema.ts';
import type { SharedDisk } from '../fencing/shared-disk.ts';
import type { CommandRunner } from '../resources/command.ts';
import type { DummyStore } from '../resources/agents/dummy.ts';

export interface Platform {
  readonly clock: Clock;
  /** The RS-232 link to the peer (cluster.serial). */
  serialLink(serial: TandemConfig['cluster']['serial']): SerialLink;
  /** A fresh, unbound UDP socket (private link, LAN). */
  datagramSocket(): DatagramSocket;
  /** The one session to the shared LUN (witness and reservations); null: none (no witness, no fencing). */
  readonly sharedDisk: SharedDisk | null;
  /** null: no hardware watchdog (config failover.watchdog.enabled false). */
  readonly watchdog: Watchdog | null;
  /** Runs agents' and hooks' external commands. */
  readonly run: CommandRunner;
  readonly net: NetControl;
  /** Where the dummy resource keeps its state; default: files under stateDir. */
  readonly dummyStore?: DummyStore;
  readonly stateDir: string;
  /** A fresh heartbeat incarnation per process start; default random. */
  readonly incarnation?: bigint;
}
