// Button edges to key presses on fake time: Up/Down/Mute act on press, Enter
// on release unless held 3 s (a hold), a button held past 30 s is stuck,
// ignored until released, and both are reported.
import { describe, expect, it } from 'vitest';
import { ButtonModel, HOLD_MS, STUCK_MS } from '../../../firmware/panel/buttons.ts';

describe('buttons', () => {
  it('Up, Down and Mute act when pressed; their release says nothing', () => {
    const b = new ButtonModel();
    expect(b.edge('down', true, 10)).toEqual([{ kind: 'press', key: 'down', atMs: 10 }]);
    expect(b.edge('down', false, 90)).toEqual([]);
    expect(b.edge('mute', true, 100)).toEqual([{ kind: 'press', key: 'mute', atMs: 100 }]);
  });

  it('a short Enter acts on release', () => {
    const b = new ButtonModel();
    expect(b.edge('enter', true, 0)).toEqual([]);
    expect(b.nextDeadlineMs()).toBe(HOLD_MS);
    expect(b.edge('enter', false, 200)).toEqual([{ kind: 'press', key: 'enter', atMs: 200 }]);
    expect(b.nextDeadlineMs()).toBe(Infinity);
  });

  it('Enter held 3 s is a hold, reported when the 3 s are up; its release then does nothing', () => {
    const b = new ButtonModel();
    b.edge('enter', true, 1000);
    expect(b.tick(1000 + HOLD_MS - 1)).toEqual([]);
    expect(b.tick(1000 + HOLD_MS)).toEqual([{ kind: 'hold', key: 'enter', atMs: 1000 + HOLD_MS }]);
    expect(b.tick(1000 + HOLD_MS + 500)).toEqual([]); // once
    expect(b.edge('enter', false, 5000)).toEqual([]);
  });

  it('a hold is found at the release too, when nothing ticked meanwhile', () => {
    const b = new ButtonModel();
    b.edge('enter', true, 0);
    expect(b.edge('enter', false, 3500)).toEqual([{ kind: 'hold', key: 'enter', atMs: HOLD_MS }]);
  });

  it('a button held more than 30 s is stuck: reported once, ignored, and its release reported', () => {
    const b = new ButtonModel();
    expect(b.edge('up', true, 0)).toHaveLength(1);
    expect(b.nextDeadlineMs()).toBe(STUCK_MS + 1);
    expect(b.tick(STUCK_MS)).toEqual([]); // exactly 30 s is not "more than"
    expect(b.tick(STUCK_MS + 1)).toEqual([{ kind: 'stuck', key: 'up', atMs: STUCK_MS + 1 }]);
    expect(b.stuck()).toEqual(['up']);
    expect(b.tick(60_000)).toEqual([]);
    expect(b.edge('up', true, 61_000)).toEqual([]); // ignored while stuck
    expect(b.edge('up', false, 62_000)).toEqual([{ kind: 'unstuck', key: 'up', atMs: 62_000 }]);
    expect(b.stuck()).toEqual([]);
    expect(b.edge('up', true, 63_000)).toEqual([{ kind: 'press', key: 'up', atMs: 63_000 }]);
  });

  it('a stuck Enter: the hold, then stuck; no press when it lets go', () => {
    const b = new ButtonModel();
    b.edge('enter', true, 0);
    expect(b.tick(40_000).map((e) => e.kind)).toEqual(['hold', 'stuck']);
    expect(b.edge('enter', false, 41_000)).toEqual([{ kind: 'unstuck', key: 'enter', atMs: 41_000 }]);
  });

  it('other buttons work while one is stuck', () => {
    const b = new ButtonModel();
    b.edge('mute', true, 0);
    b.tick(STUCK_MS + 1);
    expect(b.edge('down', true, 40_000)).toEqual([{ kind: 'press', key: 'down', atMs: 40_000 }]);
  });

  it('a release without a press, or a second press, is ignored (events lost, a button held at start)', () => {
    const b = new ButtonModel();
    expect(b.edge('enter', false, 0)).toEqual([]);
    b.edge('down', true, 10);
    expect(b.edge('down', true, 20)).toEqual([]);
  });
});
