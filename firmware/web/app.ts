// The web panel's HTTP application: the page and its API on one origin, built
// from what it needs (WebDeps) so tests can run it without TLS or a daemon.
// Every response carries a Content-Security-Policy without inline script,
// so text from events or the config can never run as code even if a page
// forgot to treat it as text; bodies are bounded and parsed with the same
// bounded JSON parser as every other input.
import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import { parseBoundedJson } from '../core/bounded-json.ts';
import { LoginGuard } from './login-guard.ts';
import { SESSION_COOKIE } from './session.ts';
import type { WebDeps } from './request-session.ts';
import { authRoutes } from './routes-auth.ts';
import { apiRoutes } from './routes-api.ts';
import type { TlsPair } from './tls.ts';

/** The largest request body: a config import is the largest. */
export const MAX_BODY_BYTES = 512 * 1024;
const BODY_LIMITS = { bytes: MAX_BODY_BYTES, depth: 16, entries: 1024 };

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000',
  'cross-origin-opener-policy': 'same-origin',
};

export function buildWebApp(deps: WebDeps, tls: TlsPair | null): FastifyInstance {
  const app = (
    tls === null
      ? Fastify({ bodyLimit: MAX_BODY_BYTES, logger: false })
      : Fastify({ bodyLimit: MAX_BODY_BYTES, logger: false, https: { key: tls.key, cert: tls.cert } })
  ) as FastifyInstance;
  void app.register(cookie);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body: Buffer, done) => {
    const parsed = parseBoundedJson(body, BODY_LIMITS, 'request body');
    if (parsed.ok) done(null, parsed.value);
    else done(Object.assign(new Error(parsed.error), { statusCode: 400 }), undefined);
  });
  app.decorateRequest('session', null);
  app.decorateRequest('sessionWhy', '');
  app.addHook('onRequest', (req, reply, done) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) void reply.header(k, v);
    const keys = deps.keys();
    if (keys === null) {
      req.sessionWhy = 'the box is still starting (no web secret yet)';
      return done();
    }
    const opened = keys.open(req.cookies[SESSION_COOKIE], deps.now(), deps.idleMs());
    if (opened.ok) req.session = opened.session;
    else req.sessionWhy = opened.why;
    done();
  });
  app.setErrorHandler((err: { statusCode?: number; message: string }, _req, reply) => {
    const code =
      err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    void reply.code(code).send({ error: code === 500 ? 'internal error' : err.message });
  });
  app.setNotFoundHandler((_req, reply) => void reply.code(404).send({ error: 'no such page' }));

  const guard = new LoginGuard();
  authRoutes(app, deps, guard);
  apiRoutes(app, deps);
  return app;
}
