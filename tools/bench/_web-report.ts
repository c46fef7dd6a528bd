// The report the web bench publishes: made by the daemon's own `status`
// handler (statusReport) from a status snapshot and plain stand-ins for the
// failover host, the alarm list and the event log, so its shape and size
// are what a box in service publishes (both peers up on four paths, two
// groups with their resources, a latched TAKEOVER alarm, the last takeover
// with its phases), not a hand-made guess. parseReport must accept it, as
// the web process will.
import { ALARM_CATALOGUE } from '../../firmware/alarms/catalogue.ts';
import type { Alarm } from '../../firmware/alarms/alarm-row.ts';
import type { CommandContext, FailoverOps } from '../../firmware/commands/context.ts';
import { statusReport } from '../../firmware/commands/status.ts';
import type { LoggedEvent } from '../../firmware/events/types.ts';
import { parseReport } from '../../firmware/status/report-check.ts';
import type { ControllerStatus, ResourceStatus, StatusReport } from '../../firmware/status/snapshot.ts';

export const BENCH_BOX = 'benchbox';

const HOUR = 3600_000;

function snapshot(configVersion: number, now: number): ControllerStatus {
  return {
    boxId: BENCH_BOX,
    controller: 'A',
    state: 'active',
    stateText: 'Active: running its groups, peer standing by',
    since: now - 72 * HOUR,
    peer: {
      id: 'B',
      state: 'alive',
      peerState: 'standby',
      diskAccess: true,
      paths: [
        { path: 'serial', state: 'up', lastHeardAgoMs: 180, oneWay: false },
        { path: 'net', state: 'up', lastHeardAgoMs: 40, oneWay: false },
        { path: 'lan', state: 'up', lastHeardAgoMs: 40, oneWay: false },
        { path: 'disk', state: 'up', lastHeardAgoMs: 900, oneWay: false },
      ],
    },
    groups: [
      { name: 'db', preferred: 'A', owner: 'A', state: 'running', failedOn: [] },
      { name: 'files', preferred: 'B', owner: 'A', state: 'running', failedOn: [] },
    ],
    diskAccess: true,
    activeAlarms: 1,
    configVersion,
    updatedAt: now,
  };
}

const RESOURCES: Readonly<Record<string, readonly ResourceStatus[]>> = {
  db: [
    { name: 'db-disk', type: 'reservation', health: 'ok', failCount: 0 },
    { name: 'db-fs', type: 'filesystem', health: 'ok', failCount: 0 },
    { name: 'db-vip', type: 'vip', health: 'ok', failCount: 0 },
    { name: 'db-pg', type: 'postgresql', health: 'ok', failCount: 1 },
  ],
  files: [
    { name: 'files-fs', type: 'filesystem', health: 'ok', failCount: 0 },
    { name: 'files-vip', type: 'vip', health: 'ok', failCount: 0 },
    { name: 'files-nfs', type: 'service', health: 'ok', failCount: 0 },
  ],
};

function host(s: ControllerStatus): FailoverOps {
  return {
    failover: {
      onTransition: () => () => undefined,
      command: () => undefined,
      status: () => ({ maintenance: { on: false, epoch: 3 } }),
    },
    fencer: {
      snapshot: () => ({
        ourKey: 0xa1n,
        keys: [0xa1n, 0xb2n],
        reservation: { key: 0xa1n, type: 5 },
        weAreFenced: false,
      }),
    },
    groupStatus: () => s.groups,
    resourceStatus: (group) => RESOURCES[group] ?? [],
    heldGroups: () => s.groups.map((g) => g.name),
    cleanup: () => Promise.resolve(null),
  };
}

function takeoverAlarm(at: number): Alarm {
  const def = ALARM_CATALOGUE.TAKEOVER;
  return {
    id: 41,
    code: 'TAKEOVER',
    subject: 'A',
    severity: def.severity,
    source: def.source,
    message: `Controller A fenced B off the shared disk and took over its groups at ${new Date(at).toISOString()}: peer B not heard on any heartbeat path`,
    remedy: def.remedy,
    params: { peer: 'B', at: new Date(at).toISOString(), reason: 'peer B not heard on any heartbeat path' },
    children: [],
    latched: true,
    raisedAt: at,
    lastSeen: at,
    count: 1,
    clearedAt: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
    active: true,
  };
}

/** The event log's rows around that takeover: the alarm and the machine's transitions. */
function eventLog(at: number): LoggedEvent[] {
  const row = (id: number, ts: number, code: string, data: LoggedEvent['data']): LoggedEvent => ({
    id,
    ts,
    monoMs: ts,
    severity: 'notice',
    source: 'failover',
    code,
    message: code,
    data,
  });
  return [
    row(900, at - 5200, 'FAILOVER_TRANSITION', { from: 'standby', to: 'peer-suspect' }),
    row(901, at - 1400, 'FAILOVER_TRANSITION', { from: 'peer-suspect', to: 'fencing' }),
    row(902, at, 'TAKEOVER', {
      action: 'raise',
      subject: 'A',
      params: { reason: 'peer B not heard on any heartbeat path' },
    }),
    row(903, at + 6100, 'FAILOVER_TRANSITION', { from: 'taking-over', to: 'active' }),
  ];
}

/** The report the daemon would publish with this config version, checked as a panel checks it. */
export function benchReport(configVersion: number, now: number = Date.now()): StatusReport {
  const s = snapshot(configVersion, now);
  const tookOver = now - 20 * HOUR;
  const log = eventLog(tookOver);
  const ctx: CommandContext = {
    status: { current: () => s },
    counters: () => ({}),
    host: () => host(s),
    alarms: {
      active: () => [takeoverAlarm(tookOver)],
      acknowledge: () => ({ ok: false, error: 'read-only in the bench' }),
      signals: { snapshot: () => ({ muted: false, locate: false }) },
    },
    events: { query: (q) => log.filter((e) => q?.code === undefined || e.code === q.code) },
  };
  const report = statusReport(ctx);
  const checked = parseReport(Buffer.from(JSON.stringify(report)));
  if (!checked.ok) throw new Error(`web bench: the web process would refuse this report: ${checked.error}`);
  return report;
}
