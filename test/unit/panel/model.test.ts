// The panel's behaviour: alerts pre-empt and give way, the idle timeout, what
// Enter and Mute ask for, and what a typical status change costs on the bus.
import { describe, expect, it } from 'vitest';
import { LCD_16X2, LCD_20X4 } from '../../../hal/lcd/lcd.ts';
import { changedRuns } from '../../../hal/lcd/screen.ts';
import { IDLE_TIMEOUT_MS, PanelModel } from '../../../firmware/panel/model.ts';
import { ALARM_MQTT, ALARM_PATH, status } from './fixture.ts';

const ACKED = { ...ALARM_PATH, acknowledgedAt: 5 };

describe('alert screen', () => {
  it('a new error alarm pre-empts an info screen; Enter acknowledges it and the screen returns', () => {
    const m = new PanelModel(0);
    m.update(status(), 0);
    m.key('down', 10); // paths
    m.update(status({ alarms: [ALARM_PATH] }), 20);
    expect(m.screen()).toBe('alert');
    expect(m.ackTarget()).toBe(7);
    expect(m.key('down', 30)).toEqual([]); // Up/Down do not leave an alert
    expect(m.screen()).toBe('alert');
    expect(m.key('enter', 40)).toEqual([{ kind: 'ack', alarmId: 7 }]);
    expect(m.screen()).toBe('paths');
    // The same alarm in the next snapshot (the ack not yet applied) does not alert again.
    m.update(status({ alarms: [ALARM_PATH] }), 50);
    expect(m.screen()).toBe('paths');
  });

  it('an alert leaves when its cause clears, and alerts again when it comes back', () => {
    const m = new PanelModel(0);
    m.update(status({ alarms: [ALARM_PATH] }), 0);
    expect(m.screen()).toBe('alert');
    m.update(status({ alarms: [ACKED] }), 10); // acknowledged elsewhere (tandemctl, MQTT)
    expect(m.screen()).toBe('summary');
    m.update(status(), 20); // cleared
    m.update(status({ alarms: [ALARM_PATH] }), 30);
    expect(m.screen()).toBe('alert');
  });

  it('warnings and notices do not alert; they are on the alarms pages', () => {
    const m = new PanelModel(0);
    m.update(status({ alarms: [ALARM_MQTT] }), 0);
    expect(m.screen()).toBe('summary');
  });

  it('a newer cause pre-empts the one on show; acknowledging it shows the older one again', () => {
    const m = new PanelModel(0);
    m.update(status({ alarms: [ALARM_PATH] }), 0);
    const dead = {
      ...ALARM_PATH,
      id: 8,
      code: 'PEER_DEAD' as const,
      severity: 'critical' as const,
      message: 'B dead',
    };
    m.update(status({ alarms: [dead, ALARM_PATH] }), 10);
    expect(m.ackTarget()).toBe(8);
    expect(m.frame(LCD_20X4).lines()[3]).toBe('Enter: acknowledge +1'.slice(0, 20));
    expect(m.key('enter', 20)).toEqual([{ kind: 'ack', alarmId: 8 }]);
    expect(m.screen()).toBe('alert');
    expect(m.ackTarget()).toBe(7);
  });

  it('a takeover in progress alerts (fencing and taking-over are one cause); Enter only hides it', () => {
    const m = new PanelModel(0);
    m.update(status({ state: 'standby' }), 0);
    m.update(status({ state: 'fencing', stateText: 'Fencing: cutting the peer off the shared disks' }), 10);
    expect(m.screen()).toBe('alert');
    expect(m.frame(LCD_20X4).lines()).toEqual([
      '! A TAKING OVER     ',
      'Fencing: cutting the',
      'Wait: the peer is be',
      'Enter: hide         ',
    ]);
    expect(m.ackTarget()).toBeNull();
    m.update(status({ state: 'taking-over' }), 20);
    expect(m.key('enter', 30)).toEqual([]);
    expect(m.screen()).toBe('summary');
    m.update(status({ state: 'taking-over' }), 40);
    expect(m.screen()).toBe('summary'); // hidden until the cause ends and comes back
    m.update(status({ state: 'active' }), 50);
    m.update(status({ state: 'fencing' }), 60);
    expect(m.screen()).toBe('alert');
  });

  it('a self-fence alerts over everything else that arrives with it', () => {
    const m = new PanelModel(0);
    m.update(status({ state: 'self-fenced', stateText: 'Self-fenced', alarms: [ALARM_PATH] }), 0);
    expect(m.frame(LCD_16X2).lines()[0]).toBe('! A SELF-FENCED ');
  });
});

