// `mute` and `locate` through the registry: operator commands on the alarm
// manager's panel state, shown by `status` as muted and locate.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import { AlarmManager } from '../../../firmware/alarms/alarm-manager.ts';
import { RegistryCommands } from '../../../firmware/commands/dispatch.ts';
import { commandDef } from '../../../firmware/commands/registry.ts';
import { EventLog } from '../../../firmware/events/event-log.ts';
import { openStateDatabase } from '../../../firmware/events/state-db.ts';
import type { DatabaseSync } from '../../../firmware/events/sqlite.ts';
import { fakeContext } from './fake-context.ts';

let dir: string;
let db: DatabaseSync;
let log: EventLog;
let alarms: AlarmManager;
let commands: RegistryCommands;

const run = (command: 'mute' | 'locate' | 'status', args: Record<string, unknown> = {}) =>
  commands.handle({ command, args, transaction: 't' });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-panel-cmd-'));
  db = openStateDatabase(join(dir, 'state.db'));
  const clock = new SimClock();
  log = new EventLog({ db, clock });
  alarms = new AlarmManager({ db, clock, events: log });
  commands = new RegistryCommands({ ...fakeContext(), alarms, events: log, defaultActor: 'tandemctl' });
});
afterEach(() => {
  log.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('mute and locate commands', () => {
  it('are operator commands; locate takes on|off on the command line', () => {
    expect(commandDef('mute').role).toBe('operator');
    expect(commandDef('locate').role).toBe('operator');
    expect(commandDef('locate').cli.positionals?.[0]?.choices).toEqual({ on: true, off: false });
  });

  it('mute answers what it silenced; status says muted until a new alarm sounds', async () => {
    const a = alarms.raise('HB_PATH_DOWN', { subject: 'serial' });
    expect((await run('mute')).data).toEqual({ muted: true, silenced: [a.id] });
    expect(log.query({ code: 'BUZZER_MUTED' })[0]?.message).toContain('by tandemctl');
    expect((await run('status')).data).toMatchObject({ muted: true, locate: false });
    alarms.raise('HB_PATH_DOWN', { subject: 'net' });
    expect((await run('status')).data).toMatchObject({ muted: false });
  });

  it('locate on and off show in status', async () => {
    expect((await run('locate', { on: true, by: 'aisle 4' })).data).toEqual({ locate: true });
    expect(log.query({ code: 'LOCATE' })[0]?.message).toBe('Locate on by aisle 4');
    expect((await run('status')).data).toMatchObject({ muted: false, locate: true });
    await run('locate', { on: false });
    expect((await run('status')).data).toMatchObject({ locate: false });
  });

  it('refuses a missing on, and a viewer', async () => {
    expect((await run('locate')).status).toBe('error');
    const viewer = new RegistryCommands(commands.context, 'viewer');
    const r = await viewer.handle({ command: 'mute', args: {}, transaction: 't' });
    expect(r.status).toBe('error');
  });

  it('a handler without panel state says so; status then says neither', async () => {
    const bare = new RegistryCommands(fakeContext());
    const r = await bare.handle({ command: 'mute', args: {}, transaction: 't' });
    expect(r).toMatchObject({
      status: 'error',
      error: 'command mute: no alarms or panel state on this handler',
    });
    const s = await bare.handle({ command: 'status', args: {}, transaction: 't' });
    expect(s.data).toMatchObject({ muted: false, locate: false });
  });
});
