// What the routes share: the web process's dependencies (WebDeps) and the
// session checks every route makes before it does anything.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ControllerId } from '../cluster/codes.ts';
import type { OnBehalf } from '../commands/context.ts';
import type { CommandName, CommandResponse } from '../core/envelope.ts';
import type { Asset } from './assets.ts';
import type { Live } from './live.ts';
import { CSRF_HEADER, SESSION_COOKIE, type Session, type SessionKeys } from './session.ts';
import type { TlsPair } from './tls.ts';

export interface WebDeps {
  readonly boxId: string;
  readonly controller: ControllerId;
  /** The session keys; null until the daemon made the box's web secret. */
  readonly keys: () => SessionKeys | null;
  readonly idleMs: () => number;
  /** Run a command on this controller's daemon on someone's behalf (web.sock). */
  readonly daemon: (
    command: CommandName,
    args: Record<string, unknown>,
    as: OnBehalf,
  ) => Promise<CommandResponse>;
  readonly live: Live;
  readonly assets: ReadonlyMap<string, Asset>;
  /** The scrape token GET /metrics wants; undefined: metrics off. */
  readonly metricsToken: () => string | undefined;
  /** Install an uploaded certificate and serve it (an error text when refused). */
  readonly installCertificate: (pair: TlsPair) => string | null;
  readonly now: () => number;
  /** Cookies marked Secure (HTTPS); off only for tests over plain HTTP. */
  readonly secure: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in session, when the cookie holds a valid one. */
    session: Session | null;
    sessionWhy: string;
  }
}

/** The session, or a refusal already sent (401 signed out, 403 password change due or bad CSRF token). */
export function requireSession(
  req: FastifyRequest,
  reply: FastifyReply,
  deps: WebDeps,
  how: { csrf: boolean; passwordDue?: 'allowed' },
): Session | null {
  const s = req.session;
  if (s === null) {
    void reply.code(401).send({ error: req.sessionWhy });
    return null;
  }
  if (how.csrf) {
    const token = req.headers[CSRF_HEADER];
    if (!deps.keys()?.checkCsrf(s, typeof token === 'string' ? token : undefined)) {
      void reply.code(403).send({ error: 'missing or wrong CSRF token (reload the page)' });
      return null;
    }
  }
  if (s.mustChange && how.passwordDue !== 'allowed') {
    void reply.code(403).send({ error: 'choose a new password first' });
    return null;
  }
  return s;
}

/** Set the session cookie (a new session, or the same one with its activity moved on). */
export function setSessionCookie(reply: FastifyReply, deps: WebDeps, s: Session): void {
  const keys = deps.keys();
  if (keys === null) return;
  void reply.setCookie(SESSION_COOKIE, keys.seal(s), {
    httpOnly: true,
    secure: deps.secure,
    sameSite: 'strict',
    path: '/',
  });
}

export function onBehalf(req: FastifyRequest, s: Session | null, user?: string): OnBehalf {
  return { user: s?.user ?? user ?? 'anonymous', role: s?.role ?? 'viewer', address: req.ip };
}
