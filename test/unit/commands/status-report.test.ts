// `status` answers the one-screen summary: the snapshot plus resources,
// alarms, the last takeover and whether a takeover could happen now, each
// read from the controller itself. Unit rules on plain objects, then the
// simulated box (real controllers on sim drivers, virtual time).
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import type { ControllerId } from '../../../firmware/cluster/codes.ts';
import { RegistryCommands } from '../../../firmware/commands/dispatch.ts';
import { firmwareVersion, statusReport, takeoverOutlook } from '../../../firmware/commands/status.ts';
import type { LoggedEvent } from '../../../firmware/events/types.ts';
import { SimBox } from '../../../firmware/sim/box.ts';
import type { ControllerStatus, StatusReport } from '../../../firmware/status/snapshot.ts';
import { fakeContext, fakeHost } from './fake-context.ts';

function snapshot(over: Partial<ControllerStatus> = {}, peer: Partial<ControllerStatus['peer']> = {}) {
  const base: ControllerStatus = {
    boxId: 'box1',
    controller: 'A',
    state: 'active',
    stateText: 'Active',
    since: 0,
    peer: { id: 'B', state: 'alive', peerState: 'standby', diskAccess: true, paths: [] },
    groups: [],
    diskAccess: true,
    activeAlarms: 0,
    configVersion: 1,
    updatedAt: 0,
  };
  return { ...base, ...over, peer: { ...base.peer, ...peer } };
}

describe('takeover outlook', () => {
  it('both ways possible when both controllers are up, reach the disk and hold their keys', () => {
    expect(takeoverOutlook(snapshot(), false, false)).toEqual([
      { by: 'A', from: 'B', possible: true, why: [] },
      { by: 'B', from: 'A', possible: true, why: [] },
    ]);
  });

  it('names what keeps this controller from taking over: no disk, its key gone, its state', () => {
    const [a] = takeoverOutlook(snapshot({ diskAccess: false, state: 'standby' }), true, false);
    expect(a).toEqual({
      by: 'A',
      from: 'B',
      possible: false,
      why: ["A's key is gone from the shared disk: B fenced it", 'A cannot reach the shared disk'],
    });
    expect(takeoverOutlook(snapshot({ state: 'self-fenced' }), true, false)[0]?.why).toEqual([
      'A is self-fenced and waits for a reboot',
    ]);
    expect(takeoverOutlook(snapshot({ state: 'starting' }), false, false)[0]?.why).toEqual([
      'A is still starting',
    ]);
    // A takeover under way is one that is possible.
    expect(takeoverOutlook(snapshot({ state: 'fencing' }), false, false)[0]?.possible).toBe(true);
  });

  it('names what keeps the peer from taking over, from its heartbeat', () => {
    const peerWhy = (peer: Partial<ControllerStatus['peer']>) =>
      takeoverOutlook(snapshot({}, peer), false, false)[1]?.why;
    expect(peerWhy({ state: 'dead', peerState: null, diskAccess: null })).toEqual([
      'B is not heard on any heartbeat path',
    ]);
    expect(peerWhy({ state: 'suspect' })).toEqual(['B is suspect: its heartbeats are failing']);
    expect(peerWhy({ peerState: null, diskAccess: null })).toEqual(['B has not reported its state yet']);
    expect(peerWhy({ peerState: 'self-fenced', diskAccess: false })).toEqual([
      'B is self-fenced and waits for a reboot',
      'B reports no access to the shared disk',
    ]);
    // Older firmware's status has no peer disk access: nothing is claimed about it.
    expect(peerWhy({ diskAccess: undefined })).toEqual([]);
  });

  it('maintenance stops both ways', () => {
    const both = takeoverOutlook(snapshot({ state: 'maintenance' }), false, true);
    for (const t of both) {
      expect(t.possible).toBe(false);
      expect(t.why).toEqual(['maintenance is on: no automatic failover']);
    }
  });
});

