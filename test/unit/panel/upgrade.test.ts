// A rolling upgrade on the front panel: a line on the summary while it runs,
// the upgrade screen in the rotation (golden frames at 20x4 and 16x2), a
// failed upgrade turned to once and kept until a report without it, and the
// status LED busy on the controller being installed.
import { describe, expect, it } from 'vitest';
import { LCD_16X2, LCD_20X4 } from '../../../hal/lcd/lcd.ts';
import { IDLE_TIMEOUT_MS, PanelModel } from '../../../firmware/panel/model.ts';
import { choosePatterns, type IndicatorStatus } from '../../../firmware/panel/indicators.ts';
import { BUSY, STEADY } from '../../../firmware/panel/patterns.ts';
import type { CheckedUpgrade } from '../../../firmware/status/report-check.ts';
import { status } from './fixture.ts';

function plan(over: Partial<CheckedUpgrade> = {}): CheckedUpgrade {
  return {
    step: 'install-first',
    version: '0.2.0',
    from: '0.1.0',
    first: 'B',
    second: 'A',
    percent: 42,
    detail: ['installing 0.2.0 on B (slot B)', 'then reboot B'],
    startedAt: 1_000,
    updatedAt: 2_000,
    ...over,
  };
}

describe('a running upgrade', () => {
  it('takes the first line of the summary (20x4) and the corner of the 16x2', () => {
    const m = new PanelModel(0);
    m.update(status({ upgrade: plan() }), 0);
    expect(m.frame(LCD_20X4).lines()[0]).toBe('Upg 0.2.0 inst 1 42%');
    expect(m.frame(LCD_16X2).lines()[0]).toBe('A*active upg 42%');
    m.update(status({ upgrade: plan({ step: 'switchover', percent: null }) }), 10);
    expect(m.frame(LCD_20X4).lines()[0]).toBe('Upg 0.2.0     switch');
    expect(m.frame(LCD_16X2).lines()[0]).toBe('A*active upg    ');
    // Done: the summary is as before.
    m.update(status({ upgrade: plan({ step: 'done', percent: null }) }), 20);
    expect(m.frame(LCD_20X4).lines()[0]).toBe('box-7          ctl A');
  });

  it('has its screen after the summary: version, step and percent, the first detail cut, from what', () => {
    const m = new PanelModel(0);
    m.update(status({ upgrade: plan() }), 0);
    m.key('down', 0);
    expect(m.screen()).toBe('upgrade');
    expect(m.frame(LCD_20X4).lines()).toEqual([
      'Upgrade 0.2.0    B>A',
      'install-first    42%',
      'installing 0.2.0 on ',
      'from 0.1.0          ',
    ]);
    expect(m.frame(LCD_16X2).lines()).toEqual(['Upg 0.2.0    42%', 'install-first   ']);
    // The cut detail does not scroll.
    m.tick(30_000);
    expect(m.frame(LCD_20X4).lines()[2]).toBe('installing 0.2.0 on ');
    m.key('down', 30_000);
    expect(m.screen()).toBe('paths');
    m.key('up', 30_000);
    m.key('up', 30_000);
    expect(m.screen()).toBe('summary');
  });

  it('is not in the rotation without an upgrade, nor after one that is done', () => {
    for (const upgrade of [undefined, null, plan({ step: 'done', percent: null })]) {
      const m = new PanelModel(0);
      m.update(status({ upgrade }), 0);
      m.key('down', 0);
      expect(m.screen()).toBe('paths');
    }
  });

  it('leaves the screen for the summary when the upgrade ends', () => {
    const m = new PanelModel(0);
    m.update(status({ upgrade: plan() }), 0);
    m.key('down', 0);
    m.update(status({ upgrade: plan({ step: 'done', percent: null }) }), 10);
    expect(m.screen()).toBe('summary');
  });
});