describe('keys and the idle timeout', () => {
  it('after 60 s without a key: back to the summary, backlight dim; a key wakes it', () => {
    const m = new PanelModel(0);
    m.update(status(), 0);
    m.key('up', 1_000); // version
    m.tick(1_000 + IDLE_TIMEOUT_MS - 1);
    expect([m.screen(), m.backlight()]).toEqual(['version', 'on']);
    m.tick(1_000 + IDLE_TIMEOUT_MS);
    expect([m.screen(), m.backlight()]).toEqual(['summary', 'dim']);
    m.key('down', 70_000);
    expect([m.screen(), m.backlight()]).toEqual(['paths', 'on']);
  });

  it('an alert lights the backlight while it shows, even when idle', () => {
    const m = new PanelModel(0);
    m.update(status(), 0);
    m.tick(IDLE_TIMEOUT_MS);
    expect(m.backlight()).toBe('dim');
    m.update(status({ alarms: [ALARM_PATH] }), IDLE_TIMEOUT_MS + 1);
    expect(m.backlight()).toBe('on');
  });

  it('Enter on an alarms page yields the ack of the alarm shown, nothing for an acknowledged one', () => {
    const m = new PanelModel(0);
    m.update(status({ alarms: [ACKED, ALARM_MQTT] }), 0);
    m.key('down', 0);
    m.key('down', 0); // alarm 1/2, acknowledged
    expect(m.ackTarget()).toBeNull();
    expect(m.key('enter', 0)).toEqual([]);
    m.key('down', 0); // alarm 2/2
    expect(m.ackTarget()).toBe(9);
    expect(m.key('enter', 0)).toEqual([{ kind: 'ack', alarmId: 9 }]);
    expect(m.screen()).toBe('alarms'); // it stays until the status says acknowledged
  });

  it('Enter on other info screens does nothing; Mute always asks to mute', () => {
    const m = new PanelModel(0);
    m.update(status({ alarms: [ALARM_PATH] }), 0);
    expect(m.key('mute', 0)).toEqual([{ kind: 'mute' }]);
    expect(m.screen()).toBe('alert'); // muting silences, it does not acknowledge
    m.key('enter', 0);
    expect(m.key('enter', 0)).toEqual([]);
  });
});

describe('bus cost of a typical change', () => {
  /** Bus writes of a set of runs: 6 + 4n each (docs/panel.md, hal/lcd/pcf8574.ts). */
  const writes = (runs: { codes: Uint8Array }[]) => runs.reduce((sum, r) => sum + 6 + 4 * r.codes.length, 0);

  // A full redraw by the same formula is 332 on a 20x4 (two runs of 40); the
  // driver sends 331, as its first run needs no RS change (docs/panel.md).
  it('peer alive -> dead on the summary is one run of 5 cells: 26 bus writes, 7.8 % of a 20x4 redraw', () => {
    for (const [size, cells, cost, full] of [
      [LCD_20X4, 5, 26, 332],
      [LCD_16X2, 5, 26, 140],
    ] as const) {
      const m = new PanelModel(0);
      m.update(status(), 0);
      const before = m.frame(size);
      m.update(status({ peer: { ...status().peer, state: 'dead' } }), 1_000);
      const after = m.frame(size);
      const runs = changedRuns(before.cells, after.cells, size);
      expect(runs.length).toBe(1);
      expect(runs[0]!.codes.length).toBe(cells);
      expect(writes(runs)).toBe(cost);
      expect(writes(changedRuns(null, after.cells, size))).toBe(full);
      expect(writes(runs) / full).toBeLessThanOrEqual(0.2); // 7.8 % at 20x4, 18.6 % at 16x2 (fewer cells to redraw);
    }
  });
});