describe('status report', () => {
  it('is the snapshot plus firmware version, resources, alarms, last takeover and outlook', () => {
    const host = {
      ...fakeHost(),
      resourceStatus: (group: string) => [
        { name: `${group}-fs`, type: 'filesystem', health: 'ok' as const, failCount: 1 },
      ],
    };
    const ctx = fakeContext(host);
    const s = snapshot({
      groups: [
        { name: 'db', preferred: 'A', owner: 'A', state: 'running', failedOn: [] },
        { name: 'web', preferred: 'B', owner: 'B', state: 'running', failedOn: [] },
      ],
    });
    const takeover: LoggedEvent = {
      id: 40,
      ts: 1_000_000,
      monoMs: 5,
      severity: 'error',
      source: 'failover',
      code: 'TAKEOVER',
      message: 'ALARM: Controller A fenced B off the shared disk and took over its groups at x: why',
      data: { action: 'raise', subject: 'A', params: { reason: 'the peer stayed silent' } },
    };
    const acked: LoggedEvent = { ...takeover, id: 41, ts: 2_000_000, data: { action: 'acknowledge' } };
    const asked: unknown[] = [];
    const r = statusReport({
      ...ctx,
      status: { current: () => s },
      events: {
        query: (q) => {
          asked.push(q);
          if (q?.code !== 'FAILOVER_TRANSITION') return [acked, takeover];
          // The machine's transitions around the fence (newest first).
          const tr = (id: number, ts: number, to: string): LoggedEvent => ({
            ...takeover,
            id,
            ts,
            code: 'FAILOVER_TRANSITION',
            data: { to },
          });
          return [
            tr(33, 1_000_300, 'active'),
            tr(32, 1_000_001, 'taking-over'),
            tr(31, 999_990, 'fencing'),
            tr(30, 997_790, 'peer-suspect'),
          ];
        },
      },
    });
    expect(asked).toEqual([
      { code: 'TAKEOVER', limit: 50 },
      { code: 'FAILOVER_TRANSITION', fromTs: 880_000, toTs: 1_120_000, limit: 500 },
    ]);
    expect(r).toMatchObject({ boxId: 'box1', controller: 'A', peer: s.peer, diskAccess: true });
    expect(r.firmwareVersion).toBe(
      (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version,
    );
    expect(r.groups).toEqual([
      { ...s.groups[0], resources: [{ name: 'db-fs', type: 'filesystem', health: 'ok', failCount: 1 }] },
      // B runs web: its health is B's to know; the failures here still count.
      {
        ...s.groups[1],
        resources: [{ name: 'web-fs', type: 'filesystem', health: 'unknown', failCount: 1 }],
      },
    ]);
    expect(r.alarms).toEqual([{ id: 1, code: 'MQTT_DOWN' }]);
    expect(r.maintenance).toBe(false);
    expect(r.lastTakeover).toEqual({
      at: 1_000_000,
      by: 'A',
      reason: 'the peer stayed silent',
      phases: [
        { name: 'wait', ms: 2200 },
        { name: 'fence', ms: 10 },
        { name: 'start', ms: 300 },
      ],
    });
    expect(r.takeover.map((t) => t.possible)).toEqual([true, true]);
  });

  it('a takeover row of older firmware (no params) gives its message as the reason', () => {
    const row: LoggedEvent = {
      id: 1,
      ts: 5,
      monoMs: 0,
      severity: 'error',
      source: 'failover',
      code: 'TAKEOVER',
      message: 'ALARM: Controller B fenced A off the shared disk',
      data: { action: 'raise', subject: 'B' },
    };
    const ctx = fakeContext();
    const r = statusReport({ ...ctx, status: { current: () => snapshot() }, events: { query: () => [row] } });
    expect(r.lastTakeover).toEqual({
      at: 5,
      by: 'B',
      reason: 'Controller B fenced A off the shared disk',
      phases: [],
    });
  });

  it('on a node without alarms, events or failover host: none of them, and no resources', () => {
    const r = statusReport({
      status: {
        current: () =>
          snapshot({ groups: [{ name: 'db', preferred: 'A', owner: null, state: 'stopped', failedOn: [] }] }),
      },
      counters: () => ({}),
      host: () => undefined,
    });
    expect(r.alarms).toEqual([]);
    expect(r.lastTakeover).toBeNull();
    expect(r.groups[0]?.resources).toEqual([]);
  });

  it("maintenance: the box's mark where the failover host keeps one, else either controller's state", () => {
    const host = fakeHost();
    const marked = {
      ...host,
      failover: { ...host.failover, status: () => ({ maintenance: { on: true, epoch: 3 } }) },
    };
    expect(statusReport({ ...fakeContext(marked), status: { current: () => snapshot() } }).maintenance).toBe(
      true,
    );
    expect(statusReport({ ...fakeContext(host), status: { current: () => snapshot() } }).maintenance).toBe(
      false,
    );
    const noHost = (s: ControllerStatus) =>
      statusReport({ status: { current: () => s }, counters: () => ({}), host: () => undefined }).maintenance;
    expect(noHost(snapshot({ state: 'maintenance' }))).toBe(true);
    expect(noHost(snapshot({}, { peerState: 'maintenance' }))).toBe(true);
    expect(noHost(snapshot())).toBe(false);
  });

  it('reads the firmware version once', () => {
    expect(firmwareVersion()).toMatch(/^\d+\.\d+\.\d+/);
    expect(firmwareVersion()).toBe(firmwareVersion());
  });

  it('is what the status command answers', async () => {
    const commands = new RegistryCommands({ ...fakeContext(), status: { current: () => snapshot() } });
    const r = await commands.handle({ command: 'status', args: {}, transaction: 't' });
    expect(r.status).toBe('ok');
    expect(r.data).toMatchObject({
      boxId: 'box1',
      maintenance: false,
      alarms: [{ id: 1 }],
      lastTakeover: null,
    });
  });
});

describe('status report in the simulated box', () => {
  let box: SimBox | undefined;
  afterEach(async () => {
    await box?.stop();
    box = undefined;
  });

  const GROUPS = [
    {
      name: 'svc',
      preferred: 'A' as const,
      // Agent fields beyond type and name are the agent's own (checked by it).
      resources: [{ type: 'dummy', name: 'app', monitorIntervalMs: 500 } as { type: string; name: string }],
    },
  ];

  function setup() {
    const clock = new SimClock();
    const b = new SimBox({ clock, groups: GROUPS });
    box = b;
    b.start();
    const advance = async (ms: number): Promise<void> => {
      for (let t = 0; t < ms; t += 50) await clock.advance(50);
    };
    const report = async (c: ControllerId): Promise<StatusReport> => {
      const handler = b.controller(c)?.commands.with({ alarms: b.alarms(c), events: b.events(c) });
      const r = await handler?.handle({ command: 'status', args: {}, transaction: 't' });
      expect(r?.status).toBe('ok');
      return r?.data as StatusReport;
    };
    return { box: b, advance, report };
  }

  it('shows each resource with its health and fail count where it runs, and "unknown" on the peer', async () => {
    const { box, advance, report } = setup();
    await advance(4000);
    let a = await report('A');
    expect(a.groups).toEqual([
      expect.objectContaining({
        name: 'svc',
        owner: 'A',
        resources: [{ name: 'app', type: 'dummy', health: 'ok', failCount: 0 }],
      }),
    ]);
    expect((await report('B')).groups[0]?.resources).toEqual([
      { name: 'app', type: 'dummy', health: 'unknown', failCount: 0 },
    ]);
    expect(a.takeover).toEqual([
      { by: 'A', from: 'B', possible: true, why: [] },
      { by: 'B', from: 'A', possible: true, why: [] },
    ]);
    expect(a.peer.diskAccess).toBe(true);
    // The resource dies on A: its monitor restarts it there, and counts the failure.
    box.ledger.lose('A', 'app');
    await advance(2000);
    a = await report('A');
    expect(a.groups[0]?.owner).toBe('A');
    expect(a.groups[0]?.resources).toEqual([{ name: 'app', type: 'dummy', health: 'ok', failCount: 1 }]);
  });

  it('after a takeover: who took over, when and why; the dead peer cannot take over', async () => {
    const { box, advance, report } = setup();
    await advance(4000);
    expect((await report('B')).lastTakeover).toBeNull();
    await box.kill('A');
    await advance(12_000);
    const b = await report('B');
    expect(b.state).toBe('active');
    expect(b.lastTakeover).toMatchObject({
      by: 'B',
      reason: 'the peer stayed silent on every heartbeat path past the takeover wait',
    });
    expect(b.takeover[1]).toEqual({
      by: 'A',
      from: 'B',
      possible: false,
      why: ['A is not heard on any heartbeat path'],
    });
    expect(b.alarms).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'TAKEOVER' })]));
    expect(b.groups[0]?.resources).toEqual([{ name: 'app', type: 'dummy', health: 'ok', failCount: 0 }]);
  });
});
