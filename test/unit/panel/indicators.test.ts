// The buzzer and LEDs on fake time: each pattern sampled at the instants
// that matter, mute and its re-arming, the one long beep of a takeover, the
// status LED by role and outlook, firmware down and unknown.
import { describe, expect, it } from 'vitest';
import {
  IndicatorModel,
  canTakeOverNow,
  type FirmwareView,
  type IndicatorStatus,
  type Indicators,
} from '../../../firmware/panel/indicators.ts';
import { BLINK, CRITICAL_BEEP, MAJOR_BEEPS, isOn, nextEdgeMs } from '../../../firmware/panel/patterns.ts';
import type { ReportAlarm } from '../../../firmware/status/report-check.ts';
import { ALARM_MQTT, ALARM_PATH, status } from './fixture.ts';

const DEAD: ReportAlarm = {
  ...ALARM_PATH,
  id: 8,
  code: 'PEER_DEAD',
  severity: 'critical',
  message: 'B dead',
};

function up(over: Partial<IndicatorStatus> = {}): FirmwareView {
  const s = status();
  return {
    kind: 'up',
    status: { ...s, muted: false, locate: false, canTakeOver: true, ...over },
  };
}

/** One output sampled at each instant. */
function sample(m: IndicatorModel, output: keyof Indicators, times: readonly number[]): boolean[] {
  return times.map((t) => m.at(t)[output]);
}

describe('patterns', () => {
  it('are on from their anchor and say when they next switch', () => {
    expect([0, 999, 1000, 1999, 2000].map((t) => isOn(CRITICAL_BEEP, 0, t))).toEqual([
      true,
      true,
      false,
      false,
      true,
    ]);
    expect(nextEdgeMs(CRITICAL_BEEP, 0, 0)).toBe(1000);
    expect(nextEdgeMs(CRITICAL_BEEP, 0, 1500)).toBe(2000);
    expect(nextEdgeMs(MAJOR_BEEPS, 100, 900)).toBe(10_100);
    expect(nextEdgeMs(BLINK, 0, 250)).toBe(500);
  });
});

describe('buzzer', () => {
  it('critical: 1 s on, 1 s off, from the moment the alarm arrives', () => {
    const m = new IndicatorModel();
    m.update(up(), 0);
    expect(m.at(0).buzzer).toBe(false);
    m.update(up({ alarms: [DEAD] }), 500);
    expect(sample(m, 'buzzer', [500, 1499, 1500, 2499, 2500])).toEqual([true, true, false, false, true]);
    expect(m.nextChangeMs(500)).toBe(1500); // the status and fault LEDs are steady
  });

  it('major (error): three short beeps every 10 s', () => {
    const m = new IndicatorModel();
    m.update(up({ alarms: [ALARM_PATH] }), 0);
    expect(sample(m, 'buzzer', [0, 149, 150, 300, 450, 600, 749, 750, 9999, 10_000])).toEqual([
      true,
      true,
      false,
      true,
      false,
      true,
      true,
      false,
      false,
      true,
    ]);
  });

  it('critical wins over major; warnings, notices and acknowledged alarms never sound', () => {
    const m = new IndicatorModel();
    m.update(up({ alarms: [DEAD, ALARM_PATH] }), 0);
    expect(sample(m, 'buzzer', [500, 1500])).toEqual([true, false]);
    m.update(up({ alarms: [ALARM_MQTT, { ...ALARM_PATH, acknowledgedAt: 5 }] }), 3000);
    expect(sample(m, 'buzzer', [3000, 3100, 13_000])).toEqual([false, false, false]);
  });

  it('silent when the cause clears', () => {
    const m = new IndicatorModel();
    m.update(up({ alarms: [DEAD] }), 0);
    m.update(up(), 200);
    expect(m.at(200).buzzer).toBe(false);
  });

  it('silent while muted; a new alarm (the daemon unmutes) sounds again at once', () => {
    const m = new IndicatorModel();
    m.update(up({ alarms: [ALARM_PATH] }), 0);
    m.update(up({ alarms: [ALARM_PATH], muted: true }), 100);
    expect(sample(m, 'buzzer', [100, 10_000, 20_000])).toEqual([false, false, false]);
    m.update(up({ alarms: [DEAD, ALARM_PATH], muted: false }), 25_000);
    expect(sample(m, 'buzzer', [25_000, 26_000])).toEqual([true, false]);
  });

  it('a takeover: one long beep (1.5 s) once, over any pattern; not for the takeover a late panel finds', () => {
    const m = new IndicatorModel();
    const before = status().lastTakeover;
    m.update(up(), 0); // the first status: its takeover is old news
    expect(m.at(0).buzzer).toBe(false);
    const next = { at: (before?.at ?? 0) + 60_000, by: 'A' as const, reason: 'peer B dead' };
    m.update(up({ lastTakeover: next }), 1000);
    expect(sample(m, 'buzzer', [1000, 2499, 2500])).toEqual([true, true, false]);
    expect(m.nextChangeMs(1000)).toBe(2500);
    m.update(up({ lastTakeover: next }), 3000); // the same takeover again: no beep
    expect(m.at(3000).buzzer).toBe(false);
  });

  it('Mute during the long beep cuts it', () => {
    const m = new IndicatorModel();
    m.update(up({ lastTakeover: null }), 0);
    const t = { at: 5, by: 'A' as const, reason: 'x' };
    m.update(up({ lastTakeover: t }), 100);
    m.update(up({ lastTakeover: t, muted: true }), 600);
    expect(m.at(700).buzzer).toBe(false);
  });
});

