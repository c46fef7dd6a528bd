import { describe, expect, it } from 'vitest';
import {
  clean,
  duration,
  formatData,
  localTime,
  LogFollower,
  table,
  useColor,
} from '../../../firmware/console/format.ts';
import type { StatusReport } from '../../../firmware/status/snapshot.ts';
import { TelemetryBox } from '../../lab/fixtures/telemetry-box.ts';
import { inUtc } from './utc-zone.ts';

const NOW = Date.UTC(2026, 10, 5, 12, 0, 0);
const ESC = '\u001b';
const plain = { color: false, nowMs: NOW };

inUtc();

/** What `status` answers on A: A runs db (one resource failing), B runs web, B has no disk. */
function report(): StatusReport {
  const box = new TelemetryBox({ boxId: 'box1', controller: 'A', now: () => NOW - 30_000 });
  const s = box.current();
  return {
    ...s,
    updatedAt: NOW,
    peer: { ...s.peer, diskAccess: false },
    groups: [
      {
        name: 'db',
        preferred: 'A',
        owner: 'A',
        state: 'running',
        failedOn: [],
        resources: [
          { name: 'fs', type: 'filesystem', health: 'ok', failCount: 0 },
          { name: 'pg', type: 'postgresql', health: 'failed', failCount: 2 },
        ],
      },
      {
        name: 'web',
        preferred: 'B',
        owner: 'B',
        state: 'running',
        failedOn: ['A'],
        resources: [{ name: 'app', type: 'dummy', health: 'unknown', failCount: 1 }],
      },
    ],
    firmwareVersion: '0.1.0',
    maintenance: false,
    alarms: [
      {
        id: 7,
        severity: 'critical',
        code: 'PEER_DEAD',
        subject: 'B',
        raisedAt: NOW - 240_000,
        children: [
          { subject: 'serial', message: 'silent for 3.0 s' },
          { subject: 'net', message: 'silent for 3.1 s' },
        ],
      },
      {
        id: 9,
        severity: 'warning',
        code: 'MQTT_DOWN',
        subject: 'noc:1883',
        raisedAt: NOW - 4000,
        children: [],
      },
    ],
    lastTakeover: { at: NOW - 3_720_000, by: 'A', reason: 'the peer stayed silent past the takeover wait' },
    takeover: [
      { by: 'A', from: 'B', possible: true, why: [] },
      { by: 'B', from: 'A', possible: false, why: ['B reports no access to the shared disk'] },
    ],
    muted: false,
    locate: false,
  };
}

