// The panel's GPIO through the sim chip (hal/gpio/sim.ts) on virtual time:
// the lines it requests, the buzzer and LEDs following the indicator model's
// patterns, buttons through the debounce to presses, holds and stuck reports.
import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import { SimGpioChip } from '../../../hal/gpio/sim.ts';
import { defaultConfig } from '../../../firmware/config/validate.ts';
import type { ButtonEvent } from '../../../firmware/panel/buttons.ts';
import type { FirmwareView } from '../../../firmware/panel/indicators.ts';
import { PanelGpio, type ButtonEdge } from '../../../firmware/panel/panel-gpio.ts';
import { PanelIo } from '../../../firmware/panel/panel-io.ts';
import { ALARM_PATH, status } from './fixture.ts';

const W = defaultConfig().panel.gpio;

async function setup() {
  const clock = new SimClock();
  const chip = new SimGpioChip({ clock, lines: 64 });
  // Pull-ups: a released button reads high on the reference board.
  for (const k of ['up', 'down', 'enter', 'mute'] as const) chip.drive(W.buttons[k], true);
  const edges: ButtonEdge[] = [];
  const events: ButtonEvent[] = [];
  const errors: Error[] = [];
  let io: PanelIo | null = null;
  const gpio = await PanelGpio.open(chip, W, {
    button: (e) => {
      edges.push(e);
      io?.edge(e);
    },
    error: (e) => errors.push(e),
  });
  io = new PanelIo({
    clock,
    apply: (l) => gpio.apply(l),
    onButton: (e) => events.push(e),
    onError: (e) => errors.push(e),
  });
  /** A press of `ms` with 3 ms of contact bounce at each end. */
  const press = async (offset: number, ms: number) => {
    for (const level of [false, true, false]) {
      chip.drive(offset, level);
      await clock.advance(1);
    }
    await clock.advance(ms);
    for (const level of [true, false, true]) {
      chip.drive(offset, level);
      await clock.advance(1);
    }
    await clock.advance(W.buttons.debounceMs + 5);
  };
  return { clock, chip, gpio, io, edges, events, errors, press };
}

const view = (over: Parameters<typeof status>[0] = {}, muted = false): FirmwareView => ({
  kind: 'up',
  status: { ...status(over), muted, locate: false, canTakeOver: true },
});

describe('panel GPIO on the sim chip', () => {
  it('requests each output off and each button as an input, named for gpioinfo', async () => {
    const { chip } = await setup();
    expect(chip.consumerOf(W.buzzer)).toBe('tandem-panel-buzzer');
    expect(chip.directionOf(W.leds.fault)).toBe('output');
    expect(chip.level(W.leds.statusGreen)).toBe(false);
    expect(chip.consumerOf(W.buttons.enter)).toBe('tandem-panel-enter');
    expect(chip.directionOf(W.buttons.enter)).toBe('input');
  });

  it('a line held elsewhere fails the open and leaves nothing requested', async () => {
    const clock = new SimClock();
    const chip = new SimGpioChip({ clock, lines: 64 });
    chip.holdElsewhere(W.buttons.mute, 'someone');
    await expect(PanelGpio.open(chip, W, { button: () => {}, error: () => {} })).rejects.toThrow();
    expect(chip.consumerOf(W.buzzer)).toBeNull();
    expect(chip.consumerOf(W.buttons.up)).toBeNull();
  });

  it('the buzzer and LEDs follow the patterns on the Clock, with no timer while all is steady', async () => {
    const { clock, chip, io } = await setup();
    io.update(view());
    await clock.advance(0);
    expect(chip.level(W.leds.statusGreen)).toBe(true);
    expect(chip.level(W.buzzer)).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
    io.update(view({ alarms: [ALARM_PATH] })); // major: three short beeps, fault blinking
    const buzz: boolean[] = [];
    for (let t = 0; t < 800; t += 50) {
      await clock.advance(t === 0 ? 0 : 50);
      buzz.push(chip.level(W.buzzer));
    }
    expect(buzz.map((b) => (b ? 'X' : '.')).join('')).toBe('XXX...XXX...XXX.');
    expect(chip.level(W.leds.fault)).toBe(false); // 750 ms: the second half of its 1 Hz blink
    await clock.advance(250);
    expect(chip.level(W.leds.fault)).toBe(true);
    io.update(view({ alarms: [ALARM_PATH] }, true)); // muted
    await clock.advance(10_000);
    expect(chip.level(W.buzzer)).toBe(false);
  });

  it('closing turns everything off and releases the lines', async () => {
    const { clock, chip, gpio, io } = await setup();
    io.update(view({ alarms: [ALARM_PATH] }));
    await clock.advance(0);
    expect(chip.level(W.buzzer)).toBe(true);
    await io.stop();
    await gpio.close();
    expect(chip.level(W.buzzer)).toBe(false);
    expect(chip.consumerOf(W.buzzer)).toBeNull();
    expect(chip.consumerOf(W.buttons.down)).toBeNull();
  });

  it('buttons: the debounce swallows the bounce, active-low is undone, Down acts on press', async () => {
    const { edges, events, press } = await setup();
    await press(W.buttons.down, 100);
    expect(edges.map((e) => [e.key, e.pressed])).toEqual([
      ['down', true],
      ['down', false],
    ]);
    expect(events.map((e) => [e.kind, e.key])).toEqual([['press', 'down']]);
  });

  it('Enter: short is a press on release, held 3 s a hold', async () => {
    const { events, press } = await setup();
    await press(W.buttons.enter, 200);
    expect(events.map((e) => e.kind)).toEqual(['press']);
    await press(W.buttons.enter, 3500);
    expect(events.map((e) => e.kind)).toEqual(['press', 'hold']);
  });

  it('a button held past 30 s is reported stuck, then released', async () => {
    const { clock, chip, io, events } = await setup();
    chip.drive(W.buttons.mute, false);
    await clock.advance(31_000);
    expect(events.map((e) => [e.kind, e.key])).toEqual([
      ['press', 'mute'],
      ['stuck', 'mute'],
    ]);
    expect(io.stuck()).toEqual(['mute']);
    chip.drive(W.buttons.mute, true);
    await clock.advance(50);
    expect(events.at(-1)).toMatchObject({ kind: 'unstuck', key: 'mute' });
  });
});
