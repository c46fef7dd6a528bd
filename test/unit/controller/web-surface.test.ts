// The daemon's web side end to end: web.sock beside the control socket, the
// first start's secret and console line, and a first login, password change
// and user added through the socket as the web process sends them.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../../hal/clock/clock.ts';
import { RegistryCommands } from '../../../firmware/commands/dispatch.ts';
import { ConfigManager } from '../../../firmware/config/config-manager.ts';
import { webSocketPath } from '../../../firmware/console/panel-socket.ts';
import { webSurfaces } from '../../../firmware/controller/web-surface.ts';
import type { Extension } from '../../../firmware/core/extension.ts';
import type { EventLog } from '../../../firmware/events/event-log.ts';
import type { EventInput, LoggedEvent } from '../../../firmware/events/types.ts';
import { initialPassword } from '../../../firmware/users/initial.ts';
import { ask } from '../console/ask-socket.ts';
import { fakeContext } from '../commands/fake-context.ts';

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

describe('web surface', () => {
  let dir: string;
  let config: ConfigManager;
  let events: EventInput[];
  let extensions: Extension[];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'web-surface-'));
    events = [];
    const sink = {
      append: (e: EventInput): LoggedEvent => {
        events.push(e);
        return { ...e, id: events.length, ts: 0, monoMs: 0, data: e.data ?? null };
      },
      query: () => [],
    };
    config = new ConfigManager({
      path: join(dir, 'tandem.json'),
      lastGoodPath: join(dir, 'lg.json'),
      events: sink,
    });
    await config.load();
    const commands = new RegistryCommands(fakeContext()).with({ config, events: sink });
    extensions = webSurfaces({
      commands,
      config,
      events: sink as unknown as EventLog,
      clock: { after: () => ({ cancel: () => undefined }) } as unknown as Clock,
      controlSocket: join(dir, 'run', 'tandemctl.sock'),
      consolePath: join(dir, 'console'),
      first: true,
    });
    for (const e of extensions) await e.start();
  });
  afterEach(async () => {
    for (const e of [...extensions].reverse()) await e.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('makes the secret, shows the initial password on the console, and lets admin in to change it', async () => {
    const sock = webSocketPath(join(dir, 'run', 'tandemctl.sock'));
    expect(sock).toBe(join(dir, 'run', 'web.sock'));
    expect(statSync(sock).mode & 0o777).toBe(0o600);
    await until(() => config.current().web.secret !== undefined, 'web.secret');
    const initial = initialPassword(config.current().web.secret ?? '');
    await until(() => events.some((e) => e.code === 'WEB_INITIAL_PASSWORD_SHOWN'), 'the console line');
    expect(readFileSync(join(dir, 'console'), 'utf8')).toContain(initial);
    expect(JSON.stringify(events)).not.toContain(initial);

    const anonymous = { user: 'anonymous', role: 'viewer', address: '198.51.100.4' };
    const login = await ask(sock, {
      command: 'login',
      args: { name: 'admin', password: initial },
      transaction: 'l1',
      as: anonymous,
    });
    expect(login).toMatchObject({ status: 'ok', data: { name: 'admin', role: 'admin', mustChange: true } });

    const admin = { user: 'admin', role: 'admin', address: '198.51.100.4' };
    const changed = await ask(sock, {
      command: 'password-change',
      args: { name: 'admin', old: initial, new: 'the admin pw 2' },
      transaction: 'p1',
      as: admin,
    });
    expect(changed).toMatchObject({ status: 'ok' });
    const added = await ask(sock, {
      command: 'user-add',
      args: { name: 'olga', role: 'operator', password: 'olgas first pw' },
      transaction: 'u1',
      as: admin,
    });
    expect(added).toMatchObject({ status: 'ok' });
    expect(config.current().web.users.map((u) => [u.name, u.role, u.mustChange])).toEqual([
      ['admin', 'admin', false],
      ['olga', 'operator', true],
    ]);
    const audit = events.find((e) => e.code === 'WEB_ACTION');
    expect(audit?.data).toMatchObject({
      user: 'admin',
      command: 'user-add',
      args: { name: 'olga', role: 'operator' },
    });
    expect(JSON.stringify(events)).not.toContain('olgas first pw');
    // The change names who made it.
    expect(events.filter((e) => e.code === 'CONFIG_APPLIED').map((e) => e.message)).toContain(
      `config version 3 stored (from admin@198.51.100.4 (web): user-add olga)`,
    );
  });
});
