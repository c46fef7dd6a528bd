// The daemon's operator surfaces and config replication, built from the
// config in force: the command handler shared by every channel (the controller's
// status and failover commands plus the operator ones), MQTT telemetry to
// the NOC, tandemctl's control socket, and the config replicator on the
// private link. Each is an Extension the daemon starts after the heartbeat.
import type { Clock } from '../../hal/clock/clock.ts';
import { LinuxDatagramSocket } from '../../hal/net/datagram-linux.ts';
import type { AlarmManager } from '../alarms/alarm-manager.ts';
import type { ConfigManager } from '../config/config-manager.ts';
import type { TandemConfig } from '../config/schema.ts';
import { panelSocketPath } from '../console/panel-socket.ts';
import { paths } from '../../hal/paths.ts';
import { webSurfaces } from './web-surface.ts';
import { ControlSocketServer } from '../console/server.ts';
import type { CommandHandler } from '../core/envelope.ts';
import type { Extension } from '../core/extension.ts';
import type { EventLog } from '../events/event-log.ts';
import { MqttTelemetry } from '../telemetry/mqtt-telemetry.ts';
import type { StatusReport } from '../status/snapshot.ts';
import type { Controller } from './controller.ts';
import { firmwareVersion } from '../commands/status.ts';
import { peerUpgradeView } from '../commands/upgrade.ts';
import { ConfigReplicator, replicationPort } from '../config/replication/replicator.ts';
import type { BootSlots } from '../../hal/boot/boot-slots.ts';
import { UpgradeService } from '../upgrade/service.ts';

export interface SurfaceOptions {
  readonly cfg: TandemConfig;
  readonly config: ConfigManager;
  readonly controller: Controller;
  readonly events: EventLog;
  readonly alarms: AlarmManager;
  readonly clock: Clock;
  readonly key: Uint8Array;
  readonly controlSocket: string;
  /** The serial console (hal paths.console) for the initial web password. */
  readonly consolePath?: string;
  /** The web secret whose initial password the first boot printed already. */
  readonly shownSecret?: string;
  /** The root slots, where this controller can be upgraded (the daemon on a box with RAUC). */
  readonly bootSlots?: BootSlots;
  /** Restarts the controller (an installed update, a failed trial, a rollback). */
  readonly reboot?: (why: string) => void;
  /** The kernel's id of this boot: a trial marker from this same boot is not a fallback. */
  readonly bootId?: string;
}

/** A trial boot's health check must pass within this; a TCG guest boots in two minutes. */
const TRIAL_DEADLINE_MS = 10 * 60_000;

export function operatorSurfaces(o: SurfaceOptions): { commands: CommandHandler; extensions: Extension[] } {
  // While the peer runs another firmware, operator config changes wait (config-manager.ts).
  o.config.watchPeer(() => peerUpgradeView(o.controller.status.current()), firmwareVersion());
  const upgrade = upgradeServiceFor(o);
  const commands = o.controller.commands.with({
    alarms: o.alarms,
    events: o.events,
    config: o.config,
    ...(upgrade !== undefined ? { upgrade } : {}),
  });
  if (upgrade !== undefined) upgrade.useReport(() => statusReportOf(commands));
  // The peer's requests (firmware/peer) run with the same parts as tandemctl's, without secrets.
  o.controller.servePeerWith(commands);
  const extensions: Extension[] = [];
  if (upgrade !== undefined) extensions.push(upgrade);
  const replicator = replicatorFor(o);
  if (replicator !== undefined) extensions.push(replicator);
  const note = (severity: 'info' | 'warning', message: string): void => {
    o.events.append({
      severity,
      source: 'mqtt',
      code: severity === 'info' ? 'MQTT_INFO' : 'MQTT_WARNING',
      message,
    });
  };
  const telemetry = {
    statusSource: o.controller.status,
    commandHandler: commands,
    alarms: o.alarms,
    alarmSink: o.alarms,
    clock: o.clock,
    log: { info: (m: string) => note('info', m), warn: (m: string) => note('warning', m) },
  };
  // The report is sent again when mute, locate or a rolling upgrade's progress changes.
  const reportChanges = (listener: () => void): (() => void) => {
    const offSignals = o.alarms.signals.subscribe(listener);
    const offUpgrade = upgrade?.subscribe(listener);
    return () => {
      offSignals();
      offUpgrade?.();
    };
  };
  const local = o.cfg.mqtt.local;
  if (local.enabled)
    extensions.push(
      new MqttTelemetry({
        ...telemetry,
        name: 'mqtt-local',
        // Same prefix; its own URL and credentials, no TLS on loopback, no token.
        config: {
          mqtt: {
            enabled: true,
            url: local.url,
            username: local.username,
            password: local.password,
            tls: {},
            topicPrefix: o.cfg.mqtt.topicPrefix,
            commandToken: undefined,
          },
        },
        answerRequests: false,
        reportSource: () => statusReportOf(commands),
        reportChanges,
      }),
    );
  extensions.push(
    new MqttTelemetry({
      config: o.cfg,
      statusSource: o.controller.status,
      commandHandler: commands,
      alarms: o.alarms,
      alarmSink: o.alarms,
      eventLog: o.events,
      clock: o.clock,
      log: { info: (m) => note('info', m), warn: (m) => note('warning', m) },
      extraMetrics: () => heartbeatMetrics(o.controller, replicator),
      // The NOC follows a rolling upgrade in the report too (docs/upgrade.md).
      reportSource: () => statusReportOf(commands),
      reportChanges,
    }),
    new ControlSocketServer({
      socketPath: o.controlSocket,
      // Root-only (0600 in a 0700 directory): the one channel that may carry secrets.
      commandHandler: commands.with({ secretsChannel: true }),
      log: { warn: (m) => note('warning', m) },
    }),
  );
  if (o.cfg.panel.enabled)
    extensions.push(
      new ControlSocketServer({
        socketPath: panelSocketPath(o.controlSocket),
        commandHandler: commands.with({ defaultActor: 'front panel', panelChannel: true }),
        role: 'operator',
        log: { warn: (m) => note('warning', m) },
      }),
    );
  if (o.cfg.web.enabled)
    extensions.push(
      ...webSurfaces({
        commands,
        config: o.config,
        events: o.events,
        clock: o.clock,
        controlSocket: o.controlSocket,
        consolePath: o.consolePath ?? paths.console,
        first: o.controller.self === o.cfg.box.controllerIds[0],
        ...(o.shownSecret !== undefined ? { shownSecret: o.shownSecret } : {}),
      }),
    );
  return { commands, extensions };
}

