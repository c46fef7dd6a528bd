// The panel put together on fake time, over the simulated HD44780 (what the
// test reads is the display memory, not the panel's idea of it): a report
// shows the summary; the daemon's Last Will shows "firmware down"; the broker
// lost shows "status unavailable since"; a hostile report is refused and the
// last good status stays; an LCD that stops answering is reported once and
// comes back after its backoff; a cell corrupted behind its back heals at
// the next full rewrite.
import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import { SimPcf8574Hd44780 } from '../../../hal/i2c/hd44780.ts';
import { SimI2cBus } from '../../../hal/i2c/sim.ts';
import { LCD_20X4 } from '../../../hal/lcd/lcd.ts';
import { Pcf8574Lcd } from '../../../hal/lcd/pcf8574.ts';
import { Frame } from '../../../hal/lcd/screen.ts';
import { PanelDisplay } from '../../../firmware/panel/display.ts';
import { Panel } from '../../../firmware/panel/panel.ts';
import { parseReport, type CheckedReport } from '../../../firmware/status/report-check.ts';
import type { PanelAction } from '../../../firmware/panel/types.ts';
import { status } from './fixture.ts';

function report(overrides: Partial<CheckedReport> = {}): CheckedReport {
  return { ...status(), takeover: [{ by: 'A', from: 'B', possible: true, why: [] }], ...overrides };
}

function setup() {
  const clock = new SimClock();
  const bus = new SimI2cBus({ clock });
  const hd = new SimPcf8574Hd44780(clock, LCD_20X4);
  bus.attach(0x27, hd);
  const lcd = new Pcf8574Lcd({ bus, clock, geometry: LCD_20X4 });
  const faults: (string | null)[] = [];
  const display = new PanelDisplay({ lcd, clock, onFault: (d) => faults.push(d) });
  const sent: PanelAction[] = [];
  const logs: string[] = [];
  const panel = new Panel({
    controller: 'A',
    clock,
    geometry: LCD_20X4,
    display,
    io: null,
    send: (a) => {
      sent.push(a);
      return Promise.resolve(null);
    },
    log: (l) => logs.push(l),
  });
  panel.start();
  return { clock, bus, hd, panel, faults, sent, logs };
}

const text = (hd: SimPcf8574Hd44780): string => hd.lines().join('\n');

describe('the panel process core', () => {
  it('waits for a status, shows the summary, then says when the firmware is down', async () => {
    const { clock, hd, panel } = setup();
    await clock.advance(300);
    expect(text(hd)).toMatch(/waiting for status/);
    panel.onFeed({ kind: 'broker', connected: true, sinceWallMs: clock.wallMs() });
    panel.onFeed({ kind: 'availability', online: true });
    panel.onFeed({ kind: 'report', report: report() });
    await clock.advance(300);
    expect(text(hd)).toMatch(/box-7/);
    panel.onFeed({ kind: 'availability', online: false });
    await clock.advance(300);
    expect(text(hd)).toMatch(/FIRMWARE DOWN \(A\)/);
    expect(text(hd)).toMatch(/since \d\d:\d\d UTC/);
    // The daemon back: its retained report again, online.
    panel.onFeed({ kind: 'availability', online: true });
    await clock.advance(300);
    expect(text(hd)).toMatch(/box-7/);
  });

  it('shows "status unavailable since" while the broker is out of reach, never the stale status', async () => {
    const { clock, hd, panel } = setup();
    panel.onFeed({ kind: 'broker', connected: true, sinceWallMs: clock.wallMs() });
    panel.onFeed({ kind: 'report', report: report() });
    await clock.advance(300);
    panel.onFeed({ kind: 'broker', connected: false, sinceWallMs: Date.UTC(2026, 11, 2, 7, 42) });
    await clock.advance(300);
    expect(text(hd)).toMatch(/STATUS UNAVAILABLE/);
    expect(text(hd)).toMatch(/since 07:42 UTC/);
    expect(text(hd)).not.toMatch(/box-7/);
  });

  it('refuses hostile reports with the reason and keeps the last good one', () => {
    const good = Buffer.from(JSON.stringify(report()));
    expect(parseReport(good).ok).toBe(true);
    const bad = [
      Buffer.from('['.repeat(5000)),
      Buffer.alloc(400 * 1024, 0x20),
      Buffer.from('{"boxId":1}'),
      Buffer.from(JSON.stringify({ ...report(), state: 'rebooting' })),
      Buffer.from(JSON.stringify({ ...report(), alarms: [{ id: 'x' }] })),
      Buffer.from(JSON.stringify({ ...report(), takeover: 'yes' })),
    ];
    for (const b of bad) {
      const r = parseReport(b);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatch(/^report: /);
    }
  });

  it('an LCD that stops answering is reported once, retried with backoff, and redrawn when back', async () => {
    const { clock, bus, hd, panel, faults } = setup();
    panel.onFeed({ kind: 'broker', connected: true, sinceWallMs: clock.wallMs() });
    panel.onFeed({ kind: 'report', report: report() });
    await clock.advance(300);
    bus.detach(0x27);
    panel.onFeed({ kind: 'report', report: report({ state: 'standby' }) });
    await clock.advance(5000);
    expect(faults).toHaveLength(1);
    expect(faults[0]).toMatch(/lcd 20x4 on sim-i2c at 0x27/);
    bus.attach(0x27, hd);
    await clock.advance(40_000);
    expect(faults).toEqual([faults[0], null]);
    expect(text(hd)).toMatch(/box-7/);
  });

  it('rewrites the whole display every minute, so a cell corrupted on the cable heals', async () => {
    const clock = new SimClock();
    const bus = new SimI2cBus({ clock });
    const hd = new SimPcf8574Hd44780(clock, LCD_20X4);
    bus.attach(0x27, hd);
    const display = new PanelDisplay({
      lcd: new Pcf8574Lcd({ bus, clock, geometry: LCD_20X4 }),
      clock,
      onFault: () => undefined,
    });
    const frame = new Frame(LCD_20X4).text(0, 0, 'steady text');
    clock.every(250, () => display.show(frame, 'on'));
    await clock.advance(1000);
    expect(hd.lines()).toEqual(frame.lines());
    hd.corrupt(0x00, 0x23);
    await clock.advance(30_000);
    expect(hd.lines()[0]).toBe('#teady text         ');
    await clock.advance(31_000);
    expect(hd.lines()).toEqual(frame.lines());
  });
});
