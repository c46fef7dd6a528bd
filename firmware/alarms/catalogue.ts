// Every alarm the box can raise, with the text an operator sees and what to
// do about it (as in the DataWare and i2 error tables). Templates use
// {subject} and {param} placeholders filled from raise(code, {subject, params}).

export const ALARM_SEVERITIES = ['critical', 'major', 'minor', 'warning'] as const;
export type AlarmSeverity = (typeof ALARM_SEVERITIES)[number];

export interface AlarmDefinition {
  severity: AlarmSeverity;
  source: string;
  message: string;
  remedy: string;
}

export const ALARM_CATALOGUE = {
  HB_PATH_DOWN: {
    severity: 'major',
    source: 'cluster',
    message: 'Heartbeat path {subject} to the peer is down',
    remedy:
      'Check the cable and link of this path on both controllers. The cluster still runs on the other paths; fix before they fail too.',
  },
  PEER_DEAD: {
    severity: 'critical',
    source: 'cluster',
    message: 'Peer controller {subject} is not responding on any heartbeat path',
    remedy:
      'This controller has taken over. Check power and console of the peer; do not restart it until it is known to be fenced.',
  },
  DISK_LOST: {
    severity: 'critical',
    source: 'disk',
    message: 'Shared disk enclosure not reachable: {reason}',
    remedy:
      'Check the SAS cables and enclosure power. Resources that need the disk are stopped until it returns.',
  },
  FENCED: {
    severity: 'critical',
    source: 'failover',
    message: 'Controller {subject} has been fenced from the shared disk',
    remedy:
      'The fenced controller must reboot before it can rejoin. Find out why it was fenced (event log) before rebooting it.',
  },
  SELF_FENCED: {
    severity: 'critical',
    source: 'failover',
    message: 'Controller {subject} fenced itself: {reason}',
    remedy:
      'It stopped every resource and waits for a reboot (the watchdog resets it if enabled). Read the event log for the cause before restarting it.',
  },
  FENCE_FAILED: {
    severity: 'critical',
    source: 'failover',
    message: 'Fencing peer {subject} failed: {reason}',
    remedy:
      'The peer could not be cut off the shared disk, so its resources were not taken over. Check the SAS path and the enclosure; retry with tandemctl takeover once the peer is known to be down.',
  },
  MAINTENANCE_MODE: {
    severity: 'warning',
    source: 'failover',
    message: 'Controller {subject} is in maintenance: automatic failover is off',
    remedy:
      'Resources are left as they are. Leave maintenance with tandemctl maintenance off when the work is done.',
  },
  VIP_IN_USE: {
    severity: 'major',
    source: 'resource:vip',
    message: 'Virtual IP {subject} is already answered by another host ({mac})',
    remedy:
      'Another machine uses this address. Remove the duplicate or change the virtual IP in the group configuration.',
  },
  RESOURCE_FAILED: {
    severity: 'major',
    source: 'failover',
    message: 'Resource {subject} failed: {reason}',
    remedy:
      'See the resource’s events for the cause. Fix it, then clear the failure with tandemctl so the group may run here again.',
  },
  CONFIG_REJECTED: {
    severity: 'minor',
    source: 'config',
    message: 'Configuration from {subject} rejected: {reason}',
    remedy:
      'Correct the field named in the message and apply again. The previous configuration is still in force.',
  },
  CONFIG_CONFLICT: {
    severity: 'major',
    source: 'config',
    message: 'Both controllers changed configuration version {version} independently',
    remedy:
      'Decide which controller’s configuration is right and re-apply it there; it will then replicate to the peer.',
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
  EVENTLOG_WRITE_FAILED: {
    severity: 'minor',
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

/** Fill {name} placeholders; unknown ones stay visible rather than vanish. */
export function renderTemplate(template: string, values: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{([A-Za-z0-9_]+)\}/g, (whole, name: string) =>
    Object.hasOwn(values, name) ? String(values[name]) : whole,
  );
}
