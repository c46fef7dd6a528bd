// The switchover from the panel: Enter on the summary opens the menu, Enter
// on a group opens a confirmation naming it and the target, and only Enter
// held there asks for the switchover. Nothing else does.
import { describe, expect, it } from 'vitest';
import { LCD_16X2, LCD_20X4 } from '../../../hal/lcd/lcd.ts';
import { IDLE_TIMEOUT_MS, PanelModel } from '../../../firmware/panel/model.ts';
import { ALARM_PATH, status } from './fixture.ts';

/** The fixture (A runs pg, B runs web) with the menu open on pg. */
function inMenu(): PanelModel {
  const m = new PanelModel(0);
  m.update(status(), 0);
  expect(m.key('enter', 0)).toEqual([]);
  return m;
}

describe('switchover from the panel', () => {
  it('Enter on the summary opens the menu: each group, where it runs and where it would go', () => {
    const m = inMenu();
    expect(m.screen()).toBe('switchover');
    expect(m.frame(LCD_20X4).lines()).toEqual([
      'Switchover 1/2      ',
      'pg on A             ',
      'Enter: move to B    ',
      'Up/Down: next       ',
    ]);
    expect(m.frame(LCD_16X2).lines()).toEqual(['Switchover 1/2  ', 'pg A>B Enter    ']);
    m.key('down', 0);
    expect(m.frame(LCD_20X4).lines()[1]).toBe('web on B            ');
    m.key('down', 0);
    expect(m.frame(LCD_20X4).lines()[1]).toBe('< back              ');
    m.key('enter', 0);
    expect(m.screen()).toBe('summary');
  });

  it('Enter on a group opens the confirmation naming group and target; a held Enter asks for it', () => {
    const m = inMenu();
    m.key('down', 0); // web, on B
    expect(m.key('enter', 0)).toEqual([]);
    expect(m.screen()).toBe('confirm');
    expect(m.frame(LCD_20X4).lines()).toEqual([
      'Move web to A?      ',
      'now on B            ',
      'Hold Enter 3 s      ',
      'Up/Down: cancel     ',
    ]);
    expect(m.frame(LCD_16X2).lines()).toEqual(['Move web to A?  ', 'Hold Enter 3 s  ']);
    expect(m.key('enter', 100)).toEqual([]); // a short Enter is not enough
    expect(m.screen()).toBe('confirm');
    expect(m.holdEnter(3100)).toEqual([{ kind: 'switchover', group: 'web', to: 'A' }]);
    expect(m.screen()).toBe('summary');
  });

  it('a held Enter anywhere else asks for nothing', () => {
    const m = new PanelModel(0);
    m.update(status(), 0);
    expect(m.holdEnter(3000)).toEqual([]);
    m.key('enter', 0); // the menu
    expect(m.holdEnter(3000)).toEqual([]);
    m.update(status({ alarms: [ALARM_PATH] }), 10);
    expect(m.holdEnter(4000)).toEqual([]); // an alert
  });

  it('Up or Down cancels the confirmation; Mute still mutes and cancels nothing', () => {
    const m = inMenu();
    m.key('enter', 0);
    expect(m.key('mute', 0)).toEqual([{ kind: 'mute' }]);
    expect(m.screen()).toBe('confirm');
    m.key('up', 0);
    expect(m.screen()).toBe('switchover');
    expect(m.holdEnter(3000)).toEqual([]);
  });

  it('a new alert, the idle timeout, or the group moving meanwhile withdraws the confirmation', () => {
    const alerted = inMenu();
    alerted.key('enter', 0);
    alerted.update(status({ alarms: [ALARM_PATH] }), 10);
    alerted.key('enter', 20); // acknowledges and hides the alert
    expect(alerted.screen()).toBe('summary');
    expect(alerted.holdEnter(3020)).toEqual([]);

    const idle = inMenu();
    idle.key('enter', 0);
    idle.tick(IDLE_TIMEOUT_MS);
    expect([idle.screen(), idle.holdEnter(IDLE_TIMEOUT_MS + 1)]).toEqual(['summary', []]);

    const moved = inMenu();
    moved.key('enter', 0); // pg: A -> B
    const groups = status().groups.map((g) => (g.name === 'pg' ? { ...g, owner: 'B' as const } : g));
    moved.update(status({ groups }), 10);
    expect(moved.screen()).toBe('switchover');
    expect(moved.holdEnter(3010)).toEqual([]);
  });

  it('a group that runs nowhere, or a peer not alive, is not offered', () => {
    const groups = status().groups.map((g) => (g.name === 'pg' ? { ...g, owner: null } : g));
    const m = new PanelModel(0);
    m.update(status({ groups }), 0);
    m.key('enter', 0);
    expect(m.frame(LCD_20X4).lines().slice(1, 3)).toEqual(['pg: runs nowhere    ', 'not offered         ']);
    m.key('enter', 0);
    expect(m.screen()).toBe('switchover');

    const lonely = new PanelModel(0);
    lonely.update(status({ peer: { ...status().peer, state: 'dead' } }), 0);
    lonely.key('enter', 0);
    expect(lonely.frame(LCD_20X4).lines()[1]).toBe('pg: B not alive     ');
    lonely.key('enter', 0);
    expect(lonely.screen()).toBe('switchover');
  });
});
