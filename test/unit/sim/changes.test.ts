// What the simulated box prints while it runs: only what changed (states,
// the peer, paths going down or up, disk access, its groups; alarms raised,
// cleared, acknowledged), never the same status again.
import { describe, expect, it } from 'vitest';
import type { Alarm, AlarmChange } from '../../../firmware/alarms/alarm-manager.ts';
import { alarmChangeLine, StatusChanges } from '../../../firmware/sim/changes.ts';
import type { ControllerStatus, GroupStatus, PathStatus } from '../../../firmware/status/snapshot.ts';

type Paths = Partial<Record<PathStatus['path'], PathStatus['state']>>;

function status(o: {
  state?: ControllerStatus['state'];
  peer?: ControllerStatus['peer']['state'];
  paths?: Paths;
  diskAccess?: boolean;
  groups?: Pick<GroupStatus, 'name' | 'owner' | 'state'>[];
  activeAlarms?: number;
  updatedAt?: number;
}): ControllerStatus {
  const paths = o.paths ?? { serial: 'up', net: 'up', disk: 'up' };
  return {
    boxId: 'sim-box',
    controller: 'A',
    state: o.state ?? 'standby',
    stateText: '',
    since: 0,
    peer: {
      id: 'B',
      state: o.peer ?? 'alive',
      peerState: 'standby',
      paths: Object.entries(paths).map(([path, state]) => ({
        path: path as PathStatus['path'],
        state,
        lastHeardAgoMs: 10,
        oneWay: false,
      })),
    },
    groups: (o.groups ?? []).map((g) => ({ ...g, preferred: 'A' as const, failedOn: [] })),
    diskAccess: o.diskAccess ?? true,
    activeAlarms: o.activeAlarms ?? 0,
    configVersion: 0,
    updatedAt: o.updatedAt ?? 0,
  };
}

describe('status changes of the simulated box', () => {
  it('the first status: its state and the paths that are up', () => {
    const changes = new StatusChanges('A');
    expect(changes.next(status({ state: 'starting', paths: { serial: 'init', net: 'up' } }))).toEqual([
      'state starting',
      'net path up',
    ]);
  });

  it('the same status again (only times and counts moved) prints nothing', () => {
    const changes = new StatusChanges('A');
    changes.next(status({}));
    expect(changes.next(status({ updatedAt: 5000, activeAlarms: 3 }))).toEqual([]);
    expect(changes.next(status({ updatedAt: 6000 }))).toEqual([]);
  });

  it('state, peer, disk access and paths going down or up, each once', () => {
    const changes = new StatusChanges('A');
    changes.next(status({}));
    // A path running late is not news; down is, once.
    expect(changes.next(status({ paths: { serial: 'late', net: 'up', disk: 'up' } }))).toEqual([]);
    expect(changes.next(status({ paths: { serial: 'down', net: 'up', disk: 'up' } }))).toEqual([
      'serial path down',
    ]);
    expect(changes.next(status({ paths: { serial: 'down', net: 'up', disk: 'up' } }))).toEqual([]);
    expect(
      changes.next(
        status({
          state: 'fencing',
          peer: 'dead',
          diskAccess: false,
          paths: { serial: 'down', net: 'down', disk: 'down' },
        }),
      ),
    ).toEqual([
      'state standby → fencing',
      'peer B alive → dead',
      'net path down',
      'disk path down',
      'disk access lost',
    ]);
    expect(changes.next(status({ state: 'standby' }))).toEqual([
      'state fencing → standby',
      'peer B dead → alive',
      'serial path up',
      'net path up',
      'disk path up',
      'disk access gained',
    ]);
  });

  it('the groups this controller runs: their state, and when they leave', () => {
    const changes = new StatusChanges('A');
    changes.next(status({ groups: [{ name: 'svc', owner: null, state: 'stopped' }] }));
    expect(changes.next(status({ groups: [{ name: 'svc', owner: 'A', state: 'starting' }] }))).toEqual([
      'group svc starting',
    ]);
    expect(changes.next(status({ groups: [{ name: 'svc', owner: 'A', state: 'running' }] }))).toEqual([
      'group svc running',
    ]);
    expect(changes.next(status({ groups: [{ name: 'svc', owner: 'B', state: 'running' }] }))).toEqual([
      'group svc left (now on B)',
    ]);
    // The peer's groups are the peer's to report.
    expect(changes.next(status({ groups: [{ name: 'svc', owner: 'B', state: 'stopping' }] }))).toEqual([]);
  });

  it('after reset (the controller died) the next status is a first one again', () => {
    const changes = new StatusChanges('A');
    changes.next(status({}));
    changes.reset();
    expect(changes.next(status({}))).toEqual([
      'state standby',
      'serial path up',
      'net path up',
      'disk path up',
    ]);
  });

  it('alarm lines: raised, cleared, acknowledged; a repeat is not news; control characters shown as ?', () => {
    const alarm: Alarm = {
      id: 7,
      code: 'HB_PATH_DOWN',
      subject: 'net',
      severity: 'error',
      source: 'cluster',
      message: 'Heartbeat path net to the peer is down\u001b[2J',
      remedy: '',
      params: {},
      children: [],
      latched: false,
      raisedAt: 0,
      lastSeen: 0,
      count: 1,
      clearedAt: null,
      acknowledgedAt: null,
      acknowledgedBy: 'ops',
      active: true,
    };
    const line = (kind: AlarmChange['kind']) => alarmChangeLine({ kind, alarm });
    expect(line('raised')).toBe(
      'alarm #7 HB_PATH_DOWN (net) raised, error: Heartbeat path net to the peer is down?[2J',
    );
    expect(line('cleared')).toBe('alarm #7 HB_PATH_DOWN (net) cleared');
    expect(line('acknowledged')).toBe('alarm #7 HB_PATH_DOWN (net) acknowledged by ops');
    expect(line('repeated')).toBeNull();
  });
});
