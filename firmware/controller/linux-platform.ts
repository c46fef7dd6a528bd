// The controller's platform on a real board (or a lab namespace): the tty
// for RS-232, node:dgram sockets, one session to the shared LUN (iSCSI in
// the lab, SG_IO on the box), /dev/watchdog (or the lab's stand-in socket),
// the `ip` command and AF_PACKET for addresses, and external commands for
// agents and hooks. Every path comes from hal/paths.ts.
import type { Clock } from '../../hal/clock/clock.ts';
import { LinuxDatagramSocket } from '../../hal/net/datagram-linux.ts';
import { LinuxNetControl } from '../../hal/net/linux.ts';
import type { HalPaths } from '../../hal/paths.ts';
import { LinuxSerialLink } from '../../hal/serial/linux.ts';
import { LabWatchdog } from '../../hal/watchdog/lab.ts';
import { LinuxWatchdog } from '../../hal/watchdog/linux.ts';
import type { TandemConfig } from '../config/schema.ts';
import { createSharedDisk } from '../fencing/shared-disk.ts';
import { createCommandRunner } from '../resources/command.ts';
import type { Platform } from './platform.ts';

export function linuxPlatform(config: TandemConfig, paths: HalPaths, clock: Clock): Platform {
  const wd = config.failover.watchdog;
  return {
    clock,
    serialLink: (serial) => {
      // TANDEM_SERIAL_TTY (the lab's pty) wins over the file: it names this board's wiring.
      const tty =
        process.env['TANDEM_SERIAL_TTY'] !== undefined ? paths.serialTty : (serial.tty ?? paths.serialTty);
      return new LinuxSerialLink({ path: tty, baudRate: serial.baudRate });
    },
    datagramSocket: () => new LinuxDatagramSocket(),
    sharedDisk: createSharedDisk(config, clock, { scsiGeneric: paths.scsiGeneric }),
    // The failover machine pets the watchdog each interval and stops to get a reset.
    watchdog: wd.enabled
      ? paths.watchdogDev.endsWith('.sock')
        ? new LabWatchdog(paths.watchdogDev)
        : new LinuxWatchdog(paths.watchdogDev)
      : null,
    run: createCommandRunner(clock),
    net: new LinuxNetControl(),
    stateDir: paths.stateDir,
  };
}
