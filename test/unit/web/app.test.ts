// The web panel's HTTP rules, through Fastify's inject (no socket), with the
// registry's real role checks and a daemon stand-in that answers `login`
// and records what it was asked on whose behalf: sign-in and the forced
// password change, the session cookie's flags, CSRF, a viewer refused a
// switchover before the daemon is asked, sign-in back-off, the scrape token,
// the security headers on every answer, and bounded bodies.
import { describe, expect, it } from 'vitest';
import { REGISTRY } from '../../../firmware/commands/registry.ts';
import { roleAllows } from '../../../firmware/commands/define.ts';
import { ConfigSchema } from '../../../firmware/config/schema.ts';
import { buildWebApp } from '../../../firmware/web/app.ts';
import type { WebDeps } from '../../../firmware/web/request-session.ts';
import { Live } from '../../../firmware/web/live.ts';
import { SessionKeys } from '../../../firmware/web/session.ts';
import type { OnBehalf } from '../../../firmware/commands/context.ts';
import type { CommandName, CommandResponse } from '../../../firmware/core/envelope.ts';

const SECRET = 'ab'.repeat(32);

interface Call {
  command: CommandName;
  args: Record<string, unknown>;
  as: OnBehalf;
}

function setup(
  users: Record<string, { password: string; role: 'viewer' | 'operator' | 'admin'; mustChange?: boolean }>,
) {
  const calls: Call[] = [];
  let now = Date.UTC(2026, 11, 2);
  const daemon = (
    command: CommandName,
    args: Record<string, unknown>,
    as: OnBehalf,
  ): Promise<CommandResponse> => {
    calls.push({ command, args, as });
    const ok = (data: unknown): CommandResponse => ({ status: 'ok', data, error: null, transaction: 't' });
    const no = (error: string): CommandResponse => ({ status: 'error', data: null, error, transaction: 't' });
    if (command === 'login') {
      const u = users[String(args['name'])];
      if (u === undefined || u.password !== args['password'])
        return Promise.resolve(no('wrong user name or password'));
      return Promise.resolve(ok({ name: args['name'], role: u.role, mustChange: u.mustChange ?? false }));
    }
    if (command === 'password-change') {
      const u = users[String(args['name'])]!;
      u.password = String(args['new']);
      u.mustChange = false;
      return Promise.resolve(ok({}));
    }
    if (command === 'takeovers')
      return Promise.resolve(
        ok({
          takeovers: [
            { at: now, kind: 'takeover', by: 'B', from: 'A', reason: 'A dead', totalMs: 2500, phases: [] },
          ],
        }),
      );
    return Promise.resolve(ok({ ran: command }));
  };
  const deps: WebDeps = {
    boxId: 'box-7',
    controller: 'A',
    keys: () => new SessionKeys(SECRET),
    idleMs: () => 15 * 60_000,
    daemon,
    live: new Live('box-7', 'A', () => now),
    assets: new Map([['index.html', { body: Buffer.from('<p>page</p>'), type: 'text/html', etag: '"x"' }]]),
    metricsToken: () => 'm'.repeat(40),
    installCertificate: () => 'not in this test',
    now: () => now,
    secure: true,
  };
  const app = buildWebApp(deps, null);
  return { app, calls, advance: (ms: number) => (now += ms) };
}

const cookieOf = (res: { headers: Record<string, unknown> }): string => {
  const set = res.headers['set-cookie'];
  const line = Array.isArray(set) ? String(set[0]) : String(set);
  return line.split(';')[0]!;
};

async function signIn(app: ReturnType<typeof setup>['app'], name: string, password: string) {
  const res = await app.inject({ method: 'POST', url: '/api/login', payload: { name, password } });
  expect(res.statusCode).toBe(200);
  return { cookie: cookieOf(res), csrf: String(res.json<{ csrf: string }>().csrf), res };
}

