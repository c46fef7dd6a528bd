import { describe, expect, it } from 'vitest';
import { clean, formatData, table, useColor } from '../../../firmware/console/format.ts';
import { TelemetryBox } from '../../lab/fixtures/telemetry-box.ts';

const NOW = Date.UTC(2026, 10, 5, 12, 0, 0);
const ESC = '\u001b';

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

  it('prints status as a block, a paths table and a groups table, without colour off a TTY', () => {
    const text = formatData('status', box.current(), { color: false, nowMs: NOW });
    expect(text).toContain('State:           active');
    // The state's explanation continues the State line, with no key of its own.
    expect(text).toMatch(/^State:\s+active\n {17}\S/m);
    expect(text).not.toMatch(/^:/m);
    expect(text).toContain('Since:           2026-11-05 11:59:30Z (30 s ago)');
    expect(text).toMatch(/^PATH\s+STATE\s+LAST HEARD\s+ONE-WAY$/m);
    expect(text).toMatch(/^disk\s+late\s+5\.2 s ago\s+no$/m);
    expect(text).toMatch(/^GROUP\s+PREFERRED\s+OWNER\s+STATE\s+FAILED ON$/m);
    expect(text).toMatch(/^db\s+A\s+A\s+running\s+-$/m);
    expect(text).not.toContain(ESC);
  });

  it('colours state words only when asked', () => {
    const text = formatData('groups', box.current().groups, { color: true, nowMs: NOW });
    expect(text).toContain(`${ESC}[32mrunning${ESC}[0m`);
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
    expect(formatData('log', log, { color: false, nowMs: NOW })).not.toContain(ESC);
  });

  it('prints alarms and log events as tables', () => {
    const alarms = [
      {
        id: 3,
        severity: 'major',
        code: 'PEER_DEAD',
        subject: 'B',
        raisedAt: NOW,
        count: 2,
        acknowledgedAt: null,
        acknowledgedBy: null,
        message: 'Peer B is dead',
      },
    ];
    expect(formatData('alarms', alarms, { color: false, nowMs: NOW })).toMatch(
      /^3\s+major\s+PEER_DEAD\s+B\s+2026-11-05 12:00:00Z\s+2\s+no\s+Peer B is dead$/m,
    );
    const events = [
      { ts: NOW, severity: 'warning', source: 'cluster', code: 'PATH_LATE', message: 'serial late' },
    ];
    expect(formatData('log', events, { color: false, nowMs: NOW })).toMatch(
      /^2026-11-05 12:00:00Z\s+warning\s+cluster\s+PATH_LATE\s+serial late$/m,
    );
  });

  it('falls back to a generic view for unknown shapes', () => {
    expect(formatData('pr', { generation: 5, holder: 'A' }, { color: false, nowMs: NOW })).toBe(
      'generation:  5\nholder:      A',
    );
    expect(formatData('pr', [{ key: '0xa', type: 'WEAR' }], { color: false, nowMs: NOW })).toBe(
      'KEY  TYPE\n0xa  WEAR',
    );
    expect(formatData('maintenance', null, { color: false, nowMs: NOW })).toBe('ok');
  });
});
