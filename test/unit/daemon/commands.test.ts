// The operator commands through the command registry: alarms, alarm-ack, log
// and the config commands, on a real event log, alarm manager and config
// store. Bad input is refused with an error naming the argument, and changes
// nothing.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import { AlarmManager } from '../../../firmware/alarms/alarm-manager.ts';
import { ConfigManager } from '../../../firmware/config/config-manager.ts';
import { RegistryCommands } from '../../../firmware/commands/dispatch.ts';
import type { CommandName } from '../../../firmware/core/envelope.ts';
import type { ControllerStatus } from '../../../firmware/status/snapshot.ts';
import { EventLog } from '../../../firmware/events/event-log.ts';
import { openStateDatabase } from '../../../firmware/events/state-db.ts';

const KEY = 'ab'.repeat(32);
let dir: string;
let file: string;
let events: EventLog;
let alarms: AlarmManager;
let config: ConfigManager;
let commands: RegistryCommands;

const STATUS = { state: 'active', peer: { paths: [] }, groups: [] } as unknown as ControllerStatus;
/** The controller's part of the context: a snapshot, and no failover host. */
const bare = { status: { current: () => STATUS }, counters: () => ({ sent: 1 }), host: () => undefined };

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-cmd-'));
  mkdirSync(join(dir, 'etc'));
  file = join(dir, 'etc', 'tandem.json');
  writeFileSync(
    file,
    JSON.stringify({ box: { id: 'cmd-box' }, cluster: { key: KEY }, mqtt: { password: 'pw' } }),
  );
  const clock = new SimClock();
  const db = openStateDatabase(':memory:');
  events = new EventLog({ db, clock });
  alarms = new AlarmManager({ db, clock, events });
  config = new ConfigManager({ path: file, lastGoodPath: join(dir, 'last-good.json'), events });
  await config.load();
  commands = new RegistryCommands(bare).with({ alarms, events, config });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const run = (command: CommandName, args: Record<string, unknown> = {}) =>
  commands.handle({ command, args, transaction: 't1' });

