// The web process's /metrics text: what Prometheus would read back from it.
import { describe, expect, it } from 'vitest';
import { CONTROLLER_STATES } from '../../../firmware/core/states.ts';
import type { StatusReport } from '../../../firmware/status/snapshot.ts';
import { prometheusText, type TakeoverSample } from '../../../firmware/web/metrics.ts';

const NOW = Date.UTC(2026, 11, 2, 10, 0, 0);

function report(groupName = 'db'): StatusReport {
  return {
    boxId: 'box1',
    controller: 'A',
    state: 'active',
    stateText: 'Active',
    since: NOW - 60_000,
    peer: {
      id: 'B',
      state: 'alive',
      peerState: 'standby',
      diskAccess: true,
      paths: [
        { path: 'serial', state: 'up', lastHeardAgoMs: 400, oneWay: false },
        { path: 'net', state: 'late', lastHeardAgoMs: 5200, oneWay: false },
        { path: 'disk', state: 'init', lastHeardAgoMs: null, oneWay: false },
      ],
    },
    groups: [
      {
        name: groupName,
        preferred: 'A',
        owner: 'A',
        state: 'running',
        failedOn: [],
        resources: [
          { name: 'fs', type: 'filesystem', health: 'ok', failCount: 0 },
          { name: 'pg', type: 'postgresql', health: 'failed', failCount: 2 },
        ],
      },
    ],
    diskAccess: true,
    activeAlarms: 3,
    configVersion: 4,
    updatedAt: NOW,
    firmwareVersion: '0.1.0',
    maintenance: false,
    alarms: [],
    lastTakeover: null,
    takeover: [
      { by: 'A', from: 'B', possible: true, why: [] },
      { by: 'B', from: 'A', possible: false, why: ['B is busy'] },
    ],
    muted: false,
    locate: false,
  };
}

const takeover = (kind: TakeoverSample['kind'], totalMs: number): TakeoverSample => ({
  at: NOW,
  kind,
  by: 'A',
  from: 'B',
  totalMs,
});

interface Parsed {
  readonly types: Map<string, string>;
  readonly samples: { name: string; labels: Record<string, string>; value: string }[];
}

/** Unescape one label value of the text format, or throw on an escape it does not define. */
function unescape(v: string): string {
  return v.replace(/\\(.)/g, (_, c: string) => {
    if (c === '\\' || c === '"') return c;
    if (c === 'n') return '\n';
    throw new Error(`bad escape \\${c}`);
  });
}

/**
 * A small line-based reader of format 0.0.4: comments are HELP or TYPE, each
 * family declared once before its samples, every sample line belongs to a
 * declared family (histograms through _bucket, _sum and _count).
 */
function parse(text: string): Parsed {
  expect(text.endsWith('\n')).toBe(true);
  const types = new Map<string, string>();
  const samples: Parsed['samples'] = [];
  const label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\.)*)"/y;
  for (const line of text.slice(0, -1).split('\n')) {
    const comment = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (comment !== null) {
      const [, what, name, rest] = comment as unknown as [string, string, string, string];
      if (what === 'TYPE') {
        expect(types.has(name), `TYPE ${name} twice`).toBe(false);
        expect(['gauge', 'counter', 'histogram']).toContain(rest);
        types.set(name, rest);
      }
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/.exec(line);
    if (m === null) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    const [, name, braces, value] = m as unknown as [string, string, string | undefined, string];
    const labels: Record<string, string> = {};
    if (braces !== undefined) {
      const body = braces.slice(1, -1);
      label.lastIndex = 0;
      while (label.lastIndex < body.length) {
        const l = label.exec(body);
        if (l === null) throw new Error(`bad labels in ${JSON.stringify(line)}`);
        labels[l[1] as string] = unescape(l[2] as string);
        if (label.lastIndex < body.length) {
          expect(body[label.lastIndex]).toBe(',');
          label.lastIndex += 1;
        }
      }
    }
    expect(value).toMatch(/^([+-]Inf|NaN|-?\d+(\.\d+)?(e[+-]?\d+)?)$/);
    const family = types.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '');
    expect(types.get(family), `sample ${name} without a TYPE`).toBeDefined();
    if (family !== name) expect(types.get(family)).toBe('histogram');
    samples.push({ name, labels, value });
  }
  return { types, samples };
}

const value = (p: Parsed, name: string, labels: Record<string, string> = {}): string | undefined =>
  p.samples.find(
    (s) =>
      s.name === name &&
      Object.keys(labels).length === Object.keys(s.labels).length &&
      Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  )?.value;

