// Mute and locate beside the alarms: mute silences what sounds now, a new
// alarm that sounds re-arms the buzzer, a repeat or a warning does not;
// locate is a plain switch. Both are logged and followed by listeners.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import { AlarmManager } from '../../../firmware/alarms/alarm-manager.ts';
import type { PanelSignalState } from '../../../firmware/alarms/panel-signals.ts';
import { EventLog } from '../../../firmware/events/event-log.ts';
import { openStateDatabase } from '../../../firmware/events/state-db.ts';
import type { DatabaseSync } from '../../../firmware/events/sqlite.ts';

let dir: string;
let db: DatabaseSync;
let log: EventLog;
let alarms: AlarmManager;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-signals-'));
  db = openStateDatabase(join(dir, 'state.db'));
  const clock = new SimClock();
  log = new EventLog({ db, clock });
  alarms = new AlarmManager({ db, clock, events: log });
});
afterEach(() => {
  log.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('mute', () => {
  it('silences the alarms sounding now and names them', () => {
    const dead = alarms.raise('PEER_DEAD', { subject: 'B', params: { paths: 'all' } });
    alarms.raise('MQTT_DOWN', { subject: 'noc' }); // a warning never sounds
    const r = alarms.mute('panel');
    expect(r).toEqual({ state: { muted: true, locate: false }, silenced: [dead.id] });
    expect(log.query({ code: 'BUZZER_MUTED' })[0]?.message).toBe('Buzzer muted by panel (1 alarm sounding)');
  });

  it('a new critical or error alarm re-arms it; a repeat or a warning does not', () => {
    alarms.raise('HB_PATH_DOWN', { subject: 'serial' });
    alarms.mute('tandemctl');
    alarms.raise('HB_PATH_DOWN', { subject: 'serial' }); // the same condition again
    alarms.raise('MAINTENANCE_MODE', { subject: 'A' }); // a warning
    expect(alarms.signals.snapshot().muted).toBe(true);
    alarms.raise('HB_PATH_DOWN', { subject: 'net' }); // a new error
    expect(alarms.signals.snapshot().muted).toBe(false);
    alarms.mute('tandemctl');
    alarms.raise('DISK_LOST', { params: { reason: 'x' } }); // a new critical
    expect(alarms.signals.snapshot().muted).toBe(false);
  });

  it('stays muted when the cause clears, until the next alarm that sounds', () => {
    alarms.raise('HB_PATH_DOWN', { subject: 'serial' });
    alarms.mute('panel');
    alarms.clear('HB_PATH_DOWN', 'serial');
    expect(alarms.signals.snapshot().muted).toBe(true);
    alarms.raise('HB_PATH_DOWN', { subject: 'serial' }); // cleared, so this one is new
    expect(alarms.signals.snapshot().muted).toBe(false);
  });
});

describe('locate', () => {
  it('switches on and off, logs each, and tells listeners of each change once', () => {
    const seen: PanelSignalState[] = [];
    const stop = alarms.signals.subscribe((s) => seen.push(s));
    expect(alarms.locate(true, 'tech')).toEqual({ muted: false, locate: true });
    alarms.locate(true, 'tech'); // no change: no news
    alarms.mute('panel');
    expect(alarms.locate(false, 'tech')).toEqual({ muted: true, locate: false });
    stop();
    alarms.locate(true, 'tech');
    expect(seen).toEqual([
      { muted: false, locate: true },
      { muted: true, locate: true },
      { muted: true, locate: false },
    ]);
    expect(log.query({ code: 'LOCATE' }).map((e) => e.message)).toEqual([
      'Locate on by tech',
      'Locate off by tech',
      'Locate on by tech',
      'Locate on by tech',
    ]);
  });

  it('a listener that throws does not undo the change', () => {
    alarms.signals.subscribe(() => {
      throw new Error('broken publisher');
    });
    const err = console.error;
    console.error = () => undefined;
    try {
      alarms.locate(true, 'tech');
    } finally {
      console.error = err;
    }
    expect(alarms.signals.snapshot().locate).toBe(true);
  });
});
