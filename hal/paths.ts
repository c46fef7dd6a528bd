// Every /dev, /sys, /run (and state) path the firmware touches comes from here,
// so that tests, the lab and the sim can point the firmware at a fixture tree
// or at lab devices without touching driver code (as balena-supervisor does).
//
// Each path has an environment override TANDEM_<NAME>; TANDEM_SYSROOT, when
// set, is prefixed to every default (not to explicit overrides).

import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface HalPaths {
  /** RS-232 heartbeat cable to the peer controller. */
  readonly serialTty: string;
  /** Hardware watchdog character device. */
  readonly watchdogDev: string;
  /** GPIO v2 character device for LEDs, buzzer and buttons. */
  readonly gpioChip: string;
  /** I2C bus of the front-panel LCD and sensors. */
  readonly i2cBus: string;
  /** SCSI generic device of the shared enclosure's witness LUN. */
  readonly scsiGeneric: string;
  /** sysfs network class directory (link state, carrier). */
  readonly sysClassNet: string;
  /** sysfs block class directory. */
  readonly sysBlock: string;
  /** Runtime directory: sockets and pid files. */
  readonly runDir: string;
  /** Root-only UNIX socket that tandemctl talks to. */
  readonly controlSocket: string;
  /** Persistent state: event log, small documents. */
  readonly stateDir: string;
  /** Configuration file. */
  readonly configFile: string;
  /** This controller's identity (slot A or B, box id), written by the flash tool: the first boot's only input. */
  readonly identityFile: string;
  /** The serial console: the initial web password is written there at first start. */
  readonly console: string;
  /** RAUC's slot description: present on a controller image only (the daemon then offers upgrades). */
  readonly raucSystemConf: string;
  /** The front-panel process's pid file (S96tandem-panel): the upgrade's health check reads it. */
  readonly panelPidFile: string;
  /** Where the lab keeps its state (pids, ptys, sockets). */
  readonly labRunDir: string;
  /** Where the lab keeps its disk images. */
  readonly labDataDir: string;
}

const DEFAULTS: HalPaths = {
  serialTty: '/dev/ttyS1',
  watchdogDev: '/dev/watchdog',
  gpioChip: '/dev/gpiochip0',
  i2cBus: '/dev/i2c-1',
  scsiGeneric: '/dev/sg0',
  sysClassNet: '/sys/class/net',
  sysBlock: '/sys/block',
  runDir: '/run/tandem',
  controlSocket: '/run/tandem/tandemctl.sock',
  stateDir: '/var/lib/tandem',
  configFile: '/etc/tandem/tandem.json',
  identityFile: '/etc/tandem/identity.json',
  console: '/dev/console',
  raucSystemConf: '/etc/rauc/system.conf',
  panelPidFile: '/var/run/tandem-panel.pid',
  labRunDir: '/run/tandem-lab',
  labDataDir: '/var/lib/tandem-lab',
};

/** TANDEM_SERIAL_TTY for serialTty, and so on. */
export function envNameFor(key: keyof HalPaths): string {
  return 'TANDEM_' + key.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase();
}

export function resolvePaths(env: NodeJS.ProcessEnv = process.env): HalPaths {
  const sysroot = env['TANDEM_SYSROOT'] ?? '';
  const out: Record<string, string> = {};
  for (const key of Object.keys(DEFAULTS) as (keyof HalPaths)[]) {
    const override = env[envNameFor(key)];
    if (override !== undefined && override !== '') {
      if (!override.startsWith('/')) {
        throw new Error(`${envNameFor(key)} must be an absolute path, got ${JSON.stringify(override)}`);
      }
      out[key] = override;
    } else {
      out[key] = sysroot + DEFAULTS[key];
    }
  }
  return out as unknown as HalPaths;
}

/** The paths in force for this process, read once from the environment. */
export const paths: HalPaths = resolvePaths();

/**
 * Where the simulated box (`npm start`) puts its control sockets, one per
 * controller; `tandemctl --controller A|B` finds them here. $TANDEM_RUN_DIR
 * when set; else the run directory (/run/tandem) for root; else the user's
 * own $XDG_RUNTIME_DIR/tandem, or <tmpdir>/tandem-<uid>. The control socket
 * server makes the directory 0700, so other users cannot connect.
 */
export function simRunDir(env: NodeJS.ProcessEnv = process.env, uid = process.getuid?.() ?? 0): string {
  const runDir = env[envNameFor('runDir')];
  if ((runDir !== undefined && runDir !== '') || uid === 0) return resolvePaths(env).runDir;
  const xdg = env['XDG_RUNTIME_DIR'];
  if (xdg !== undefined && xdg.startsWith('/')) return join(xdg, 'tandem');
  return join(tmpdir(), `tandem-${uid}`);
}

/** The simulated box's control socket of controller A or B. */
export function simControlSocket(
  controller: 'A' | 'B',
  env: NodeJS.ProcessEnv = process.env,
  uid = process.getuid?.() ?? 0,
): string {
  return join(simRunDir(env, uid), `sim-${controller.toLowerCase()}.sock`);
}