describe('the web panel API', () => {
  it('signs in with a cookie that is HttpOnly, Secure and SameSite=Strict, and forces the first password change', async () => {
    const { app } = setup({ admin: { password: 'INIT-0000-1111-2222', role: 'admin', mustChange: true } });
    const { cookie, csrf, res } = await signIn(app, 'admin', 'INIT-0000-1111-2222');
    expect(String(res.headers['set-cookie'])).toMatch(/HttpOnly/);
    expect(String(res.headers['set-cookie'])).toMatch(/Secure/);
    expect(String(res.headers['set-cookie'])).toMatch(/SameSite=Strict/);
    expect(res.json()).toMatchObject({ signedIn: true, user: 'admin', mustChange: true });
    const blocked = await app.inject({ method: 'GET', url: '/api/status', headers: { cookie } });
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json()).toEqual({ error: 'choose a new password first' });
    const changed = await app.inject({
      method: 'POST',
      url: '/api/password',
      headers: { cookie, 'x-csrf-token': csrf },
      payload: { old: 'INIT-0000-1111-2222', new: 'a much better one' },
    });
    expect(changed.statusCode).toBe(200);
    const after = await app.inject({
      method: 'GET',
      url: '/api/status',
      headers: { cookie: cookieOf(changed) },
    });
    expect(after.statusCode).toBe(200);
    expect(after.json()).toMatchObject({ boxId: 'box-7', controller: 'A', daemon: 'unknown' });
  });

  it('refuses a state change without the CSRF token, and a viewer’s switchover before the daemon hears of it', async () => {
    const { app, calls } = setup({
      ops: { password: 'operator-password', role: 'operator' },
      eve: { password: 'viewer-password', role: 'viewer' },
    });
    const op = await signIn(app, 'ops', 'operator-password');
    const noToken = await app.inject({
      method: 'POST',
      url: '/api/commands/switchover',
      headers: { cookie: op.cookie },
      payload: { args: { group: 'pg' } },
    });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.json<{ error: string }>().error).toMatch(/CSRF/);
    const done = await app.inject({
      method: 'POST',
      url: '/api/commands/switchover',
      headers: { cookie: op.cookie, 'x-csrf-token': op.csrf },
      payload: { args: { group: 'pg' } },
    });
    expect(done.statusCode).toBe(200);
    expect(calls.at(-1)).toMatchObject({ command: 'switchover', as: { user: 'ops', role: 'operator' } });

    const viewer = await signIn(app, 'eve', 'viewer-password');
    const session = await app.inject({
      method: 'GET',
      url: '/api/session',
      headers: { cookie: viewer.cookie },
    });
    expect(session.json<{ commands: string[] }>().commands).not.toContain('switchover');
    const before = calls.length;
    const refused = await app.inject({
      method: 'POST',
      url: '/api/commands/switchover',
      headers: { cookie: viewer.cookie, 'x-csrf-token': viewer.csrf },
      payload: { args: { group: 'pg' } },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json<{ error: string }>().error).toBe(
      'switchover needs the operator role; you are viewer',
    );
    expect(calls.length).toBe(before);
    // A token of another session does not do either.
    const crossed = await app.inject({
      method: 'POST',
      url: '/api/commands/alarm-ack',
      headers: { cookie: viewer.cookie, 'x-csrf-token': op.csrf },
      payload: { args: { id: 1 } },
    });
    expect(crossed.statusCode).toBe(403);
  });

  it('a viewer changes nothing through the API: every command above viewer, and the certificate, are refused unasked', async () => {
    const { app, calls } = setup({ eve: { password: 'viewer-password', role: 'viewer' } });
    const viewer = await signIn(app, 'eve', 'viewer-password');
    const before = calls.length;
    const stronger = REGISTRY.filter((d) => d.role !== 'viewer');
    expect(stronger.length).toBeGreaterThan(10);
    for (const d of stronger) {
      const r = await app.inject({
        method: 'POST',
        url: `/api/commands/${d.name}`,
        headers: { cookie: viewer.cookie, 'x-csrf-token': viewer.csrf },
        payload: { args: {} },
      });
      expect([403, 404], d.name).toContain(r.statusCode);
    }
    const cert = await app.inject({
      method: 'PUT',
      url: '/api/certificate',
      headers: { cookie: viewer.cookie, 'x-csrf-token': viewer.csrf },
      payload: { cert: 'x', key: 'y' },
    });
    expect(cert.statusCode).toBe(403);
    expect(calls.length).toBe(before);
  });

  it('serves the config schema as JSON.stringify of the live ConfigSchema, byte for byte', async () => {
    const { app } = setup({ eve: { password: 'viewer-password', role: 'viewer' } });
    const viewer = await signIn(app, 'eve', 'viewer-password');
    const r = await app.inject({
      method: 'GET',
      url: '/api/config/schema',
      headers: { cookie: viewer.cookie },
    });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(r.body === JSON.stringify(ConfigSchema), 'the served schema differs from ConfigSchema').toBe(true);
    const anonymous = await app.inject({ method: 'GET', url: '/api/config/schema' });
    expect(anonymous.statusCode).toBe(401);
  });

  it('lists, for each role, the commands of the registry it may run, in the registry’s order', async () => {
    const roles = ['viewer', 'operator', 'admin'] as const;
    const { app } = setup(
      Object.fromEntries(roles.map((role) => [role, { password: `${role}-password`, role }])),
    );
    for (const role of roles) {
      const { cookie } = await signIn(app, role, `${role}-password`);
      const session = await app.inject({ method: 'GET', url: '/api/session', headers: { cookie } });
      expect(session.json<{ commands: string[] }>().commands, role).toEqual(
        REGISTRY.filter((d) => roleAllows(role, d.role)).map((d) => d.name),
      );
    }
  });

  it('slows down guessing: after three wrong passwords the next try must wait, doubling', async () => {
    const { app, advance } = setup({ admin: { password: 'right-password', role: 'admin' } });
    for (let i = 0; i < 4; i++) {
      const r = await app.inject({
        method: 'POST',
        url: '/api/login',
        payload: { name: 'admin', password: 'wrong' },
      });
      expect(r.statusCode).toBe(401);
      expect(r.json()).toEqual({ error: 'wrong user name or password' });
    }
    const held = await app.inject({
      method: 'POST',
      url: '/api/login',
      payload: { name: 'admin', password: 'right-password' },
    });
    expect(held.statusCode).toBe(429);
    expect(held.headers['retry-after']).toBe('1');
    advance(1001);
    const ok = await app.inject({
      method: 'POST',
      url: '/api/login',
      payload: { name: 'admin', password: 'right-password' },
    });
    expect(ok.statusCode).toBe(200);
  });

  it('ends a session after the idle time, and refuses a cookie it did not sign', async () => {
    const { app, advance } = setup({ ops: { password: 'operator-password', role: 'operator' } });
    const { cookie } = await signIn(app, 'ops', 'operator-password');
    advance(14 * 60_000);
    expect((await app.inject({ method: 'GET', url: '/api/status', headers: { cookie } })).statusCode).toBe(
      200,
    );
    advance(2 * 60_000);
    const idle = await app.inject({ method: 'GET', url: '/api/status', headers: { cookie } });
    expect(idle.statusCode).toBe(401);
    expect(idle.json()).toEqual({ error: 'signed out after inactivity' });
    const forged = cookie.replace(/=([^.]*)\./, (_m, body: string) => `=${body}x.`);
    const r = await app.inject({ method: 'GET', url: '/api/status', headers: { cookie: forged } });
    expect(r.json()).toEqual({ error: 'session cookie not ours' });
  });

  it('serves metrics only with the scrape token; every answer carries the security headers', async () => {
    const { app } = setup({});
    const none = await app.inject({ method: 'GET', url: '/metrics' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(none.headers['content-security-policy']).not.toMatch(/unsafe-inline/);
    expect(none.headers['x-frame-options']).toBe('DENY');
    const ok = await app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${'m'.repeat(40)}` },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toMatch(/^# HELP tandem_daemon_up/m);
    expect(ok.body).toMatch(/^tandem_daemon_up 0$/m);
    // The history comes from the daemon's takeovers command.
    expect(ok.body).toMatch(/^tandem_takeovers_total\{kind="takeover"\} 1$/m);
    expect(ok.body).toMatch(/^tandem_takeover_duration_seconds_bucket\{le="3"\} 1$/m);
  });

  it('refuses a body over its size or depth with the reason', async () => {
    const { app } = setup({});
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = [deep];
    const r = await app.inject({
      method: 'POST',
      url: '/api/login',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ name: deep }),
    });
    expect(r.statusCode).toBe(400);
    expect(r.json<{ error: string }>().error).toMatch(/^request body: nested deeper than/);
    const big = await app.inject({
      method: 'POST',
      url: '/api/login',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x'.repeat(600 * 1024) }),
    });
    expect(big.statusCode).toBe(413);
  });
});
