import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandContext } from '../../../firmware/commands/context.ts';
import { RegistryCommands } from '../../../firmware/commands/dispatch.ts';
import { WRONG_LOGIN } from '../../../firmware/commands/users-ops.ts';
import { ConfigManager } from '../../../firmware/config/config-manager.ts';
import type { CommandName, CommandResponse } from '../../../firmware/core/envelope.ts';
import type { EventInput, LoggedEvent } from '../../../firmware/events/types.ts';
import { initialPassword } from '../../../firmware/users/initial.ts';
import { fakeContext } from './fake-context.ts';

const SECRET = '5a'.repeat(32);
const INITIAL = initialPassword(SECRET);

let dir: string;
let config: ConfigManager;
let events: EventInput[];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'users-'));
  events = [];
  const sink = {
    append: (e: EventInput): LoggedEvent => {
      events.push(e);
      return { ...e, id: events.length, ts: 0, monoMs: 0, data: e.data ?? null };
    },
  };
  config = new ConfigManager({
    path: join(dir, 'tandem.json'),
    lastGoodPath: join(dir, 'last-good.json'),
    events: sink,
  });
  await config.load();
  await config.importText(JSON.stringify({ web: { secret: SECRET } }), 'test', { merge: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A channel: the web socket acting for a user, the root control socket, or the panel socket. */
function channel(
  kind: 'web' | 'root' | 'panel',
  user = 'admin',
  role: 'viewer' | 'operator' | 'admin' = 'admin',
) {
  const base = fakeContext();
  const ctx: CommandContext = {
    ...base,
    config,
    events: { query: () => [], append: (e) => events.push(e) },
    ...(kind === 'web'
      ? {
          webChannel: true,
          onBehalf: { user, role, address: '192.0.2.7' },
          defaultActor: `${user}@192.0.2.7 (web)`,
        }
      : kind === 'root'
        ? { secretsChannel: true, defaultActor: 'tandemctl' }
        : { panelChannel: true, defaultActor: 'front panel' }),
  };
  const handler = new RegistryCommands(ctx, kind === 'panel' ? 'operator' : kind === 'web' ? role : 'admin');
  return (command: CommandName, args: Record<string, unknown> = {}): Promise<CommandResponse> =>
    handler.handle({ command, args, transaction: 't' });
}

describe('web users commands', () => {
  it('login: the initial admin while no user exists; one answer for every failure; events without the password', async () => {
    const web = channel('web', 'anonymous', 'viewer');
    expect((await web('login', { name: 'admin', password: INITIAL })).data).toEqual({
      name: 'admin',
      role: 'admin',
      mustChange: true,
    });
    expect((await web('login', { name: 'admin', password: 'wrong password' })).error).toBe(WRONG_LOGIN);
    expect((await web('login', { name: 'nobody', password: INITIAL })).error).toBe(WRONG_LOGIN);
    expect(events.filter((e) => e.source === 'web').map((e) => e.code)).toEqual([
      'WEB_LOGIN',
      'WEB_LOGIN_FAILED',
      'WEB_LOGIN_FAILED',
    ]);
    expect(events.find((e) => e.code === 'WEB_LOGIN_FAILED')?.data).toEqual({
      user: 'admin',
      address: '192.0.2.7',
    });
    expect(JSON.stringify(events)).not.toContain(INITIAL);
    expect((await channel('root')('login', { name: 'admin', password: INITIAL })).error).toMatch(/web.sock/);
  });

  it('initial-password: on the console and the panel only, until it is changed', async () => {
    expect((await channel('root')('initial-password')).data).toEqual({ password: INITIAL });
    expect((await channel('panel')('initial-password')).data).toEqual({ password: INITIAL });
    expect((await channel('web')('initial-password')).error).toMatch(/only on the root-only control socket/);
    expect(
      (await channel('root')('user-add', { name: 'bob', role: 'viewer', password: 'pass word 1' })).error,
    ).toMatch(/initial admin password must be changed first/);
    const web = channel('web', 'admin', 'admin');
    expect((await web('password-change', { name: 'admin', old: INITIAL, new: INITIAL })).error).toMatch(
      /differ from the old/,
    );
    expect((await web('password-change', { name: 'admin', old: INITIAL, new: 'short' })).error).toMatch(
      /10 to 256/,
    );
    expect(
      (await web('password-change', { name: 'admin', old: INITIAL, new: 'a new admin pw' })).status,
    ).toBe('ok');
    expect(config.current().web.users).toMatchObject([{ name: 'admin', role: 'admin', mustChange: false }]);
    expect((await channel('root')('initial-password')).error).toMatch(/already changed/);
    const login = channel('web', 'anonymous', 'viewer');
    expect((await login('login', { name: 'admin', password: INITIAL })).error).toBe(WRONG_LOGIN);
    expect((await login('login', { name: 'admin', password: 'a new admin pw' })).data).toEqual({
      name: 'admin',
      role: 'admin',
      mustChange: false,
    });
  });

  it('admins manage users through versioned config changes that name them; never the last admin, never a hash', async () => {
    await channel('web')('password-change', { name: 'admin', old: INITIAL, new: 'a new admin pw' });
    const admin = channel('web', 'admin', 'admin');
    const before = config.current().configVersion;
    expect(
      (await admin('user-add', { name: 'bob', role: 'operator', password: 'bobs first pw' })).status,
    ).toBe('ok');
    expect(config.current().configVersion).toBe(before + 1);
    expect(events.at(-1)?.message).toContain('admin@192.0.2.7 (web): user-add bob');
    expect(
      (await admin('user-add', { name: 'bob', role: 'viewer', password: 'bobs first pw' })).error,
    ).toMatch(/exists/);
    const list = await admin('users');
    expect(list.data).toEqual([
      { name: 'admin', role: 'admin', mustChange: false },
      { name: 'bob', role: 'operator', mustChange: true },
    ]);
    expect(JSON.stringify(list)).not.toContain('scrypt');
    expect((await admin('user-remove', { name: 'admin' })).error).toMatch(/last admin/);
    expect((await admin('user-role', { name: 'admin', role: 'viewer' })).error).toMatch(/last admin/);
    expect((await admin('user-reset', { name: 'bob', password: 'bobs second pw' })).status).toBe('ok');
    // bob may change only his own password, with the old one.
    const bob = channel('web', 'bob', 'operator');
    expect((await bob('password-change', { name: 'admin', old: 'x', new: 'whatever long' })).error).toMatch(
      /only their own/,
    );
    expect(
      (await bob('password-change', { name: 'bob', old: 'bobs first pw', new: 'bobs own pw!' })).error,
    ).toBe(WRONG_LOGIN);
    expect(
      (await bob('password-change', { name: 'bob', old: 'bobs second pw', new: 'bobs own pw!' })).status,
    ).toBe('ok');
    expect((await bob('users')).error).toMatch(/needs the admin role/);
    expect((await admin('user-remove', { name: 'bob' })).data).toEqual([
      { name: 'admin', role: 'admin', mustChange: false },
    ]);
    // An export never carries a hash off the root socket.
    expect(config.exportText()).not.toContain('scrypt');
  });
});