describe('operator commands', () => {
  it('status comes from the snapshot; the failover commands need a failover host', async () => {
    // The snapshot and the summary's additions: alarms and the log are there, no failover host.
    expect((await run('status')).data).toMatchObject({ ...STATUS, alarms: [], lastTakeover: null });
    expect((await run('paths')).data).toEqual({ paths: [], counters: { sent: 1 } });
    for (const c of ['groups', 'pr'] as const)
      expect((await run(c)).error).toBe(`command ${c}: this node runs no failover core`);
    expect((await run('switchover', { group: 'db' })).error).toBe(
      'command switchover: this node runs no failover core',
    );
  });

  it('alarms lists the active ones; alarm-ack acknowledges once, naming who', async () => {
    const a = alarms.raise('HB_PATH_DOWN', { subject: 'serial' });
    const list = await run('alarms');
    expect(list).toMatchObject({ status: 'ok', transaction: 't1' });
    expect((list.data as { alarms: { id: number; code: string }[] }).alarms).toEqual([
      expect.objectContaining({ id: a.id, code: 'HB_PATH_DOWN', subject: 'serial' }),
    ]);
    const ack = await run('alarm-ack', { id: a.id, by: 'noc-alice' });
    expect(ack.status).toBe('ok');
    expect(alarms.active()[0]?.acknowledgedBy).toBe('noc-alice');
    const again = await run('alarm-ack', { id: a.id });
    expect(again.status).toBe('error');
    expect(again.error).toMatch(/already acknowledged/);
    expect(await run('alarm-ack', { id: 999 })).toMatchObject({
      status: 'error',
      error: 'alarmId: no alarm 999',
    });
  });

  it('refuses bad arguments by name, and nothing changes', async () => {
    const a = alarms.raise('MQTT_DOWN');
    expect((await run('alarm-ack', { id: -1 })).error).toMatch(/^args\.id: /);
    expect(await run('alarm-ack', { id: a.id, extra: 1 })).toMatchObject({
      error: 'args.extra: unknown argument for alarm-ack',
    });
    expect((await run('log', { severity: 'loud' })).error).toMatch(/^args\.severity: /);
    expect(await run('config-import', {})).toMatchObject({ error: 'args.text: required by config-import' });
    expect(alarms.active()[0]?.acknowledgedAt).toBeNull();
    expect(config.current().configVersion).toBe(0);
  });

  it('log filters by since, minimum severity, source prefix and limit, newest first', async () => {
    events.append({ severity: 'info', source: 'cluster', code: 'X1', message: 'one' });
    events.append({ severity: 'error', source: 'resource:pg', code: 'X2', message: 'two' });
    events.append({ severity: 'warning', source: 'resource:vip', code: 'X3', message: 'three' });
    const codes = async (args: Record<string, unknown>) =>
      ((await run('log', args)).data as { events: { code: string }[] }).events
        .map((e) => e.code)
        .filter((c) => c.startsWith('X'));
    expect(await codes({})).toEqual(['X3', 'X2', 'X1']);
    expect(await codes({ severity: 'warning' })).toEqual(['X3', 'X2']);
    expect(await codes({ source: 'resource:*' })).toEqual(['X3', 'X2']);
    expect(await codes({ source: 'resource:*', limit: 1 })).toEqual(['X3']);
    expect(await codes({ since: Date.now() + 86_400_000 })).toEqual([]);
  });

  it('config-show and config-export hide secrets unless asked; the export imports back', async () => {
    const show = (await run('config-show')).data as { config: { cluster: { key: string } } };
    expect(show.config.cluster.key).toBe('<redacted>');
    const redacted = (await run('config-export')).data as string;
    expect(redacted).toContain('"<redacted>"');
    expect(redacted).not.toContain(KEY);
    // Secrets only over the root-only control socket; any other channel is refused them.
    expect((await run('config-export', { includeSecrets: true })).error).toMatch(
      /^config-export: includeSecrets only through the root-only control socket/,
    );
    const socket = commands.with({ secretsChannel: true });
    const full = (
      await socket.handle({ command: 'config-export', args: { includeSecrets: true }, transaction: 's' })
    ).data as string;
    expect(full).toContain(KEY);
    // A redacted export validates and imports, keeping the secrets in force.
    expect(await run('config-validate', { text: redacted })).toMatchObject({
      status: 'ok',
      data: { valid: true },
    });
    // It equals the config stored: no new version.
    expect(await run('config-import', { text: redacted })).toMatchObject({
      status: 'ok',
      data: { configVersion: 0, unchanged: true, appliedNow: [], waitingForRestart: [] },
    });
    expect(config.current().cluster.key).toBe(KEY);
    expect(config.current().mqtt.password).toBe('pw');
  });

  it('config-validate never changes anything; config-import of a bad document names the field', async () => {
    const before = readFileSync(file, 'utf8');
    const bad = JSON.stringify({ cluster: { heartbeat: { intervalMs: 10 } } });
    const v = await run('config-validate', { text: bad, merge: true });
    expect(v.status).toBe('error');
    expect(v.error).toMatch(/\/cluster\/heartbeat\/intervalMs/);
    expect((await run('config-validate', { text: '{nope' })).error).toMatch(/not valid JSON/);
    const i = await run('config-import', {
      text: JSON.stringify({
        box: { id: 'cmd-box' },
        cluster: { key: KEY, heartbeat: { intervalMs: 10 } },
        mqtt: { password: 'pw' },
      }),
    });
    expect(i.error).toMatch(/^config rejected, nothing changed: .*\/cluster\/heartbeat\/intervalMs/);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(config.current().configVersion).toBe(0);
    const ok = await run('config-import', {
      text: JSON.stringify({ box: { id: 'cmd-box' }, cluster: { key: KEY }, mqtt: { password: 'pw2' } }),
    });
    expect(ok).toMatchObject({
      status: 'ok',
      data: { configVersion: 1, appliedNow: [], waitingForRestart: ['/mqtt/password'] },
    });
    expect(ok.data).toHaveProperty('note');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      configVersion: 1,
      mqtt: { password: 'pw2' },
    });
  });

  it('config-import refuses a partial document unless merge, and never changes the identity', async () => {
    const partial = JSON.stringify({ eventlog: { maxRows: 5000 } });
    const refused = await run('config-import', { text: partial });
    expect(refused.error).toMatch(/^config rejected, nothing changed: \/box\/id: .*--merge/);
    const merged = await run('config-import', { text: partial, merge: true });
    expect(merged).toMatchObject({
      status: 'ok',
      data: { configVersion: 1, appliedNow: ['/eventlog/maxRows'], waitingForRestart: [] },
    });
    const renamed = await run('config-import', {
      text: JSON.stringify({ box: { id: 'other' } }),
      merge: true,
    });
    expect(renamed.error).toMatch(/\/box\/id: would change the pair’s identity; use config set-identity/);
  });

  it('config-set-identity warns and does nothing without confirm; with it, never echoes the key', async () => {
    const unconfirmed = await run('config-set-identity', { generateKey: true });
    expect(unconfirmed.error).toMatch(/not done: the controllers refuse each other’s heartbeats.*confirm/);
    expect(config.current().configVersion).toBe(0);
    const done = await run('config-set-identity', { boxId: 'new-box', generateKey: true, confirm: true });
    expect(done).toMatchObject({
      status: 'ok',
      data: { configVersion: 1, boxId: 'new-box', waitingForRestart: ['/box/id', '/cluster/key'] },
    });
    const key = config.current().cluster.key;
    expect(key).not.toBe(KEY);
    expect(JSON.stringify(done)).not.toContain(key);
    expect((done.data as { keyFingerprint: string }).keyFingerprint).toMatch(/^[0-9a-f]{12}$/);
    expect((await run('config-set-identity', { confirm: true })).error).toMatch(/nothing to change/);
  });

  it('without a config store (the simulated box) the config commands say so', async () => {
    const sim = new RegistryCommands(bare).with({ alarms, events });
    expect(await sim.handle({ command: 'config-show', args: {}, transaction: 'x' })).toMatchObject({
      status: 'error',
      error: 'config-show: no configuration store on this controller',
    });
  });
});