describe('status LED', () => {
  const leds = (view: FirmwareView, t = 0) => {
    const m = new IndicatorModel();
    m.update(view, 0);
    return [m.at(t).statusGreen, m.at(t).statusAmber, m.at(t + 500).statusGreen, m.at(t + 500).statusAmber];
  };

  it('green steady when active', () => {
    expect(leds(up())).toEqual([true, false, true, false]);
  });

  it('amber steady in standby ready to take over, blinking when it could not now', () => {
    expect(leds(up({ state: 'standby', groups: [] }))).toEqual([false, true, false, true]);
    expect(leds(up({ state: 'standby', groups: [], canTakeOver: false }))).toEqual([
      false,
      true,
      false,
      false,
    ]);
    expect(leds(up({ state: 'self-fenced', groups: [], canTakeOver: false }))).toEqual([
      false,
      true,
      false,
      false,
    ]);
  });

  it('green busy (2 Hz) while fencing, taking over or releasing', () => {
    const m = new IndicatorModel();
    m.update(up({ state: 'taking-over' }), 0);
    expect(sample(m, 'statusGreen', [0, 250, 500])).toEqual([true, false, true]);
  });

  it('green while it still runs groups in peer-suspect or maintenance', () => {
    expect(leds(up({ state: 'peer-suspect' }))[0]).toBe(true);
    expect(leds(up({ state: 'peer-suspect', groups: [] }))[1]).toBe(true);
  });

  it('off when the firmware is down or unknown', () => {
    expect(leds({ kind: 'down' })).toEqual([false, false, false, false]);
    expect(leds({ kind: 'unknown' })).toEqual([false, false, false, false]);
  });

  it('reads "could take over" from the status outlook of this controller', () => {
    const takeover = [
      { by: 'A' as const, from: 'B' as const, possible: false, why: ['A cannot reach the shared disk'] },
      { by: 'B' as const, from: 'A' as const, possible: true, why: [] },
    ];
    expect(canTakeOverNow(takeover, 'A')).toBe(false);
    expect(canTakeOverNow(takeover, 'B')).toBe(true);
    expect(canTakeOverNow([], 'A')).toBe(false);
  });
});

describe('fault and identify LEDs', () => {
  it('fault: steady for critical, blinking for major, while active even if muted or acknowledged', () => {
    const m = new IndicatorModel();
    m.update(up({ alarms: [{ ...DEAD, acknowledgedAt: 1 }], muted: true }), 0);
    expect(sample(m, 'fault', [0, 500, 1500])).toEqual([true, true, true]);
    m.update(up({ alarms: [ALARM_PATH] }), 2000);
    expect(sample(m, 'fault', [2000, 2500, 3000])).toEqual([true, false, true]);
    m.update(up({ alarms: [ALARM_MQTT] }), 4000);
    expect(m.at(4000).fault).toBe(false);
  });

  it('fault steady and everything else dark when the firmware is down; nothing when unknown', () => {
    const m = new IndicatorModel();
    m.update(up({ alarms: [DEAD], locate: true }), 0);
    m.update({ kind: 'down' }, 100);
    expect(m.at(100)).toEqual({
      buzzer: false,
      statusGreen: false,
      statusAmber: false,
      fault: true,
      identify: false,
    });
    m.update({ kind: 'unknown' }, 200);
    expect(Object.values(m.at(200))).toEqual([false, false, false, false, false]);
    expect(m.nextChangeMs(200)).toBe(Infinity);
  });

  it('identify blinks at 1 Hz while locate is on', () => {
    const m = new IndicatorModel();
    m.update(up({ locate: true }), 0);
    expect(sample(m, 'identify', [0, 499, 500, 1000])).toEqual([true, true, false, true]);
    m.update(up(), 1200);
    expect(m.at(1200).identify).toBe(false);
  });
});
