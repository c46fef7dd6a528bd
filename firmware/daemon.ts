// The controller daemon: config, real drivers, heartbeats, event log, alarms,
// status and commands. Every event is also one JSON line on stdout (the lab
// keeps it in /run/tandem-lab/firmware-<c>.log). Parts with a lifecycle run
// as Extensions, started in order and stopped in reverse; SIGTERM/SIGINT stop
// cleanly. Run: node firmware/daemon.ts (TANDEM_CONTROLLER_ID, TANDEM_CONFIG_FILE,
// TANDEM_STATE_DIR, TANDEM_SERIAL_TTY, TANDEM_WATCHDOG_DEV from the environment).
import { join } from 'node:path';
import { SystemClock } from '../hal/clock/system.ts';
import { paths } from '../hal/paths.ts';
import { LabWatchdog } from '../hal/watchdog/lab.ts';
import { LinuxWatchdog } from '../hal/watchdog/linux.ts';
import { AlarmManager } from './alarms/alarm-manager.ts';
import { validateTiming } from './cluster/timing.ts';
import { ConfigManager } from './config/config-manager.ts';
import { resolveControllerId } from './config/controller-id.ts';
import { EventLog } from './events/event-log.ts';
import { openStateDatabase } from './events/state-db.ts';
import type { LoggedEvent } from './events/types.ts';
import { installDebugStall } from './daemon/debug-stall.ts';
import { ExtensionRunner } from './daemon/extensions.ts';
import { keyBytes } from './daemon/identity.ts';
import { linuxDrivers } from './daemon/linux-drivers.ts';
import { ControllerNode } from './daemon/node.ts';
import { operatorSurfaces } from './daemon/surfaces.ts';
import { createSharedDisk } from './fencing/shared-disk.ts';
import { wireFailover } from './daemon/failover/wiring.ts';
import { createCommandRunner } from './resources/command.ts';
import { LinuxNetControl } from '../hal/net/linux.ts';

function line(obj: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

async function main(): Promise<number> {
  const clock = new SystemClock();
  const db = openStateDatabase(join(paths.stateDir, 'state.db'));
  let controller = '?';
  const events = new EventLog({
    db,
    clock,
    onError: (err) => line({ code: 'EVENTLOG_ERROR', error: String(err) }),
  });
  events.subscribe((e: LoggedEvent) => line({ controller, ...e }));
  const alarms = new AlarmManager({ db, clock, events });

  const config = new ConfigManager({
    path: paths.configFile,
    lastGoodPath: join(paths.stateDir, 'config.last-good.json'),
    events,
  });
  const loaded = await config.load();
  const cfg = config.current();
  // Retention needs config; the log was opened first so config problems are logged.
  events.useRetention({
    maxAgeDays: cfg.eventlog.maxAgeDays,
    maxRows: cfg.eventlog.maxRows,
    maxBytes: cfg.eventlog.maxBytes,
  });
  const id = resolveControllerId(cfg);
  if (!id.ok) {
    events.append({ severity: 'critical', source: 'daemon', code: 'NO_CONTROLLER_ID', message: id.error });
    events.close();
    return 2;
  }
  controller = id.value;
  const hb = cfg.cluster.heartbeat;
  const timing = validateTiming(hb);
  if (!timing.ok) {
    events.append({
      severity: 'critical',
      source: 'daemon',
      code: 'BAD_TIMING',
      message: `/cluster/heartbeat/${timing.error.field}: ${timing.error.detail}`,
    });
    events.close();
    return 2;
  }
  events.append({
    severity: 'notice',
    source: 'daemon',
    code: 'DAEMON_STARTING',
    message: `controller ${controller} of box ${cfg.box.id}: config from ${loaded.source} (${paths.configFile})`,
    data: { pid: process.pid, configSource: loaded.source, problems: loaded.problems, timing: { ...hb } },
  });

  // The fencer and the witness heartbeat share one session (one PR registration).
  const sharedDisk = createSharedDisk(cfg, clock);
  const { drivers, skipped } = linuxDrivers(cfg, id.value, paths, clock, sharedDisk.transport());
  for (const s of skipped) {
    events.append({
      severity: 'warning',
      source: 'daemon',
      code: 'PATH_NOT_CONFIGURED',
      message: `${s.path}: ${s.why}`,
      data: s,
    });
  }
  const node = new ControllerNode({
    clock,
    boxId: cfg.box.id,
    self: id.value,
    key: keyBytes(cfg.cluster.key),
    timing: timing.value,
    drivers,
    events,
    alarms,
    // Read on every heartbeat and status: an import or a replicated config raises it live.
    get configVersion() {
      return config.stamp().version;
    },
    failoverDriven: true,
  });

  const wdCfg = cfg.failover.watchdog;
  // The failover core pets the watchdog each interval and stops to get a reset.
  const coreWatchdog = wdCfg.enabled
    ? paths.watchdogDev.endsWith('.sock')
      ? new LabWatchdog(paths.watchdogDev)
      : new LinuxWatchdog(paths.watchdogDev)
    : null;
  const failover = wireFailover({
    node,
    config: cfg,
    timing: timing.value,
    clock,
    events,
    alarms,
    device: sharedDisk.device,
    lun: cfg.cluster.disk.lun,
    watchdog: coreWatchdog,
    run: createCommandRunner(clock),
    net: new LinuxNetControl(),
    stateDir: paths.stateDir,
  });
  const runner = new ExtensionRunner(
    [
      // Before the first heartbeat: stop what a previous process left running
      // (FailoverHost.recoverAtBoot), so our new incarnation never announces
      // "no groups" while they still run.
      { name: 'recover', start: () => failover.recoverAtBoot(), stop: () => Promise.resolve() },
      { name: 'heartbeat', start: () => Promise.resolve(node.start()), stop: () => node.stop() },
    ],
    (name, phase, detail) =>
      events.append({
        severity: 'error',
        source: 'daemon',
        code: 'EXTENSION_FAILED',
        message: `${name} ${phase}: ${detail}`,
      }),
  );
  runner.add({
    name: 'failover',
    start: async () => {
      await sharedDisk.ready().catch(() => undefined); // the core treats a missing disk itself
      await failover.start();
    },
    stop: async () => {
      await failover.shutdown();
      await sharedDisk.close();
    },
  });
  if (!wdCfg.enabled) alarms.raise('WATCHDOG_DISABLED');
  // tandemctl, MQTT and config replication, once the node and failover core exist.
  for (const ext of operatorSurfaces({
    cfg,
    config,
    node,
    events,
    alarms,
    clock,
    key: keyBytes(cfg.cluster.key),
    controlSocket: paths.controlSocket,
  }).extensions)
    runner.add(ext);
  installDebugStall(process.env, (ms) =>
    events.append({
      severity: 'warning',
      source: 'daemon',
      code: 'DEBUG_STALL',
      message: `blocking the event loop for ${ms} ms`,
    }),
  );
  await runner.start();

  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  events.append({
    severity: 'notice',
    source: 'daemon',
    code: 'DAEMON_STOPPING',
    message: 'signal received: stopping',
  });
  await runner.stop();
  events.close();
  db.close();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    line({ code: 'DAEMON_CRASHED', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    process.exit(1);
  },
);
