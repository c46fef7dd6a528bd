// A first boot's controller, in process: status says `unconfigured` with the
// identity's controller and box; what needs a running controller is refused
// with the way out; an import of another box's config is refused naming both
// ids; one of this box leaves unconfigured, with the stored web secret merged
// in, every setting in force and no restart waiting.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SimClock } from '../../../hal/clock/sim.ts';
import { AlarmManager } from '../../../firmware/alarms/alarm-manager.ts';
import { UNCONFIGURED_COMMANDS } from '../../../firmware/commands/unconfigured.ts';
import { ConfigManager } from '../../../firmware/config/config-manager.ts';
import { UnconfiguredController } from '../../../firmware/controller/unconfigured.ts';
import { COMMANDS, type CommandName } from '../../../firmware/core/envelope.ts';
import { EventLog } from '../../../firmware/events/event-log.ts';
import { openStateDatabase } from '../../../firmware/events/state-db.ts';
import type { StatusReport } from '../../../firmware/status/snapshot.ts';
import { initialPassword } from '../../../firmware/users/initial.ts';

const SECRET = 'ab'.repeat(32);
const REFUSAL = 'controller B is unconfigured: import a config first (tandemctl config import FILE)';

let dir: string;
let config: ConfigManager;
let events: EventLog;
let waiting: UnconfiguredController;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'unconfigured-'));
  const clock = new SimClock();
  const db = openStateDatabase(':memory:');
  events = new EventLog({ db, clock });
  const alarms = new AlarmManager({ db, clock, events });
  config = new ConfigManager({
    path: join(dir, 'tandem.json'),
    lastGoodPath: join(dir, 'last-good.json'),
    events,
    alarms,
  });
  waiting = new UnconfiguredController({
    identity: { controller: 'B', box: 'box-7' },
    identityFile: '/data/identity.json',
    config,
    events,
    alarms,
    clock,
    controlSocket: join(dir, 'tandemctl.sock'),
    secret: () => SECRET,
  });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const root = () => waiting.commands.with({ secretsChannel: true, defaultActor: 'tandemctl' });
const run = (command: CommandName, args: Record<string, unknown> = {}) =>
  root().handle({ command, args, transaction: 't' });

describe('an unconfigured controller', () => {
  it('reports unconfigured with the identity, no peer heard, no path, no group', async () => {
    const r = await run('status');
    expect(r.status).toBe('ok');
    const s = r.data as StatusReport;
    expect(s).toMatchObject({
      state: 'unconfigured',
      controller: 'B',
      boxId: 'box-7',
      configVersion: 0,
      groups: [],
      diskAccess: false,
      peer: { id: 'A', state: 'unknown', peerState: null, paths: [] },
    });
    expect(s.stateText).toMatch(/^Unconfigured: /);
    expect(s.takeover[0]?.why).toContain(
      'B is unconfigured: it waits for a config (tandemctl config import FILE)',
    );
  });

  it('refuses every command that needs a running controller, with the way out', async () => {
    let refused = 0;
    for (const command of COMMANDS.filter((c) => !UNCONFIGURED_COMMANDS.has(c))) {
      const r = await root().handle({ command, args: {}, transaction: 't' });
      // A missing argument is named first; with it, the refusal is the same.
      if (r.status === 'error' && r.error.startsWith('args.')) continue;
      expect(r, command).toMatchObject({ status: 'error', error: REFUSAL });
      refused++;
    }
    expect(refused).toBeGreaterThan(5);
    expect(await run('switchover', { group: 'db' })).toMatchObject({ error: REFUSAL });
    expect(await run('config-set-identity', { boxId: 'x', confirm: true })).toMatchObject({ error: REFUSAL });
  });

  it('still answers the alarms, the log and the initial password', async () => {
    expect((await run('alarms')).status).toBe('ok');
    expect((await run('log', { limit: 5 })).status).toBe('ok');
    expect(await run('initial-password')).toMatchObject({
      status: 'ok',
      data: { password: initialPassword(SECRET) },
    });
  });

  it("refuses another box's config, naming both ids, and stays unconfigured", async () => {
    const r = await run('config-import', { text: JSON.stringify({ box: { id: 'box-9' } }) });
    expect(r.status).toBe('error');
    expect(r.error).toContain('/box/id: is "box-9", but this controller belongs to box "box-7"');
    expect(r.error).toContain('/data/identity.json');
    const noB = await run('config-import', {
      text: JSON.stringify({ box: { id: 'box-7', controllerIds: ['A', 'C'] } }),
    });
    expect(noB.status).toBe('error');
    let settled = false;
    void waiting.configured.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    expect(events.query({ code: 'CONFIG_REJECTED' })).toHaveLength(2);
  });

  it('leaves unconfigured on an import of this box: secret merged, everything in force', async () => {
    const key = 'cd'.repeat(32);
    const r = await run('config-import', {
      text: JSON.stringify({ box: { id: 'box-7' }, cluster: { key }, groups: [] }),
    });
    expect(r.status, r.error ?? '').toBe('ok');
    expect(r.data).toMatchObject({ configVersion: 1, waitingForRestart: [] });
    await waiting.configured;
    const stored = JSON.parse(readFileSync(join(dir, 'tandem.json'), 'utf8')) as {
      box: { id: string };
      cluster: { key: string };
      web: { secret: string };
    };
    expect(stored.box.id).toBe('box-7');
    expect(stored.cluster.key).toBe(key);
    expect(stored.web.secret).toBe(SECRET);
    expect(config.inForce().box.id).toBe('box-7');
    expect(config.pendingRestart()).toEqual([]);
    expect(events.query({ code: 'RESTART_REQUIRED' })).toHaveLength(0);
    // The log never carries the secret.
    expect(JSON.stringify(events.query({ limit: 1000 }))).not.toContain(SECRET);
  });

  it("keeps an imported config's own web secret", async () => {
    const own = 'ef'.repeat(32);
    const r = await run('config-import', {
      text: JSON.stringify({ box: { id: 'box-7' }, web: { secret: own } }),
    });
    expect(r.status).toBe('ok');
    expect(config.current().web.secret).toBe(own);
  });
});
