// web.sock: requests on behalf of a web user run with that user's role at
// most, are audited when they need more than a viewer, and `as` is refused
// anywhere else.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandContext } from '../../../firmware/commands/context.ts';
import { RegistryCommands } from '../../../firmware/commands/dispatch.ts';
import { commandDef } from '../../../firmware/commands/registry.ts';
import { auditArgs } from '../../../firmware/console/on-behalf.ts';
import { ControlSocketServer } from '../../../firmware/console/server.ts';
import type { EventInput } from '../../../firmware/events/types.ts';
import { ask } from './ask-socket.ts';
import { fakeContext, fakeHost, type FakeHost } from '../commands/fake-context.ts';

describe('web socket (on behalf of web users)', () => {
  let dir: string;
  let host: FakeHost;
  let audit: EventInput[];
  let contexts: CommandContext[];
  let web: ControlSocketServer;
  let control: ControlSocketServer;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'websock-'));
    host = fakeHost();
    audit = [];
    contexts = [];
    const commands = new RegistryCommands(fakeContext(host));
    web = new ControlSocketServer({
      socketPath: join(dir, 'run', 'web.sock'),
      commandHandler: commands.with({ webChannel: true }),
      onBehalf: {
        handlerFor: (as) => {
          const h = commands.with({
            webChannel: true,
            defaultActor: as === null ? 'web' : `${as.user}@${as.address} (web)`,
            ...(as === null ? {} : { onBehalf: as }),
          });
          contexts.push(h.context);
          return h;
        },
        audit: (e) => audit.push(e),
      },
    });
    control = new ControlSocketServer({
      socketPath: join(dir, 'run', 'tandemctl.sock'),
      commandHandler: commands,
    });
    await web.start();
    await control.start();
  });
  afterEach(async () => {
    await web.stop();
    await control.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const sock = () => join(dir, 'run', 'web.sock');
  const switchover = (as?: unknown) => ({
    command: 'switchover',
    args: { group: 'db' },
    transaction: 't1',
    ...(as === undefined ? {} : { as }),
  });

  it('a viewer cannot switch over: refused by the registry, audited, nothing moves', async () => {
    const r = await ask(sock(), switchover({ user: 'vera', role: 'viewer', address: '192.0.2.10' }));
    expect(r).toMatchObject({ status: 'error', transaction: 't1' });
    expect(r['error']).toBe('role: switchover needs the operator role; this request has viewer');
    expect(host.ops).toEqual([]);
    expect(audit).toEqual([
      expect.objectContaining({
        code: 'WEB_REFUSED',
        source: 'web',
        data: expect.objectContaining({
          user: 'vera',
          address: '192.0.2.10',
          command: 'switchover',
          args: { group: 'db' },
        }) as unknown,
      }),
    ]);
  });

  it('an operator can, as user@address (web), and the action is audited', async () => {
    const r = await ask(sock(), switchover({ user: 'otto', role: 'operator', address: '2001:db8::7' }));
    expect(r).toMatchObject({ status: 'ok', transaction: 't1' });
    expect(host.ops).toEqual([{ op: 'switchover', groups: ['db'] }]);
    expect(contexts.at(-1)).toMatchObject({
      webChannel: true,
      defaultActor: 'otto@2001:db8::7 (web)',
      onBehalf: { user: 'otto', role: 'operator', address: '2001:db8::7' },
    });
    expect(audit.map((e) => [e.code, (e.data as { user: string }).user])).toEqual([['WEB_ACTION', 'otto']]);
  });

  it('no more than the user’s role, even for an admin web user; a request without `as` runs as a viewer', async () => {
    const status = await ask(sock(), { command: 'status', args: {}, transaction: 't2' });
    expect(status).toMatchObject({ status: 'ok' });
    expect(audit).toEqual([]);
    const anon = await ask(sock(), switchover());
    expect(anon['error']).toBe('role: switchover needs the operator role; this request has viewer');
    const secrets = await ask(sock(), {
      command: 'config-export',
      args: { includeSecrets: true },
      transaction: 't3',
      as: { user: 'ada', role: 'admin', address: '10.0.0.1' },
    });
    // The role allows it; the channel does not (only the root control socket carries secrets).
    expect(secrets['status']).toBe('error');
  });

  it('`as` on the ordinary control socket is refused', async () => {
    const r = await ask(
      join(dir, 'run', 'tandemctl.sock'),
      switchover({ user: 'otto', role: 'admin', address: '10.0.0.1' }),
    );
    expect(r).toMatchObject({ status: 'error', transaction: 't1' });
    expect(r['error']).toMatch(/^as: this socket takes no requests on behalf of a web user/);
    expect(host.ops).toEqual([]);
  });

  it('hostile `as` values are refused, each with the field named', async () => {
    const cases: [unknown, RegExp][] = [
      ['admin', /^as: must be an object/],
      [[], /^as: must be an object/],
      [null, /^as: must be an object/],
      [{ user: 'otto', role: 'operator', address: '10.0.0.1', extra: 1 }, /^as: unknown key "extra"/],
      [{ user: 'Otto', role: 'operator', address: '10.0.0.1' }, /^as\.user: /],
      [{ user: 'o'.repeat(33), role: 'operator', address: '10.0.0.1' }, /^as\.user: /],
      [
        { user: 'otto', role: 'root', address: '10.0.0.1' },
        /^as\.role: must be one of viewer, operator, admin/,
      ],
      [{ user: 'otto', role: 'operator', address: '10.0.0.1; rm -rf /' }, /^as\.address: /],
      [{ user: 'otto', role: 'operator', address: 'a'.repeat(46) }, /^as\.address: /],
      [{ user: 'otto', role: 'operator' }, /^as\.address: /],
      [{ user: 'otto', role: { toString: 1 }, address: '10.0.0.1' }, /^as\.role: /],
    ];
    for (const [as, error] of cases) {
      const r = await ask(sock(), switchover(as));
      expect(r['status'], JSON.stringify(as)).toBe('error');
      expect(r['error'], JSON.stringify(as)).toMatch(error);
    }
    expect(host.ops).toEqual([]);
    // Each attempt is audited, naming nobody: the claimed user is not believed.
    expect(audit).toHaveLength(cases.length);
    expect(audit.every((e) => e.code === 'WEB_REFUSED' && (e.data as { user: unknown }).user === null)).toBe(
      true,
    );
  });

  it('the audit leaves out passwords and logs a config text by its size', () => {
    expect(
      auditArgs(commandDef('user-add'), { name: 'bob', role: 'viewer', password: 'secret pw 123' }),
    ).toEqual({
      name: 'bob',
      role: 'viewer',
    });
    expect(auditArgs(commandDef('user-reset'), { name: 'bob', password: 'x' })).toEqual({ name: 'bob' });
    expect(auditArgs(commandDef('config-import'), { text: '{"cluster":{"key":"00"}}' })).toEqual({
      text: '(24 characters)',
    });
  });
});