describe('prometheusText', () => {
  it('parses back: every sample belongs to a declared TYPE', () => {
    const p = parse(prometheusText({ report: report(), takeovers: [takeover('takeover', 4200)] }));
    expect(p.types.get('tandem_takeovers_total')).toBe('counter');
    expect(p.types.get('tandem_takeover_duration_seconds')).toBe('histogram');
    expect(value(p, 'tandem_daemon_up')).toBe('1');
    expect(value(p, 'tandem_peer_alive', { controller: 'B' })).toBe('1');
    expect(value(p, 'tandem_path_up', { path: 'serial' })).toBe('1');
    expect(value(p, 'tandem_path_up', { path: 'net' })).toBe('0');
    expect(value(p, 'tandem_path_last_heard_seconds', { path: 'net' })).toBe('5.2');
    expect(value(p, 'tandem_path_last_heard_seconds', { path: 'disk' })).toBeUndefined();
    expect(value(p, 'tandem_group_running', { group: 'db', controller: 'A' })).toBe('1');
    expect(value(p, 'tandem_group_running', { group: 'db', controller: 'B' })).toBe('0');
    expect(value(p, 'tandem_resource_fail_count', { group: 'db', resource: 'pg' })).toBe('2');
    expect(value(p, 'tandem_active_alarms')).toBe('3');
    expect(value(p, 'tandem_maintenance')).toBe('0');
    expect(value(p, 'tandem_disk_access')).toBe('1');
    expect(value(p, 'tandem_takeover_possible', { by: 'A', from: 'B' })).toBe('1');
    expect(value(p, 'tandem_takeover_possible', { by: 'B', from: 'A' })).toBe('0');
  });

  it('controller state is one-hot over every state, for this controller and the known peer', () => {
    const p = parse(prometheusText({ report: report(), takeovers: [] }));
    for (const [controller, current] of [
      ['A', 'active'],
      ['B', 'standby'],
    ] as const) {
      const rows = p.samples.filter(
        (s) => s.name === 'tandem_controller_state' && s.labels['controller'] === controller,
      );
      expect(rows.map((s) => s.labels['state']).sort()).toEqual([...CONTROLLER_STATES].sort());
      expect(rows.filter((s) => s.value === '1').map((s) => s.labels['state'])).toEqual([current]);
      expect(rows.every((s) => s.value === '0' || s.value === '1')).toBe(true);
    }
  });

  it('leaves the peer out of the state gauge while its state is unknown', () => {
    const r = report();
    const p = parse(
      prometheusText({ report: { ...r, peer: { ...r.peer, peerState: null } }, takeovers: [] }),
    );
    const controllers = new Set(
      p.samples.filter((s) => s.name === 'tandem_controller_state').map((s) => s.labels['controller']),
    );
    expect([...controllers]).toEqual(['A']);
  });

  it('escapes a hostile group name so it cannot forge a line', () => {
    const hostile = 'x"} 1\ntandem_daemon_up 0\n\\';
    const text = prometheusText({ report: report(hostile), takeovers: [] });
    const p = parse(text);
    expect(p.samples.filter((s) => s.name === 'tandem_daemon_up').map((s) => s.value)).toEqual(['1']);
    expect(value(p, 'tandem_group_running', { group: hostile, controller: 'A' })).toBe('1');
    expect(text).toContain('group="x\\"} 1\\ntandem_daemon_up 0\\n\\\\"');
  });

  it('a histogram of takeover durations with cumulative buckets, sum and count', () => {
    const takeovers = [
      takeover('takeover', 400),
      takeover('takeover', 2500),
      takeover('switchover', 2500),
      takeover('failback', 45_000),
      takeover('takeover', 120_000),
      takeover('takeover', Number.NaN),
    ];
    const p = parse(prometheusText({ report: null, takeovers }));
    const buckets = p.samples
      .filter((s) => s.name === 'tandem_takeover_duration_seconds_bucket')
      .map((s) => [s.labels['le'], Number(s.value)]);
    expect(buckets).toEqual([
      ['0.5', 1],
      ['1', 1],
      ['2', 1],
      ['3', 3],
      ['5', 3],
      ['10', 3],
      ['20', 3],
      ['30', 3],
      ['60', 4],
      ['+Inf', 5],
    ]);
    expect(value(p, 'tandem_takeover_duration_seconds_count')).toBe('5');
    expect(value(p, 'tandem_takeover_duration_seconds_sum')).toBe('170.4');
    expect(value(p, 'tandem_takeovers_total', { kind: 'takeover' })).toBe('3');
    expect(value(p, 'tandem_takeovers_total', { kind: 'switchover' })).toBe('1');
    expect(value(p, 'tandem_takeovers_total', { kind: 'failback' })).toBe('1');
  });

  it('with the daemon down: tandem_daemon_up 0 and nothing about state', () => {
    const p = parse(prometheusText({ report: null, takeovers: [] }));
    expect(value(p, 'tandem_daemon_up')).toBe('0');
    const names = new Set(p.samples.map((s) => s.name.replace(/_(bucket|sum|count)$/, '')));
    expect([...names].sort()).toEqual([
      'tandem_daemon_up',
      'tandem_takeover_duration_seconds',
      'tandem_takeovers_total',
    ]);
  });

  it('skips what is not a finite number or a known state, and bounds the lists', () => {
    const r = report();
    const bad = {
      ...r,
      state: 'dancing',
      activeAlarms: Number.POSITIVE_INFINITY,
      groups: Array.from({ length: 1000 }, (_, i) => ({ ...r.groups[0], name: `g${i}` })),
    } as unknown as StatusReport;
    const p = parse(prometheusText({ report: bad, takeovers: [] }));
    expect(
      p.samples.filter((s) => s.labels['controller'] === 'A' && s.name === 'tandem_controller_state'),
    ).toEqual([]);
    expect(value(p, 'tandem_active_alarms')).toBeUndefined();
    expect(p.samples.filter((s) => s.name === 'tandem_group_running').length).toBe(512);
  });
});
