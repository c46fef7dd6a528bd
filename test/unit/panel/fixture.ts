// One fixed status of controller A for the panel tests: A active running
// both groups, B standby and alive on three paths (lan late), two alarms.
import type { ReportAlarm } from '../../../firmware/status/report-check.ts';
import type { PanelStatus } from '../../../firmware/panel/types.ts';

export const ALARM_PATH: ReportAlarm = {
  id: 7,
  code: 'HB_PATH_DOWN',
  severity: 'error',
  subject: 'serial',
  message: 'Heartbeat path serial to the peer is down',
  raisedAt: 1_000,
  acknowledgedAt: null,
};

export const ALARM_MQTT: ReportAlarm = {
  id: 9,
  code: 'MQTT_DOWN',
  severity: 'warning',
  subject: 'noc',
  message: 'MQTT broker unreachable',
  raisedAt: 2_000,
  acknowledgedAt: null,
};

export function status(overrides: Partial<PanelStatus> = {}): PanelStatus {
  return {
    boxId: 'box-7',
    controller: 'A',
    state: 'active',
    stateText: 'Active: serving resource groups',
    since: 0,
    peer: {
      id: 'B',
      state: 'alive',
      peerState: 'standby',
      diskAccess: true,
      paths: [
        { path: 'serial', state: 'up', lastHeardAgoMs: 100, oneWay: false },
        { path: 'net', state: 'up', lastHeardAgoMs: 100, oneWay: false },
        { path: 'lan', state: 'late', lastHeardAgoMs: 2500, oneWay: false },
        { path: 'disk', state: 'down', lastHeardAgoMs: null, oneWay: false },
      ],
    },
    groups: [
      { name: 'pg', preferred: 'A', owner: 'A', state: 'running', failedOn: [] },
      { name: 'web', preferred: 'B', owner: 'B', state: 'running', failedOn: [] },
    ],
    diskAccess: true,
    activeAlarms: 0,
    configVersion: 12,
    updatedAt: 0,
    alarms: [],
    lastTakeover: { at: Date.UTC(2026, 11, 1, 14, 3), by: 'A', reason: 'peer B dead on all paths' },
    firmwareVersion: '0.1.0',
    ...overrides,
  };
}
