// Signing in and out, the session's own state, and the password change the
// first sign-in forces. Passwords are checked by the daemon (`login`), which
// holds the users with the config and keeps the hashes to itself; the web
// process never sees a hash and never logs a password.
import type { FastifyInstance } from 'fastify';
import { roleAllows, type Role } from '../commands/define.ts';
import { COMMAND_ROLES } from '../commands/roles.generated.ts';
import type { LoginGuard } from './login-guard.ts';
import { onBehalf, requireSession, setSessionCookie, type WebDeps } from './request-session.ts';
import { MAX_AGE_MS, SESSION_COOKIE, type Session } from './session.ts';

const NAME = /^[a-z][a-z0-9._-]{0,31}$/;
const MAX_PASSWORD = 256;

type Body = Record<string, unknown>;
const isBody = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What the page needs to draw itself for this session. */
function sessionView(deps: WebDeps, s: Session | null, why: string): Record<string, unknown> {
  const base = { boxId: deps.boxId, controller: deps.controller, idleMs: deps.idleMs() };
  if (s === null) return { ...base, signedIn: false, why };
  return {
    ...base,
    signedIn: true,
    user: s.user,
    role: s.role,
    mustChange: s.mustChange,
    csrf: deps.keys()?.csrfToken(s) ?? null,
    expiresAt: Math.min(s.activeAt + deps.idleMs(), s.issuedAt + MAX_AGE_MS),
    // What this role may run: the page shows only these; the daemon refuses the rest anyway.
    commands: Object.entries(COMMAND_ROLES)
      .filter(([, role]) => roleAllows(s.role, role))
      .map(([name]) => name),
  };
}

export function authRoutes(app: FastifyInstance, deps: WebDeps, guard: LoginGuard): void {
  // Which controller answers on this address (no session needed: the sign-in page shows as much).
  app.get('/api/served-by', (_req, reply) => reply.send({ boxId: deps.boxId, controller: deps.controller }));

  app.get('/api/session', (req, reply) => reply.send(sessionView(deps, req.session, req.sessionWhy)));

  // Activity from the page (a click, a key) keeps the session: the page calls this at most once a minute.
  app.post('/api/session/keepalive', async (req, reply) => {
    const s = requireSession(req, reply, deps, { csrf: true, passwordDue: 'allowed' });
    if (s === null) return reply;
    const moved = { ...s, activeAt: deps.now() };
    setSessionCookie(reply, deps, moved);
    return sessionView(deps, moved, '');
  });

  app.post('/api/login', async (req, reply) => {
    const body = req.body;
    if (!isBody(body) || typeof body['name'] !== 'string' || typeof body['password'] !== 'string')
      return reply.code(400).send({ error: 'send {"name": …, "password": …}' });
    const name = body['name'];
    const password = body['password'];
    if (!NAME.test(name) || password.length === 0 || password.length > MAX_PASSWORD)
      return reply.code(401).send({ error: 'wrong user name or password' });
    if (deps.keys() === null)
      return reply.code(503).send({ error: 'the box is still starting; try again shortly' });
    const wait = guard.waitMs(name, req.ip, deps.now());
    if (wait > 0) {
      const s = Math.ceil(wait / 1000);
      return reply
        .code(429)
        .header('retry-after', String(s))
        .send({ error: `too many wrong passwords: try again in ${s} s` });
    }
    let r;
    try {
      r = await deps.daemon('login', { name, password }, onBehalf(req, null, name));
    } catch {
      return reply
        .code(503)
        .send({ error: 'the firmware is not answering; it checks passwords (try the VIP)' });
    }
    if (r.status !== 'ok') {
      guard.failed(name, req.ip, deps.now());
      return reply.code(401).send({ error: r.error });
    }
    guard.succeeded(name, req.ip);
    const who = r.data as { role: Role; mustChange: boolean };
    const keys = deps.keys();
    if (keys === null) return reply.code(503).send({ error: 'the box is still starting' });
    const s = keys.issue(name, who.role, who.mustChange, deps.now());
    setSessionCookie(reply, deps, s);
    return sessionView(deps, s, '');
  });

  app.post('/api/logout', async (req, reply) => {
    void reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return sessionView(deps, null, req.session === null ? req.sessionWhy : 'signed out');
  });

  app.post('/api/password', async (req, reply) => {
    const s = requireSession(req, reply, deps, { csrf: true, passwordDue: 'allowed' });
    if (s === null) return reply;
    const body = req.body;
    if (!isBody(body) || typeof body['old'] !== 'string' || typeof body['new'] !== 'string')
      return reply.code(400).send({ error: 'send {"old": …, "new": …}' });
    if (body['old'].length > MAX_PASSWORD || body['new'].length > MAX_PASSWORD)
      return reply.code(400).send({ error: `passwords are at most ${MAX_PASSWORD} characters` });
    let r;
    try {
      r = await deps.daemon(
        'password-change',
        { name: s.user, old: body['old'], new: body['new'] },
        onBehalf(req, s),
      );
    } catch {
      return reply.code(503).send({ error: 'the firmware is not answering; try again' });
    }
    if (r.status !== 'ok') return reply.code(400).send({ error: r.error });
    const changed = { ...s, mustChange: false, activeAt: deps.now() };
    setSessionCookie(reply, deps, changed);
    return sessionView(deps, changed, '');
  });
}