describe('a failed upgrade', () => {
  const failed = plan({
    step: 'failed',
    percent: null,
    detail: ['B did not come back healthy', 'rolled back'],
  });

  it('is shown once as "Upgrade stopped" with every reason, kept while idle', () => {
    const m = new PanelModel(0);
    m.update(status({ upgrade: plan() }), 0);
    m.update(status({ upgrade: failed }), 100);
    expect(m.screen()).toBe('upgrade');
    expect(m.frame(LCD_20X4).lines()).toEqual([
      'Upgrade stopped     ',
      'to 0.2.0 from 0.1.0 ',
      'B did not come back ',
      'rolled back         ',
    ]);
    expect(m.frame(LCD_16X2).lines()).toEqual(['Upgrade stopped ', 'B did not come b']);
    // The idle timeout returns here, not to the summary.
    m.tick(IDLE_TIMEOUT_MS + 1_000);
    expect(m.screen()).toBe('upgrade');
    // The same plan again in the next report does not turn the panel back once left.
    m.key('down', IDLE_TIMEOUT_MS + 2_000);
    expect(m.screen()).toBe('paths');
    m.update(status({ upgrade: failed }), IDLE_TIMEOUT_MS + 3_000);
    expect(m.screen()).toBe('paths');
    m.tick(3 * IDLE_TIMEOUT_MS);
    expect(m.screen()).toBe('summary');
    // Still in the rotation until a report without it.
    m.key('down', 3 * IDLE_TIMEOUT_MS);
    expect(m.screen()).toBe('upgrade');
    m.update(status({ upgrade: null }), 3 * IDLE_TIMEOUT_MS + 10);
    expect(m.screen()).toBe('summary');
  });

  it('gives way to an alert and to an open switchover menu', () => {
    const m = new PanelModel(0);
    m.update(status(), 0);
    m.key('enter', 0); // the switchover menu
    expect(m.screen()).toBe('switchover');
    m.update(status({ upgrade: failed }), 10);
    expect(m.screen()).toBe('switchover');
    const n = new PanelModel(0);
    n.update(status({ state: 'taking-over', upgrade: failed }), 0);
    expect(n.screen()).toBe('alert');
    n.key('enter', 10); // hide the alert: the upgrade screen is under it
    expect(n.screen()).toBe('upgrade');
  });

  it('an aborted plan stays in the rotation but is not turned to', () => {
    const m = new PanelModel(0);
    m.update(status({ upgrade: plan({ step: 'aborted', percent: null, detail: [] }) }), 0);
    expect(m.screen()).toBe('summary');
    m.key('down', 0);
    expect(m.frame(LCD_20X4).lines().slice(0, 3)).toEqual([
      'Upgrade aborted     ',
      'to 0.2.0 from 0.1.0 ',
      'see the event log   ',
    ]);
  });
});

describe('the status LED during an upgrade', () => {
  const view = (over: Partial<IndicatorStatus>) =>
    choosePatterns({
      kind: 'up',
      status: { ...status(), muted: false, locate: false, canTakeOver: true, ...over },
    });

  it('blinks busy (2 Hz, green) on the controller being installed, and only then', () => {
    // Controller A of the fixture is the second: busy during install-second only.
    expect(view({ state: 'standby', upgrade: plan({ step: 'install-second' }) }).statusGreen).toBe(BUSY);
    expect(view({ state: 'standby', upgrade: plan({ step: 'install-second' }) }).statusAmber).toBeNull();
    expect(view({ upgrade: plan({ step: 'install-first' }) }).statusGreen).toBe(STEADY);
    expect(view({ upgrade: plan({ step: 'switchover' }) }).statusGreen).toBe(STEADY);
    expect(view({ controller: 'B', state: 'standby', upgrade: plan() }).statusGreen).toBe(BUSY);
    expect(view({ upgrade: plan({ step: 'failed' }) }).statusGreen).toBe(STEADY);
    expect(view({ upgrade: null }).statusGreen).toBe(STEADY);
  });
});
