// Rules that span several fields, checked after the schema has passed (so
// every field exists and has the right type). Errors block the config;
// warnings are accepted but reported (e.g. the factory HMAC key).
import { isIP } from 'node:net';
import { SCSI_IO_TIMEOUT_MS } from '../../hal/scsi/device.ts';
import { validateTiming } from '../cluster/timing.ts';
import { FACTORY_CLUSTER_KEY } from './factory-key.ts';
import type { TandemConfig } from './schema.ts';

export interface ConfigIssue {
  /** JSON pointer to the field at fault, e.g. /cluster/heartbeat/warntimeMs. */
  path: string;
  message: string;
}

export function checkRules(c: TandemConfig): { errors: ConfigIssue[]; warnings: ConfigIssue[] } {
  const errors: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  const err = (path: string, message: string) => errors.push({ path, message });

  // The same check the controller's build runs (cluster/timing.ts): a config
  // that validates is one the daemon can start with.
  const timing = validateTiming(c.cluster.heartbeat);
  if (!timing.ok) err(`/cluster/heartbeat/${timing.error.field}`, timing.error.detail);

  checkLeaseTiming(c, err);

  const [first, second] = c.box.controllerIds;
  if (first === second) err('/box/controllerIds/1', 'must differ from /box/controllerIds/0');
  const ids: readonly string[] = c.box.controllerIds;
  if (c.controller.id !== undefined && !ids.includes(c.controller.id)) {
    err('/controller/id', `must be one of /box/controllerIds (${ids.join(', ')})`);
  }

  for (const name of ['network', 'lan'] as const) {
    const link = c.cluster[name];
    for (const field of ['localAddress', 'peerAddress'] as const) {
      const value = link[field];
      if (value !== undefined && isIP(value) === 0)
        err(`/cluster/${name}/${field}`, 'must be an IPv4 or IPv6 address');
    }
    if (link.localAddress !== undefined && link.localAddress === link.peerAddress) {
      err(`/cluster/${name}/peerAddress`, 'must differ from localAddress');
    }
    if (
      name === 'lan' &&
      link.enabled &&
      (link.localAddress === undefined || link.peerAddress === undefined)
    ) {
      err('/cluster/lan', 'enabled LAN heartbeat needs localAddress and peerAddress');
    }
  }
  if (c.cluster.lan.enabled && c.cluster.network.enabled && c.cluster.lan.port === c.cluster.network.port) {
    const same = c.cluster.lan.localAddress === c.cluster.network.localAddress;
    if (same) err('/cluster/lan/port', 'must differ from /cluster/network/port when both share an address');
  }

  const disk = c.cluster.disk;
  if (disk.transport === 'iscsi') {
    for (const [path, value] of [
      ['/cluster/disk/portal/host', disk.portal.host],
      ['/cluster/disk/targetIqn', disk.targetIqn],
      ['/cluster/disk/initiatorName', disk.initiatorName],
    ] as const) {
      if (value === '') err(path, 'is required when /cluster/disk/transport is "iscsi"');
    }
  }

  const seen = new Set<string>();
  c.groups.forEach((g, i) => {
    if (seen.has(g.name)) err(`/groups/${i}/name`, `duplicates an earlier group name "${g.name}"`);
    seen.add(g.name);
    if (!ids.includes(g.preferred))
      err(`/groups/${i}/preferred`, `must be one of /box/controllerIds (${ids.join(', ')})`);
  });

  // Web users (users/users.ts keeps the same rules on every command; an
  // import or a replicated config must keep them too).
  const users = new Set<string>();
  c.web.users.forEach((u, i) => {
    if (users.has(u.name)) err(`/web/users/${i}/name`, `duplicates an earlier user name "${u.name}"`);
    users.add(u.name);
  });
  if (c.web.users.length > 0 && !c.web.users.some((u) => u.role === 'admin'))
    err(
      '/web/users',
      'must hold at least one admin (or be empty: then admin logs in with the initial password)',
    );
  if (c.web.enabled && c.web.port === c.web.httpPort) err('/web/httpPort', 'must differ from /web/port');

  const tls = c.mqtt.tls;
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    err(tls.cert === undefined ? '/mqtt/tls/cert' : '/mqtt/tls/key', 'cert and key must be given together');
  }

  checkPanel(c, err);

  if (c.cluster.key.toLowerCase() === FACTORY_CLUSTER_KEY) {
    warnings.push({
      path: '/cluster/key',
      message: 'is the factory default; set a unique key on both controllers',
    });
  }
  if (c.mqtt.enabled && c.mqtt.commandToken === undefined) {
    warnings.push({ path: '/mqtt/commandToken', message: 'is unset, so MQTT commands will be refused' });
  }
  return { errors, warnings };
}

