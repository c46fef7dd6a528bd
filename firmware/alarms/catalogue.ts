// Every alarm the box can raise, with the text an operator sees and what to
// do about it (as in the DataWare and i2 error tables). Templates use
// {subject} and {param} placeholders filled from raise(code, {subject, params}).
//
// Two kinds: a condition alarm (a path down, a peer dead) clears itself when
// the condition ends; a latched alarm records something that happened (a
// takeover, a self-fence) and stays until an operator acknowledges it, so
// the next operator still learns of it after the box has healed.
import type { Severity } from '../events/types.ts';

/** The event log's words, so an alarm and its log line never disagree on severity. */
export const ALARM_SEVERITIES = [
  'critical',
  'error',
  'warning',
  'notice',
] as const satisfies readonly Severity[];
export type AlarmSeverity = (typeof ALARM_SEVERITIES)[number];

export interface AlarmDefinition {
  severity: AlarmSeverity;
  source: string;
  message: string;
  remedy: string;
  /** Cleared only by an acknowledgement, never by the condition ending. */
  latched?: boolean;
}

export const ALARM_CATALOGUE = {
  HB_PATH_DOWN: {
    severity: 'error',
    source: 'cluster',
    message: 'Heartbeat path {subject} to the peer is down',
    remedy:
      'Check the cable and link of this path on both controllers. The cluster still runs on the other paths; fix before they fail too.',
  },
  HB_AUTH_FAILED: {
    severity: 'error',
    source: 'cluster',
    message:
      'Heartbeats from {subject} are refused on {paths} ({reasons}): the cluster key or box id differ between the controllers',
    remedy:
      'Not a cable fault: the bytes arrive but fail authentication. Compare box.id and cluster.key on both controllers and make them equal; until then they cannot see each other. If only one network path is affected, another host may be sending on it.',
  },
  PEER_DEAD: {
    severity: 'critical',
    source: 'cluster',
    message: 'Peer controller {subject} is not responding on any heartbeat path ({paths})',
    remedy:
      'Its groups are taken over only once it is fenced (a TAKEOVER alarm says so). Check power and console of the peer; do not restart it until it is known to be fenced.',
  },
  PEER_PROTOCOL_MISMATCH: {
    severity: 'error',
    source: 'cluster',
    message:
      'The peer {subject} runs protocol {peerProtocol} (firmware {peerFirmware}), this controller {ownProtocol} (firmware {ownFirmware}): finish the upgrade (tandemctl upgrade) or roll the peer back (docs/upgrade.md); neither controller takes over from the other meanwhile',
    remedy:
      "The peer is alive (its heartbeats authenticate) but speaks another protocol major, so neither controller can read the other. Finish the upgrade of the other controller (tandemctl upgrade) or roll the upgraded one back (docs/upgrade.md). Until the majors match, neither controller takes over from the other, even if the other falls silent; a forced takeover (tandemctl) is the operator's call. Clears by itself when the majors match.",
  },
  UPGRADE_FELL_BACK: {
    severity: 'error',
    source: 'upgrade',
    message: '{reason}',
    remedy:
      "The newly installed slot did not pass its health check (tandemctl upgrade status lists what failed), so the boot loader went back to the old slot, which runs and serves. The rolling upgrade stopped there. Read the event log for the health check's findings, fix the cause or take another bundle, then run tandemctl upgrade again. Acknowledge this alarm once read: it does not clear by itself.",
  },
  DISK_LOST: {
    severity: 'critical',
    source: 'disk',
    message: 'Shared disk enclosure not reachable: {reason}',
    remedy:
      'Check the SAS cables and enclosure power. Resources that need the disk are stopped until it returns.',
  },
  TAKEOVER: {
    severity: 'error',
    source: 'failover',
    latched: true,
    message:
      'Controller {subject} fenced {peer} off the shared disk and took over its groups at {at}: {reason}',
    remedy:
      'The fenced peer must reboot before it can rejoin. Find out why it failed (its event log, console, power) before rebooting it, then acknowledge this alarm (tandemctl alarms ack ID): it stays until acknowledged.',
  },
  SELF_FENCED: {
    severity: 'critical',
    source: 'failover',
    latched: true,
    message: 'Controller {subject} fenced itself at {at}: {reason}',
    remedy:
      'It stopped every resource and waits for a reboot (the watchdog resets it if enabled). Read the event log for the cause before restarting it, then acknowledge this alarm: it stays until acknowledged.',
  },
  FENCE_FAILED: {
    severity: 'critical',
    source: 'failover',
    message: 'Fencing peer {subject} failed: {reason}',
    remedy:
      'The peer could not be cut off the shared disk, so its resources were not taken over. Check the SAS path and the enclosure; retry with tandemctl takeover once the peer is known to be down.',
  },
  GROUP_DOWN: {
    severity: 'critical',
    source: 'failover',
    message: 'Group {subject} runs on no controller although {candidates} could run it: {waiting}',
    remedy:
      'The message says what it waits for. A start retry after the peer let go runs by itself; once the retries are used up, or for a failed fence or a refused placement, read the event log for why it did not start, fix the cause, then clear its failure with tandemctl cleanup so it may start again.',
  },
  MAINTENANCE_MODE: {
    severity: 'warning',
    source: 'failover',
    message: 'Controller {subject} is in maintenance: automatic failover is off',
    remedy:
      'Resources are left as they are. Leave maintenance with tandemctl maintenance off when the work is done.',
  },
  VIP_IN_USE: {
    severity: 'error',
    source: 'resource:vip',
    message: 'Virtual IP {subject} is already answered by another host ({mac})',
    remedy:
      'Another machine uses this address. Remove the duplicate or change the virtual IP in the group configuration.',
  },
  RESOURCE_FAILED: {
    severity: 'error',
    source: 'failover',
    message: 'Resource {subject} failed: {reason}',
    remedy:
      'See the resource’s events for the cause. Fix it, then clear the failure with tandemctl so the group may run here again.',
  },
  CONFIG_REJECTED: {
    severity: 'warning',
    source: 'config',
    message: 'Configuration from {subject} rejected: {reason}',
    remedy:
      'Correct the field named in the message and apply again. The previous configuration is still in force.',
  },
  CONFIG_CONFLICT: {
    severity: 'error',
    source: 'config',
    message: 'Both controllers changed configuration version {version} independently',
    remedy:
      'Decide which controller’s configuration is right and re-apply it there; it will then replicate to the peer.',
  },
  RESTART_REQUIRED: {
    severity: 'warning',
    source: 'config',
    message: 'Configuration version {version} is stored but waits for a restart: {settings}',
    remedy:
      'These settings are read only when the daemon starts; until then the previous values stay in force. Restart the daemon (one controller at a time) when convenient.',
  },
  CONFIG_FALLBACK: {
    severity: 'warning',
    source: 'config',
    message: 'Running on the {source} configuration, not on the config file: {reason}',
    remedy:
      'Write a valid configuration file (tandemctl config validate FILE checks one), or import one with tandemctl config import, then restart the daemon.',
  },
  MQTT_DOWN: {
    severity: 'warning',
    source: 'mqtt',
    message: 'Cannot reach the NOC broker {subject}',
    remedy:
      'Check the network route, broker address and credentials. The box keeps working; telemetry resumes on reconnect.',
  },
  WATCHDOG_DISABLED: {
    severity: 'warning',
    source: 'failover',
    message: 'Hardware watchdog is not active',
    remedy:
      'Enable failover.watchdog in the configuration; without it a hung controller cannot be reset automatically.',
  },
  // A warning: the panel is how an operator at the rack sees the box, never
  // part of failover, and a stuck Mute key must not make the buzzer sound.
  PANEL_FAULT: {
    severity: 'warning',
    source: 'panel',
    message: 'Front panel fault on {subject}: {reason}',
    remedy:
      'The box keeps working; only the front panel is affected. An LCD that does not answer: check its cable and the I2C address in panel.lcd (retried with backoff). A stuck button is ignored until released: free or replace it. Use tandemctl meanwhile.',
  },
  EVENTLOG_WRITE_FAILED: {
    severity: 'warning',
    source: 'events',
    message: 'Events cannot be written to disk: {reason}',
    remedy:
      'Check free space on the state partition. Events are buffered in memory until writes succeed again.',
  },
} as const satisfies Record<string, AlarmDefinition>;

export type AlarmCode = keyof typeof ALARM_CATALOGUE;

export function isAlarmCode(value: unknown): value is AlarmCode {
  return typeof value === 'string' && Object.hasOwn(ALARM_CATALOGUE, value);
}

export function isLatched(code: AlarmCode): boolean {
  const def: AlarmDefinition = ALARM_CATALOGUE[code];
  return def.latched === true;
}

/** Fill {name} placeholders; unknown ones stay visible rather than vanish. */
export function renderTemplate(template: string, values: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{([A-Za-z0-9_]+)\}/g, (whole, name: string) =>
    Object.hasOwn(values, name) ? String(values[name]) : whole,
  );
}
