// Builds the failover core for one controller and hooks it into the
// ControllerNode: the Linux daemon and the sim box both call this, only the
// SCSI session, watchdog and command runner differ. The fencer and the
// witness heartbeat share ONE session (I_T nexus): under the type-5
// reservation only a registered nexus may write, and a registration belongs
// to the nexus that made it (docs/reservations.md).
import type { Clock } from '../../../hal/clock/clock.ts';
import type { NetControl } from '../../../hal/net/net.ts';
import type { ScsiDevice } from '../../../hal/scsi/device.ts';
import type { Watchdog } from '../../../hal/watchdog/watchdog.ts';
import type { AlarmManager } from '../../alarms/alarm-manager.ts';
import type { HeartbeatTiming } from '../../cluster/timing.ts';
import type { TandemConfig } from '../../config/schema.ts';
import type { EventSink } from '../../events/types.ts';
import { membershipPeerView } from '../../failover/peer-view.ts';
import { ReservationManager } from '../../fencing/reservation-manager.ts';
import type { CommandRunner } from '../../resources/command.ts';
import type { ControllerNode } from '../node.ts';
import { failoverFencer } from './fencer-port.ts';
import { ResourceGroupRunner } from './group-runner.ts';
import { FailoverHost } from './host.ts';
import { reservationPort } from './reservation-port.ts';
import { failoverSettings, probeTimeoutMs } from './settings.ts';

export interface FailoverWiring {
  readonly node: ControllerNode;
  readonly config: TandemConfig;
  readonly timing: HeartbeatTiming;
  readonly clock: Clock;
  readonly events: EventSink;
  readonly alarms: AlarmManager;
  /** The shared-disk session the witness heartbeat also uses; null: no disk configured. */
  readonly device: ScsiDevice | null;
  /** The witness LUN: the reservation resource may name it (the only LUN the fencer holds). */
  readonly lun: number;
  readonly watchdog: Watchdog | null;
  readonly run: CommandRunner;
  readonly net: NetControl;
  readonly stateDir: string;
}

export function wireFailover(w: FailoverWiring): FailoverHost {
  const self = w.node.self;
  const settings = failoverSettings(w.config, self, w.timing);
  const rm =
    w.device === null
      ? null
      : new ReservationManager({
          device: w.device,
          boxId: w.config.box.id,
          controller: self,
          clock: w.clock,
          pollIntervalMs: Math.max(1000, w.timing.intervalMs),
          commandTimeoutMs: probeTimeoutMs(w.timing),
        });
  if (rm !== null) logReservations(rm, w.events);
  const fencer = rm === null ? noDiskFencer() : failoverFencer(rm);
  const late: { host?: FailoverHost } = {};
  const runner = new ResourceGroupRunner({
    groups: w.config.groups,
    deps: {
      controller: self,
      clock: w.clock,
      run: w.run,
      net: w.net,
      reservations: (lun) => (lun === w.lun && w.device !== null ? reservationPort(fencer) : undefined),
      events: w.events,
      alarms: w.alarms,
      stateDir: w.stateDir,
    },
    onGroupFailed: (e) => late.host?.groupFailed(e.group, e.reason),
    onConfigError: (group, detail) =>
      w.events.append({
        severity: 'error',
        source: 'failover',
        code: 'GROUP_CONFIG_INVALID',
        message: `group ${group} cannot run here: ${detail}`,
        data: { group, detail },
      }),
  });
  const host = new FailoverHost({
    clock: w.clock,
    settings,
    fencer,
    runner,
    peer: membershipPeerView(w.node.runtime.membership),
    watchdog: w.watchdog,
    events: w.events,
    alarms: w.alarms,
    setState: (to, why) => w.node.status.setState(to, why),
    beatNow: () => w.node.runtime.beat(),
  });
  late.host = host;
  w.node.attachFailover(host);
  w.events.append({
    severity: 'notice',
    source: 'failover',
    code: 'FAILOVER_CONFIGURED',
    message: `failover ${settings.policy}, groups ${settings.groups.map((g) => `${g.name}@${g.preferred}`).join(', ') || '(none)'}, takeover wait ${settings.takeoverWaitMs} ms`,
    data: {
      policy: settings.policy,
      takeoverWaitMs: settings.takeoverWaitMs,
      fenceDelayMs: settings.fenceDelayMs,
      watchdog: w.watchdog !== null,
      groups: settings.groups.map((g) => g.name),
    },
  });
  return host;
}

const hex = (k: bigint): string => `0x${k.toString(16).padStart(16, '0')}`;

/** Our key's life on the shared LUN, one line each: the evidence of who fenced whom. */
function logReservations(rm: ReservationManager, events: EventSink): void {
  rm.on('registered', (i) =>
    events.append({
      severity: 'notice',
      source: 'fencing',
      code: 'PR_REGISTERED',
      message: `registered key ${hex(i.key)} on the shared LUN`,
      data: { key: hex(i.key), removedOrphans: i.removedOrphans.map(hex) },
    }),
  );
  rm.on('fenced', (i) =>
    events.append({
      severity: 'critical',
      source: 'fencing',
      code: 'PR_KEY_PREEMPTED',
      message: `our key ${hex(i.key)} is gone from the shared LUN (seen by ${i.detectedBy}): the peer fenced us`,
      data: { key: hex(i.key), detectedBy: i.detectedBy },
    }),
  );
}

/** Without a shared disk there is no arbiter: the core sees a disk error and never fences. */
function noDiskFencer(): ReturnType<typeof failoverFencer> {
  const noDisk = (): Promise<never> => Promise.reject(new Error('no shared disk configured'));
  return {
    start: noDisk,
    stop: () => Promise.resolve(),
    register: noDisk,
    reserve: noDisk,
    release: noDisk,
    fencePeer: () => Promise.resolve({ kind: 'failed', detail: 'no shared disk configured' }),
    verifyOwnRegistration: () => Promise.resolve({ kind: 'disk-error', detail: 'no shared disk configured' }),
    snapshot: () => ({ ourKey: 0n, keys: [], reservation: null, fenced: false }),
  };
}