/**
 * Lease timing (docs/failover.md "Lease timing"). The takeover wait itself is
 * derived (firmware/failover/lease.ts minTakeoverWaitMs), so it always meets
 * its inequality; these are the inputs the derivation cannot repair:
 * - watchdog timeout >= 2 x interval: we pet once per heartbeat interval on
 *   the event loop, so one late pet must never reset a healthy controller;
 * - a non-zero fence delay >= interval + I/O timeout: the first fencer's
 *   PREEMPT must have landed, and the other's key poll seen it, before the
 *   other controller fences in turn.
 */
function checkLeaseTiming(c: TandemConfig, err: (path: string, message: string) => void): void {
  const hb = c.cluster.heartbeat;
  const wd = c.failover.watchdog;
  if (wd.enabled && wd.timeoutS * 1000 < 2 * hb.intervalMs) {
    err(
      '/failover/watchdog/timeoutS',
      `must be at least 2 x intervalMs (${2 * hb.intervalMs} ms) so one late pet never resets a healthy controller`,
    );
  }
  const minDelay = hb.intervalMs + SCSI_IO_TIMEOUT_MS;
  if (c.failover.fenceDelayMs !== 0 && c.failover.fenceDelayMs < minDelay) {
    err(
      '/failover/fenceDelayMs',
      `must be 0 or at least intervalMs + the ${SCSI_IO_TIMEOUT_MS} ms I/O timeout (${minDelay} ms) so one fence lands before the other starts`,
    );
  }
}

/**
 * The panel's wiring: the LCD's geometry is one of the two layouts the
 * screens have (20x4, 16x2); each backpack bit drives one LCD pin, and each
 * GPIO line one button, the buzzer or one LED. Checked even when the panel is
 * disabled, so enabling it later cannot meet a wiring error first.
 */
function checkPanel(c: TandemConfig, err: (path: string, message: string) => void): void {
  const lcd = c.panel.lcd;
  const wanted = lcd.columns === 20 ? 4 : 2;
  if (lcd.rows !== wanted)
    err('/panel/lcd/rows', `must be ${wanted} with ${lcd.columns} columns (a 20x4 or a 16x2 display)`);
  // In the schema's order, not the document's: the error names the later field of the wiring.
  const pins = ['rs', 'rw', 'e', 'backlight', 'd4', 'd5', 'd6', 'd7'] as const;
  distinct(
    pins.map((k) => [k, lcd.pins[k]] as const),
    '/panel/lcd/pins',
    'PCF8574 bit',
    err,
  );
  const g = c.panel.gpio;
  distinct(
    [
      ...(['up', 'down', 'enter', 'mute'] as const).map((k) => [`buttons/${k}`, g.buttons[k]] as const),
      ['buzzer', g.buzzer] as const,
      ...(['statusGreen', 'statusAmber', 'fault', 'identify'] as const).map(
        (k) => [`leds/${k}`, g.leds[k]] as const,
      ),
    ],
    '/panel/gpio',
    'GPIO line',
    err,
  );
}

/** Each value used once: the later field of a pair is the one named. */
function distinct(
  fields: readonly (readonly [string, number])[],
  prefix: string,
  what: string,
  err: (path: string, message: string) => void,
): void {
  const first = new Map<number, string>();
  for (const [name, value] of fields) {
    const earlier = first.get(value);
    if (earlier !== undefined)
      err(`${prefix}/${name}`, `${what} ${value} is already used by ${prefix}/${earlier}`);
    else first.set(value, name);
  }
}
