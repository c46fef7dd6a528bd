// The controller daemon: config, real drivers, heartbeats, event log, alarms,
// status and commands. Every event is also one JSON line on stdout (the lab
// keeps it in /run/tandem-lab/firmware-<c>.log). Parts with a lifecycle run
// as Extensions, started in order and stopped in reverse; SIGTERM/SIGINT stop
// cleanly. Run: node firmware/daemon.ts [--last-good] (TANDEM_CONTROLLER_ID,
// TANDEM_CONFIG_FILE, TANDEM_STATE_DIR, TANDEM_SERIAL_TTY, TANDEM_WATCHDOG_DEV
// from the environment).
//
// An invalid config file stops the start: the daemon says why (each field)
// on stderr and in the event log and exits 2. It never guesses: the last
// good config it stored is used only with --last-good. So does an invalid
// identity file (TANDEM_IDENTITY_FILE, written by the flash tool).
//
// No config file: with an identity file, this is a first boot. The daemon
// waits `unconfigured` (controller/unconfigured.ts: event log, alarms and
// the sockets, no heartbeat, fencing or group), prints the initial
// passwords and the web certificate's fingerprint on the serial console
// (controller/first-boot.ts), and when a config of its box is imported it
// builds the controller from it in this same process. Without an identity
// file (the sim, tests): the embedded defaults, with a CONFIG_FALLBACK alarm
// saying so.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { BootSlots } from '../hal/boot/boot-slots.ts';
import { RaucBootSlots } from '../hal/boot/rauc.ts';
import { join } from 'node:path';
import { SystemClock } from '../hal/clock/system.ts';
import { paths } from '../hal/paths.ts';
import { AlarmManager } from './alarms/alarm-manager.ts';
import { ConfigManager } from './config/config-manager.ts';
import { resolveControllerId } from './config/controller-id.ts';
import { readIdentityFile, type ControllerIdentity } from './config/identity-file.ts';
import { firstBoot, firstBootSecret } from './controller/first-boot.ts';
import { UnconfiguredController } from './controller/unconfigured.ts';
import type { Clock } from '../hal/clock/clock.ts';
import { EventLog } from './events/event-log.ts';
import { openStateDatabase } from './events/state-db.ts';
import type { LoggedEvent } from './events/types.ts';
import { installDebugStall } from './controller/debug-stall.ts';
import { ExtensionRunner } from './controller/extensions.ts';
import { keyBytes } from './cluster/identity.ts';
import { operatorSurfaces } from './controller/surfaces.ts';
import { buildController } from './controller/build.ts';
import { linuxPlatform } from './controller/linux-platform.ts';
import { enterRealtime } from '../hal/sched/realtime.ts';
import { errorMessage, errorReport } from '../hal/errors.ts';
import { stripControl } from './core/text.ts';