describe('tandemctl formatting', () => {
  const box = new TelemetryBox({ boxId: 'box1', controller: 'A', now: () => NOW - 30_000 });

  it('aligns a table and says (none) when empty', () => {
    expect(
      table(
        ['A', 'LONGER'],
        [
          ['xxx', 1],
          ['y', 22],
        ],
      ),
    ).toBe('A    LONGER\nxxx  1\ny    22');
    expect(table(['A', 'B'], [])).toBe('A  B\n(none)');
  });

  it('rounds durations to a human unit', () => {
    expect(duration(400)).toBe('0.4 s');
    expect(duration(3240)).toBe('3.2 s');
    expect(duration(45_000)).toBe('45 s');
    expect(duration(240_000)).toBe('4 min');
    expect(duration(3 * 3_600_000)).toBe('3 h');
    expect(duration(5 * 86_400_000)).toBe('5 d');
    expect(duration(-5)).toBe('0.0 s');
  });

  it('prints times as local ISO-like strings with their zone', () => {
    expect(localTime(NOW)).toBe('2026-11-05 12:00:00Z');
    process.env['TZ'] = 'Europe/Berlin';
    try {
      expect(localTime(NOW)).toBe('2026-11-05 13:00:00+01:00');
      expect(localTime(Date.UTC(2026, 6, 1, 12, 0, 0))).toBe('2026-07-01 14:00:00+02:00');
    } finally {
      process.env['TZ'] = 'UTC';
    }
    expect(localTime(undefined)).toBe('-');
    expect(localTime(Number.NaN)).toBe('-');
  });

  it('prints status as one screen: box, state, takeover, controllers, paths, groups with resources, alarms', () => {
    const text = formatData('status', report(), plain);
    expect(text).toMatch(/^Box:\s+box1 \(firmware 0\.1\.0, config version 1\)$/m);
    expect(text).toMatch(/^Seen from:\s+controller A at 2026-11-05 12:00:00Z$/m);
    expect(text).toMatch(
      /^State:\s+Active: serving resource groups, since 2026-11-05 11:59:30Z \(30 s ago\)$/m,
    );
    expect(text).toMatch(/^Maintenance:\s+off$/m);
    expect(text).toMatch(
      /^Takeover:\s+if B fails, A takes over: yes\n\s+if A fails, B takes over: no \(B reports no access to the shared disk\)$/m,
    );
    expect(text).toMatch(
      /^Last takeover:\s+2026-11-05 10:58:00Z \(62 min ago\) by A: the peer stayed silent past the takeover wait$/m,
    );
    expect(text).toMatch(/^Panel:\s+buzzer armed, locate off$/m);
    // Both controllers, the peer as A sees it.
    expect(text).toMatch(/^CONTROLLER\s+STATE\s+ROLE\s+DISK\s+RUNS$/m);
    expect(text).toMatch(/^A\s+active\s+this controller\s+yes\s+db$/m);
    expect(text).toMatch(/^B\s+standby\s+peer, alive\s+no\s+web$/m);
    // Each path and whether it is up.
    expect(text).toMatch(/^PATH\s+STATE\s+LAST HEARD\s+ONE-WAY$/m);
    expect(text).toMatch(/^serial\s+up\s+0\.4 s ago\s+no$/m);
    expect(text).toMatch(/^disk\s+late\s+5\.2 s ago\s+no$/m);
    // Groups, where they run, and their resources (indented) with health and fail counts.
    expect(text).toMatch(/^ {2}db\s+running\s+on A\s+\(preferred A\)$/m);
    expect(text).toMatch(/^ {4}fs\s+filesystem\s+ok\s+0 failures$/m);
    expect(text).toMatch(/^ {4}pg\s+postgresql\s+failed\s+2 failures$/m);
    expect(text).toMatch(/^ {2}web\s+running\s+on B\s+\(preferred B; failed on A\)$/m);
    expect(text).toMatch(/^ {4}app\s+dummy\s+see B\s+1 failure$/m);
    // Alarms, most severe first, each root's parts indented under it.
    expect(text).toMatch(
      /^Alarms: 2 active\n {2}critical\s+PEER_DEAD\s+B\s+raised 4 min ago\n {12}\\_ serial: silent for 3\.0 s\n {12}\\_ net: silent for 3\.1 s\n {2}warning\s+MQTT_DOWN\s+noc:1883\s+raised 4\.0 s ago$/m,
    );
    expect(text).not.toMatch(/[{}[\]"]/);
    expect(text).not.toContain(ESC);
    // One screen.
    expect(text.split('\n').length).toBeLessThanOrEqual(40);
  });

  it('says when maintenance is on and nobody took over', () => {
    const r = { ...report(), maintenance: true, lastTakeover: null, alarms: [] };
    const text = formatData('status', r, plain);
    expect(text).toMatch(/^Maintenance:\s+on: no automatic failover$/m);
    expect(text).toMatch(/^Last takeover:\s+none$/m);
    expect(text).toMatch(/^Alarms: none active$/m);
  });

  it('says when the buzzer is muted and locate is on', () => {
    const text = formatData('status', { ...report(), muted: true, locate: true }, plain);
    expect(text).toMatch(/^Panel:\s+buzzer muted until a new alarm, locate on \(identify LED blinking\)$/m);
  });

  it('prints the status of older firmware (no summary fields) without them', () => {
    const text = formatData('status', box.current(), plain);
    expect(text).toMatch(/^Box:\s+box1 \(config version 1\)$/m);
    expect(text).toMatch(/^ {2}db\s+running\s+on A\s+\(preferred A\)$/m);
    expect(text).toMatch(/^Alarms: 0 active$/m);
    expect(text).not.toMatch(/^(Maintenance|Takeover|Last takeover|Panel):/m);
    expect(text).not.toMatch(/^:/m);
  });

  it('colours state words only when asked', () => {
    const text = formatData('groups', box.current().groups, { color: true, nowMs: NOW });
    expect(text).toContain(`${ESC}[32mrunning${ESC}[0m`);
    const status = formatData('status', report(), { color: true, nowMs: NOW });
    expect(status).toContain(`${ESC}[31mfailed${ESC}[0m`);
    expect(status).toContain(`B takes over: ${ESC}[31mno${ESC}[0m`);
  });

  it('colours the one severity vocabulary, and no other severity words', () => {
    const row = (severity: string) =>
      formatData(
        'alarms',
        [{ id: 1, severity, code: 'X', subject: '', raisedAt: NOW, count: 1, message: 'm' }],
        { color: true, nowMs: NOW },
      );
    expect(row('critical')).toContain(`${ESC}[31mcritical`);
    expect(row('error')).toContain(`${ESC}[31merror`);
    expect(row('warning')).toContain(`${ESC}[33mwarning`);
    expect(row('notice')).toContain(`${ESC}[32mnotice`);
    // Words of older firmware are not part of it: printed, never coloured.
    expect(row('major')).not.toContain(ESC);
    expect(row('minor')).not.toContain(ESC);
  });

  it('decides colour from the TTY and NO_COLOR', () => {
    expect(useColor({ isTTY: false }, {})).toBe(false);
    expect(useColor({}, {})).toBe(false);
    expect(useColor({ isTTY: true }, {})).toBe(true);
    expect(useColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
  });

  it('strips control characters from daemon text (no ANSI injection on the console)', () => {
    expect(clean(`evil${ESC}[2Jtext\r\n`)).toBe('evil?[2Jtext??');
    const log = [{ ts: NOW, severity: 'error', source: 'x', code: 'C', message: `a${ESC}[31mb` }];
    expect(formatData('log', log, plain)).not.toContain(ESC);
    const r = report();
    const evil = {
      ...r,
      alarms: [{ ...(r.alarms[0] as object), children: [{ subject: `s${ESC}[2J`, message: 'm' }] }],
    };
    expect(formatData('status', evil, plain)).not.toContain(ESC);
  });

  it('prints alarms as a table with each root alarm’s children indented under it', () => {
    const alarms = [
      {
        id: 3,
        severity: 'critical',
        code: 'PEER_DEAD',
        subject: 'B',
        raisedAt: NOW,
        count: 2,
        acknowledgedAt: null,
        acknowledgedBy: null,
        message: 'Peer B is dead',
        children: [
          { subject: 'serial', message: 'silent for 3.0 s' },
          { subject: '', message: 'no witness slot' },
        ],
      },
      {
        id: 4,
        severity: 'warning',
        code: 'MQTT_DOWN',
        subject: 'noc:1883',
        raisedAt: NOW,
        count: 1,
        acknowledgedAt: null,
        acknowledgedBy: null,
        message: 'Cannot reach the NOC broker',
        children: [],
      },
    ];
    const lines = formatData('alarms', { alarms }, plain).split('\n');
    const codeAt = (lines[0] ?? '').indexOf('CODE');
    expect(lines[1]).toMatch(
      /^3\s+critical\s+PEER_DEAD\s+B\s+2026-11-05 12:00:00Z\s+2\s+no\s+Peer B is dead$/,
    );
    expect(lines[2]).toBe(`${' '.repeat(codeAt)}\\_ serial: silent for 3.0 s`);
    expect(lines[3]).toBe(`${' '.repeat(codeAt)}\\_ no witness slot`);
    expect(lines[4]).toMatch(/^4\s+warning\s+MQTT_DOWN\s+noc:1883/);
    expect(lines).toHaveLength(5);
  });

  it('prints log events as a table', () => {
    const events = [
      { ts: NOW, severity: 'warning', source: 'cluster', code: 'PATH_LATE', message: 'serial late' },
    ];
    expect(formatData('log', events, plain)).toMatch(
      /^2026-11-05 12:00:00Z\s+warning\s+cluster\s+PATH_LATE\s+serial late$/m,
    );
  });

  it('follows the log: the header once, then rows oldest first in columns that only widen', () => {
    const f = new LogFollower(false);
    const e = (id: number, source: string) => ({
      id,
      ts: NOW + id * 1000,
      severity: 'info',
      source,
      code: 'C',
      message: `m${id}`,
    });
    const first = f.lines([e(2, 'x'), e(1, 'x')]);
    expect(first[0]).toMatch(/^TIME\s+SEVERITY\s+SOURCE\s+CODE\s+MESSAGE$/);
    expect(first.slice(1)).toEqual([
      '2026-11-05 12:00:01Z  info      x       C     m1',
      '2026-11-05 12:00:02Z  info      x       C     m2',
    ]);
    expect(f.lines([])).toEqual([]);
    expect(f.lines([e(3, 'resource:db/fs')])).toEqual([
      '2026-11-05 12:00:03Z  info      resource:db/fs  C     m3',
    ]);
    expect(f.lines([e(4, 'x')])).toEqual(['2026-11-05 12:00:04Z  info      x               C     m4']);
  });

  it('falls back to a generic view for unknown shapes, in words rather than JSON', () => {
    expect(formatData('pr', { generation: 5, holder: 'A' }, plain)).toBe('generation:  5\nholder:      A');
    expect(formatData('pr', [{ key: '0xa', type: 'WEAR' }], plain)).toBe('KEY  TYPE\n0xa  WEAR');
    expect(formatData('maintenance', null, plain)).toBe('ok');
    expect(
      formatData(
        'switchover',
        { from: 'active', to: 'releasing', actions: ['stop-groups', 'raise-alarm'], x: { a: 1, b: [] } },
        plain,
      ),
    ).toBe('from:     active\nto:       releasing\nactions:  stop-groups, raise-alarm\nx:        a: 1, b: -');
  });
});