function upgradeServiceFor(o: SurfaceOptions): UpgradeService | undefined {
  if (o.bootSlots === undefined || o.reboot === undefined) return undefined;
  const c = o.controller;
  return new UpgradeService({
    self: c.self,
    clock: o.clock,
    slots: o.bootSlots,
    stateDir: paths.stateDir,
    firmwareVersion: firmwareVersion(),
    peer: c.peer,
    probes: {
      webPort: o.cfg.web.enabled ? o.cfg.web.port : null,
      panelPidFile: o.cfg.panel.enabled ? paths.panelPidFile : null,
    },
    groups: () => c.groupStatus(),
    switchover: (groups) => c.failover.command('switchover', groups),
    log: (e) => void o.events.append(e),
    raiseFellBack: (reason) => void o.alarms.raise('UPGRADE_FELL_BACK', { params: { reason } }),
    reboot: o.reboot,
    ...(o.bootId !== undefined ? { bootId: o.bootId } : {}),
    trialDeadlineMs: TRIAL_DEADLINE_MS,
  });
}

/** The `status` command's report, for the panels' retained `report` topic. */
async function statusReportOf(commands: CommandHandler): Promise<StatusReport | null> {
  const r = await commands.handle({ command: 'status', args: {}, transaction: 'report' });
  return r.status === 'ok' ? (r.data as StatusReport) : null;
}

function replicatorFor(o: SurfaceOptions): ConfigReplicator | undefined {
  const net = o.cfg.cluster.network;
  if (!net.enabled || net.localAddress === undefined || net.peerAddress === undefined) {
    o.events.append({
      severity: 'warning',
      source: 'config',
      code: 'CONFIG_REPLICATION_OFF',
      message: 'config replication needs the private link (cluster.network with both addresses)',
    });
    return undefined;
  }
  return new ConfigReplicator({
    clock: o.clock,
    self: o.controller.self,
    boxId: o.cfg.box.id,
    key: o.key,
    localAddress: net.localAddress,
    peerAddress: net.peerAddress,
    port: replicationPort(net.port),
    makeSocket: () => new LinuxDatagramSocket(),
    config: o.config,
    peerVersion: () => o.controller.runtime.membership.latestMessage()?.configVersion,
    events: o.events,
    alarms: o.alarms,
  });
}

function heartbeatMetrics(
  controller: Controller,
  replicator: ConfigReplicator | undefined,
): Record<string, number> {
  const c = controller.runtime.counters();
  const out: Record<string, number> = { heartbeats_sent: c.sent };
  for (const [path, n] of Object.entries(c.accepted)) out[`heartbeats_accepted_${path}`] = n;
  if (replicator !== undefined)
    for (const [name, n] of Object.entries(replicator.counters)) out[`config_${name}`] = n;
  for (const [name, n] of Object.entries(controller.peer.counters)) out[`peer_${name}`] = n;
  return out;
}