function line(obj: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

const USAGE = 'usage: node firmware/daemon.ts [--last-good]\n';

async function main(argv: readonly string[]): Promise<number> {
  const unknown = argv.filter((a) => a !== '--last-good');
  if (unknown.length > 0) {
    process.stderr.write(
      argv.includes('--help')
        ? USAGE
        : `tandem daemon: unknown argument ${JSON.stringify(unknown[0]?.slice(0, 40))}\n${USAGE}`,
    );
    return argv.includes('--help') ? 0 : 2;
  }
  // Taken from the start: a first boot waits for a config or for this.
  const stopRequested = new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  const clock = new SystemClock();
  const db = openStateDatabase(join(paths.stateDir, 'state.db'));
  let who = '?';
  const events = new EventLog({
    db,
    clock,
    onError: (err) => line({ code: 'EVENTLOG_ERROR', error: String(err) }),
  });
  events.subscribe((e: LoggedEvent) => line({ controller: who, ...e }));
  const alarms = new AlarmManager({ db, clock, events });
  const close = (code: number): number => {
    events.close();
    db.close();
    return code;
  };

  const identity = readIdentityFile(paths.identityFile);
  if (!identity.ok) {
    process.stderr.write(`tandem daemon: refusing to start: ${stripControl(identity.error)}\n`);
    events.append({
      severity: 'critical',
      source: 'daemon',
      code: 'IDENTITY_INVALID',
      message: identity.error,
    });
    return close(2);
  }
  const config = new ConfigManager({
    path: paths.configFile,
    lastGoodPath: join(paths.stateDir, 'config.last-good.json'),
    events,
    alarms,
  });
  let shownSecret: string | undefined;
  if (identity.value !== null) who = identity.value.controller;
  if (identity.value !== null && !existsSync(paths.configFile)) {
    const first = await untilConfigured(identity.value, { config, events, alarms, clock }, stopRequested);
    if (first === 'stopped') {
      events.append({
        severity: 'notice',
        source: 'daemon',
        code: 'DAEMON_STOPPING',
        message: 'signal received: stopping',
      });
      return close(0);
    }
    shownSecret = first.secret;
  }
  const loaded = await config.load({ useLastGood: argv.includes('--last-good') });
  if (loaded.source === 'refused') {
    process.stderr.write(refusal(paths.configFile, loaded.problems, loaded.lastGoodVersion));
    events.close();
    db.close();
    return 2;
  }
  const cfg = config.inForce();
  // Retention needs config; the log was opened first so config problems are
  // logged. It is the live part of the config: re-applied on every change.
  const retain = (c: typeof cfg) =>
    events.useRetention({
      maxAgeDays: c.eventlog.maxAgeDays,
      maxRows: c.eventlog.maxRows,
      maxBytes: c.eventlog.maxBytes,
    });
  retain(cfg);
  config.onLiveChange(retain);
  const id = resolveControllerId(cfg, process.env, identity.value);
  if (!id.ok) {
    events.append({ severity: 'critical', source: 'daemon', code: 'NO_CONTROLLER_ID', message: id.error });
    events.close();
    return 2;
  }
  who = id.value;
  // The box id may change later (config set-identity), so a difference is said, not refused.
  if (identity.value !== null && identity.value.box !== cfg.box.id)
    events.append({
      severity: 'warning',
      source: 'daemon',
      code: 'IDENTITY_BOX_MISMATCH',
      message: `the config's box id ${cfg.box.id} differs from the identity file's ${identity.value.box} (${paths.identityFile})`,
    });
  const hb = cfg.cluster.heartbeat;
  events.append({
    severity: 'notice',
    source: 'daemon',
    code: 'DAEMON_STARTING',
    message: `controller ${who} of box ${cfg.box.id}: config from ${loaded.source} (${paths.configFile})`,
    data: { pid: process.pid, configSource: loaded.source, problems: loaded.problems, timing: { ...hb } },
  });

  // Before the controller starts: its SG_IO worker asks for the same when
  // this one got it; nothing else it starts, thread or process, inherits it.
  const realtime = cfg.cluster.realtime ? enterRealtime(process.env) : undefined;
  if (!cfg.cluster.realtime)
    events.append({
      severity: 'notice',
      source: 'daemon',
      code: 'REALTIME_OFF',
      message: 'heartbeat at normal priority: cluster.realtime is off in the config',
    });
  if (realtime !== undefined)
    events.append({
      severity: realtime.ok ? 'info' : 'warning',
      source: 'daemon',
      code: realtime.ok ? 'REALTIME_ON' : 'REALTIME_REFUSED',
      message: realtime.ok
        ? `heartbeat runs at real-time priority: ${realtime.detail}`
        : `real-time priority refused, running without it: ${realtime.detail}`,
      data: { ...realtime },
    });
  const platform = linuxPlatform(cfg, paths, clock);
  const built = buildController({
    config: cfg,
    self: id.value,
    platform,
    events,
    alarms,
    // Read on every heartbeat and status: the version in force, never one
    // stored but waiting for a restart.
    configVersion: () => config.inForceVersion(),
  });
  if (!built.ok) {
    events.append({ severity: 'critical', source: 'daemon', code: 'BAD_TIMING', message: built.error });
    events.close();
    return 2;
  }
  const { controller, skipped } = built.value;
  for (const s of skipped) {
    events.append({
      severity: 'warning',
      source: 'daemon',
      code: 'PATH_NOT_CONFIGURED',
      message: `${s.path}: ${s.why}`,
      data: { ...s },
    });
  }
  const runner = new ExtensionRunner(
    [
      // Before the first heartbeat: stop what a previous process left running,
      // so our new incarnation never announces "no groups" while they still run.
      { name: 'recover', start: () => controller.recoverAtBoot(), stop: () => Promise.resolve() },
      {
        name: 'controller',
        start: () => controller.start(),
        stop: async () => {
          await controller.shutdown();
          await platform.sharedDisk?.close();
        },
      },
    ],
    (name, phase, detail) =>
      events.append({
        severity: 'error',
        source: 'daemon',
        code: 'EXTENSION_FAILED',
        message: `${name} ${phase}: ${detail}`,
      }),
  );
  // tandemctl, MQTT and config replication, once the controller exists.
  for (const ext of operatorSurfaces({
    cfg,
    config,
    controller,
    events,
    alarms,
    clock,
    key: keyBytes(cfg.cluster.key),
    controlSocket: paths.controlSocket,
    ...(shownSecret !== undefined ? { shownSecret } : {}),
    ...upgradeParts((why) =>
      events.append({
        severity: 'notice',
        source: 'daemon',
        code: 'REBOOTING',
        message: `rebooting: ${why}`,
      }),
    ),
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

  await stopRequested;
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

/** The kernel's random id of this boot. */
const BOOT_ID = '/proc/sys/kernel/random/boot_id';

/**
 * A controller booted from a RAUC slot (the image: /etc/rauc/system.conf)
 * can be upgraded; a daemon elsewhere (the lab, a developer's machine) not.
 */
function upgradeParts(say: (why: string) => void): {
  bootSlots?: BootSlots;
  reboot?: (why: string) => void;
  bootId?: string;
} {
  if (!existsSync(paths.raucSystemConf)) return {};
  let bootId: string | undefined;
  try {
    bootId = readFileSync(BOOT_ID, 'utf8').trim().slice(0, 64);
  } catch {
    bootId = undefined;
  }
  return {
    ...(bootId !== undefined ? { bootId } : {}),
    bootSlots: new RaucBootSlots(),
    reboot: (why) => {
      say(why);
      // A moment for the event and the command's reply to leave; init then
      // stops the daemon (rcK) as for any reboot.
      setTimeout(() => execFile('/sbin/reboot', [], () => undefined), 1000);
    },
  };
}

/**
 * A first boot: unconfigured until a config of this box is imported (its
 * secret is then the one printed here), or until a signal stops the daemon.
 */
async function untilConfigured(
  identity: ControllerIdentity,
  parts: { config: ConfigManager; events: EventLog; alarms: AlarmManager; clock: Clock },
  stopRequested: Promise<void>,
): Promise<{ secret: string } | 'stopped'> {
  const { events } = parts;
  const log = (severity: 'notice' | 'warning', code: string, message: string): void =>
    void events.append({ severity, source: 'daemon', code, message });
  events.append({
    severity: 'notice',
    source: 'daemon',
    code: 'DAEMON_UNCONFIGURED',
    message: `controller ${identity.controller} of box ${identity.box}: no config at ${paths.configFile}; unconfigured until one is imported (tandemctl config import FILE)`,
    data: { pid: process.pid, identityFile: paths.identityFile, ...identity },
  });
  // Made before the sockets open, so an import that comes at once carries it.
  const secret = await firstBootSecret(paths.stateDir, identity.box, log);
  const waiting = new UnconfiguredController({
    identity,
    identityFile: paths.identityFile,
    ...parts,
    controlSocket: paths.controlSocket,
    secret: () => secret,
  });
  const runner = new ExtensionRunner(waiting.extensions(), (name, phase, detail) =>
    log('warning', 'EXTENSION_FAILED', `${name} ${phase}: ${detail}`),
  );
  await runner.start();
  await firstBoot({ identity, stateDir: paths.stateDir, consolePath: paths.console, secret, log }).catch(
    (err: unknown) => log('warning', 'FIRST_BOOT_FAILED', `first boot: ${errorMessage(err)}`),
  );
  const outcome = await Promise.race([
    waiting.configured.then(() => 'configured' as const),
    stopRequested.then(() => 'stopped' as const),
  ]);
  if (outcome === 'configured') await waiting.drained();
  await runner.stop();
  if (outcome === 'stopped') return 'stopped';
  events.append({
    severity: 'notice',
    source: 'daemon',
    code: 'DAEMON_CONFIGURED',
    message: `controller ${identity.controller}: a config was imported; starting the controller`,
  });
  return { secret };
}

/** What stderr says when the config file is refused: each problem, and the way out. */
function refusal(file: string, problems: readonly string[], lastGoodVersion: number | undefined): string {
  const out = [`tandem daemon: refusing to start: config file ${file} is invalid:`];
  // Field names come from the file: no control characters reach the terminal.
  for (const p of problems) out.push(`  ${stripControl(p)}`);
  out.push(
    lastGoodVersion !== undefined
      ? `Fix the file, or start with --last-good to run on the last good configuration (version ${lastGoodVersion}).`
      : 'Fix the file (tandemctl config validate FILE checks one); there is no last good configuration to fall back to.',
  );
  return out.join('\n') + '\n';
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    line({ code: 'DAEMON_CRASHED', error: errorReport(err) });
    process.exit(1);
  },
);
