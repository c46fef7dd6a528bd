// The one place a controller is built: from the config in force and a
// platform (Linux drivers or sims). The daemon, the simulated box and the
// deterministic simulation all call buildController; nothing else
// assembles heartbeats, fencing, failover and resources.
import type { AlarmManager } from '../alarms/alarm-manager.ts';
import type { ControllerId } from '../cluster/codes.ts';
import { boxNumber, keyBytes } from '../cluster/identity.ts';
import { err, ok, type Result } from '../core/result.ts';
import { validateTiming, type HeartbeatTiming } from '../cluster/timing.ts';
import type { TandemConfig } from '../config/schema.ts';
import type { EventSink } from '../events/types.ts';
import { probeTimeoutMs } from './failover-settings.ts';
import type { Fencer } from '../fencing/fencer.ts';
import { NoSharedDisk } from '../fencing/no-shared-disk.ts';
import { ReservationManager } from '../fencing/reservation-manager.ts';
import { DiskPath } from '../heartbeat/disk-path.ts';
import type { PathDriver } from '../heartbeat/path-driver.ts';
import { SerialPath } from '../heartbeat/serial-path.ts';
import { UdpPath } from '../heartbeat/udp-path.ts';
import { Controller } from './controller.ts';
import type { Platform } from './platform.ts';

export interface BuildOptions {
  readonly config: TandemConfig;
  readonly self: ControllerId;
  readonly platform: Platform;
  readonly events: EventSink;
  readonly alarms: AlarmManager;
  /** Default: the config's own version, fixed. */
  readonly configVersion?: () => number;
  readonly rejectionSummaryMs?: number;
}

/** A heartbeat path the config asks for but that cannot run, and why. */
export interface SkippedPath {
  readonly path: string;
  readonly why: string;
}

export function buildController(
  o: BuildOptions,
): Result<{ controller: Controller; skipped: readonly SkippedPath[] }, string> {
  const timing = validateTiming(o.config.cluster.heartbeat);
  if (!timing.ok) return err(`/cluster/heartbeat/${timing.error.field}: ${timing.error.detail}`);
  const { drivers, skipped } = pathDrivers(o.config, o.self, o.platform, timing.value);
  const controller = new Controller({
    config: o.config,
    self: o.self,
    timing: timing.value,
    platform: o.platform,
    drivers,
    fencer: fencerFor(o, timing.value),
    fencedLun: o.platform.sharedDisk === null ? null : o.config.cluster.disk.lun,
    events: o.events,
    alarms: o.alarms,
    configVersion: o.configVersion ?? (() => o.config.configVersion),
    ...(o.rejectionSummaryMs !== undefined ? { rejectionSummaryMs: o.rejectionSummaryMs } : {}),
  });
  return ok({ controller, skipped });
}

/**
 * The fencer and the witness heartbeat share the platform's one session to
 * the shared LUN. The registration poll runs every heartbeat interval: it is
 * also the disk-access probe of the failover machine.
 */
function fencerFor(o: BuildOptions, timing: HeartbeatTiming): Fencer {
  const disk = o.platform.sharedDisk;
  if (disk === null) return new NoSharedDisk();
  return new ReservationManager({
    device: disk.device,
    boxId: o.config.box.id,
    controller: o.self,
    clock: o.platform.clock,
    pollIntervalMs: timing.intervalMs,
    commandTimeoutMs: probeTimeoutMs(timing),
  });
}

/** One driver per configured heartbeat path; one whose settings are incomplete is left out and reported. */
function pathDrivers(
  config: TandemConfig,
  self: ControllerId,
  platform: Platform,
  timing: HeartbeatTiming,
): { drivers: PathDriver[]; skipped: SkippedPath[] } {
  const c = config.cluster;
  const clock = platform.clock;
  const drivers: PathDriver[] = [];
  const skipped: SkippedPath[] = [];
  if (c.serial.enabled) drivers.push(new SerialPath({ link: platform.serialLink(c.serial), clock }));
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
        makeSocket: () => platform.datagramSocket(),
        localAddress: link.localAddress,
        peerAddress: link.peerAddress,
        port: link.port,
      }),
    );
  }
  if (platform.sharedDisk === null)
    skipped.push({ path: 'disk', why: 'this platform reaches no shared disk' });
  else
    drivers.push(
      new DiskPath({
        clock,
        transport: platform.sharedDisk.transport(),
        area: { baseLba: BigInt(c.disk.witnessLba), sectorCount: BigInt(c.disk.witnessSectors) },
        self,
        boxId: boxNumber(config.box.id),
        key: keyBytes(c.key),
        intervalMs: timing.intervalMs,
        deadtimeMs: timing.deadtimeMs,
      }),
    );
  return { drivers, skipped };
}
