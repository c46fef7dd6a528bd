// The real path drivers from configuration: LinuxSerialLink on the tty,
// node:dgram sockets on the private link (and LAN), and an iSCSI session (or
// SG_IO) to the witness LUN. A path whose settings are incomplete is left
// out and reported, so the box still runs on the others.
import type { Clock } from '../../hal/clock/clock.ts';
import { LinuxDatagramSocket } from '../../hal/net/datagram-linux.ts';
import type { HalPaths } from '../../hal/paths.ts';
import { IscsiInitiator } from '../../hal/scsi/iscsi/initiator.ts';
import { LinuxSerialLink } from '../../hal/serial/linux.ts';
import type { ControllerId } from '../cluster/codes.ts';
import type { TandemConfig } from '../config/schema.ts';
import { DiskPath, type DiskTransport } from '../heartbeat/disk-path.ts';
import type { PathDriver } from '../heartbeat/path-driver.ts';
import { SerialPath } from '../heartbeat/serial-path.ts';
import { UdpPath } from '../heartbeat/udp-path.ts';
import { boxNumber, keyBytes } from './identity.ts';

export interface DriverSet {
  readonly drivers: PathDriver[];
  /** Paths configured but left out, and why. */
  readonly skipped: { path: string; why: string }[];
}

export function linuxDrivers(
  config: TandemConfig,
  self: ControllerId,
  paths: HalPaths,
  clock: Clock,
  /** The session shared with the fencer (firmware/fencing/shared-disk.ts); default (iscsi only): its own. */
  sharedDisk?: DiskTransport,
): DriverSet {
  const c = config.cluster;
  const drivers: PathDriver[] = [];
  const skipped: { path: string; why: string }[] = [];
  if (c.serial.enabled) {
    // TANDEM_SERIAL_TTY (the lab's pty) wins over the file: it names this board's wiring.
    const tty =
      process.env['TANDEM_SERIAL_TTY'] !== undefined ? paths.serialTty : (c.serial.tty ?? paths.serialTty);
    drivers.push(
      new SerialPath({ link: new LinuxSerialLink({ path: tty, baudRate: c.serial.baudRate }), clock }),
    );
  }
  for (const name of ['network', 'lan'] as const) {
    const link = c[name];
    if (!link.enabled) continue;
    const path = name === 'network' ? 'net' : 'lan';
    if (link.localAddress === undefined || link.peerAddress === undefined) {
      skipped.push({ path, why: `/cluster/${name}/localAddress and peerAddress are not both set` });
      continue;
    }
    drivers.push(
      new UdpPath({
        path,
        clock,
        makeSocket: () => new LinuxDatagramSocket(),
        localAddress: link.localAddress,
        peerAddress: link.peerAddress,
        port: link.port,
      }),
    );
  }
  const disk = sharedDisk ?? diskTransport(config, clock);
  if ('why' in disk) skipped.push({ path: 'disk', why: disk.why });
  else {
    drivers.push(
      new DiskPath({
        clock,
        transport: disk,
        area: { baseLba: BigInt(c.disk.witnessLba), sectorCount: BigInt(c.disk.witnessSectors) },
        self,
        boxId: boxNumber(config.box.id),
        key: keyBytes(c.key),
        intervalMs: c.heartbeat.intervalMs,
        deadtimeMs: c.heartbeat.deadtimeMs,
      }),
    );
  }
  return { drivers, skipped };
}

function diskTransport(config: TandemConfig, clock: Clock): DiskTransport | { why: string } {
  const d = config.cluster.disk;
  if (d.transport === 'sg') {
    // One node, one I_T nexus: the witness runs over the fencer's session
    // (createSharedDisk), never over a second open of its own.
    return { why: 'transport "sg" needs the shared session (firmware/fencing/shared-disk.ts)' };
  }
  const iscsi = {
    portal: { host: d.portal.host, port: d.portal.port },
    targetIqn: d.targetIqn,
    initiatorName: d.initiatorName,
    lun: d.lun,
    auth: { method: 'none' },
    // A short connect timeout: a cut SAS link must not hold the path for long.
    timeouts: { connectMs: Math.max(500, config.cluster.heartbeat.deadtimeMs) },
    // Our DiskPath reopens sessions itself, with the header check each time.
    reconnect: { enabled: false },
  };
  return {
    description: `iscsi://${d.portal.host}:${d.portal.port}/${d.targetIqn}/${d.lun}`,
    open: async () => {
      const initiator = new IscsiInitiator(iscsi, { clock });
      await initiator.connect();
      return initiator;
    },
  };
}
