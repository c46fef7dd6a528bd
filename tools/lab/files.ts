// Where each piece of lab state lives. Everything under labRunDir is removed
// by `lab down`; labDataDir keeps the disk images (the "hardware") between runs.
import { join } from 'node:path';
import { paths } from '../../hal/paths.ts';
import { lc, type Controller } from './topology.ts';

const run = paths.labRunDir;
const data = paths.labDataDir;

export const labFiles = {
  runDir: run,
  dataDir: data,
  netnsDir: '/run/netns',
  /** Private bind mount holding the controllers' mount-namespace handles. */
  nsDir: join(run, 'ns'),
  mntNs: (c: Controller) => join(run, 'ns', `mnt-${lc(c)}`),
  powerOff: (c: Controller) => join(run, `poweroff-${lc(c)}`),
  /** Epoch ms of the controller's last power-off (kept across power-on): a power cycle resets its watchdog. */
  lastPowerOff: (c: Controller) => join(run, `last-poweroff-${lc(c)}`),
  firmwarePid: (c: Controller) => join(run, `firmware-${lc(c)}.pid`),
  firmwareLog: (c: Controller) => join(run, `firmware-${lc(c)}.log`),
  tty: (c: Controller) => join(run, `tty${c}`),
  serialSock: (c: Controller) => join(run, `serial-${lc(c)}.sock`),
  serialCtl: join(run, 'serial-ctl.sock'),
  serialState: join(run, 'serial-state.json'),
  serialPid: join(run, 'serial-proxy.pid'),
  serialLog: join(run, 'serial-proxy.log'),
  watchdogSock: (c: Controller) => join(run, `watchdog-${lc(c)}.sock`),
  watchdogState: join(run, 'watchdog-state.json'),
  watchdogPid: join(run, 'watchdog.pid'),
  watchdogLog: join(run, 'watchdog.log'),
  tgtdPid: join(run, 'tgtd.pid'),
  tgtdLog: join(run, 'tgtd.log'),
  lunImage: join(data, 'encl-lun1.img'),
  dataImage: join(data, 'data.img'),
  loopDevice: join(run, 'loop-device'),
  initdbMnt: join(run, 'initdb-mnt'),
  mosquittoConf: join(run, 'mosquitto.conf'),
  mosquittoPid: join(run, 'mosquitto.pid'),
  mosquittoLog: join(run, 'mosquitto.log'),
  upMarker: join(run, 'up'),
  /** stress-ng starving a controller (`lab starve`): its pid and output. */
  starvePid: (c: Controller) => join(run, `starve-${lc(c)}.pid`),
  starveLog: (c: Controller) => join(run, `starve-${lc(c)}.log`),
} as const;
