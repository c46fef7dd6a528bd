// Past alarms read back from the event log: the raise, acknowledgement and
// clear events of each alarm joined by alarm id, newest clear first, and
// anything that is not an alarm event (or is malformed) left out.
import { describe, expect, it } from 'vitest';
import type { JsonValue, LoggedEvent } from '../../../firmware/events/types.ts';
import { pastAlarms } from '../../../firmware/web/client/alarm-history.ts';

let nextId = 1;
const ev = (ts: number, code: string, message: string, data: JsonValue): LoggedEvent => ({
  id: nextId++,
  ts,
  monoMs: ts,
  severity: 'notice',
  source: 'cluster',
  code,
  message,
  data,
});
const alarm = (alarmId: number, action: string) => ({
  alarmId,
  action,
  subject: 'serial',
  severity: 'warning',
  count: 1,
});

describe('past alarms from the event log', () => {
  it('joins raise, acknowledgement and clear by alarm id, newest clear first', () => {
    const events = [
      ev(400, 'HB_PATH_DOWN', 'Alarm cleared: Heartbeat path serial is down', alarm(1, 'clear')),
      ev(350, 'PEER_DEAD', 'Alarm cleared: Peer B is dead', { ...alarm(2, 'clear'), severity: 'critical' }),
      ev(
        300,
        'HB_PATH_DOWN',
        'Alarm acknowledged by ann: Heartbeat path serial is down',
        alarm(1, 'acknowledge'),
      ),
      ev(200, 'PEER_DEAD', 'ALARM: Peer B is dead', alarm(2, 'raise')),
      ev(100, 'HB_PATH_DOWN', 'ALARM: Heartbeat path serial is down', alarm(1, 'raise')),
      ev(90, 'HB_PATH_DOWN', 'ALARM: still active', alarm(3, 'raise')),
    ];
    expect(pastAlarms(events)).toEqual([
      {
        alarmId: 1,
        code: 'HB_PATH_DOWN',
        subject: 'serial',
        severity: 'warning',
        message: 'Heartbeat path serial is down',
        raisedAt: 100,
        clearedAt: 400,
        acknowledgedBy: 'ann',
      },
      {
        alarmId: 2,
        code: 'PEER_DEAD',
        subject: 'serial',
        severity: 'critical',
        message: 'Peer B is dead',
        raisedAt: 200,
        clearedAt: 350,
        acknowledgedBy: null,
      },
    ]);
    expect(pastAlarms(events, 1)).toHaveLength(1);
  });

  it('leaves out other events and malformed data', () => {
    const events = [
      ev(10, 'X', 'Alarm cleared: no id', { action: 'clear' }),
      ev(11, 'X', 'Alarm cleared: bad id', { alarmId: 'one', action: 'clear' }),
      ev(12, 'X', 'an alarm word in text', null),
      ev(13, 'X', 'Alarm cleared: list', [1, 2]),
      ev(14, 'Y', 'Alarm cleared: raised long ago', { alarmId: 9, action: 'clear', subject: 5 }),
    ];
    expect(pastAlarms(events)).toEqual([
      {
        alarmId: 9,
        code: 'Y',
        subject: '',
        severity: 'notice',
        message: 'raised long ago',
        raisedAt: null,
        clearedAt: 14,
        acknowledgedBy: null,
      },
    ]);
  });
});
