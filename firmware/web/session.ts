// Web sessions as signed cookies, not server state: the key comes from the
// box's web secret (config `web.secret`, replicated to both controllers), so
// when the VIP moves in a takeover the other controller's web panel accepts
// the same cookie and the operator stays signed in. A cookie carries who,
// with which role, when it was issued and when it was last used; it is
// refused once idle longer than the idle timeout or older than MAX_AGE_MS.
// A role change or a removal therefore reaches a signed-in user at their
// next sign-in, within MAX_AGE_MS (docs/web.md says so).
//
// CSRF: every state-changing request must carry the session's token in a
// header; the token is an HMAC of the session id, so a page of another site
// (which cannot read our cookie or our pages) cannot make it.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ROLES, type Role } from '../commands/define.ts';

export const SESSION_COOKIE = 'tandem_session';
export const CSRF_HEADER = 'x-csrf-token';
/** A session ends this long after sign-in, however busy. */
export const MAX_AGE_MS = 12 * 3600_000;
/** Longest cookie value read; ours are about 200 bytes. */
const MAX_COOKIE_CHARS = 1024;

export interface Session {
  readonly user: string;
  readonly role: Role;
  /** The user must choose a new password before anything else. */
  readonly mustChange: boolean;
  readonly sid: string;
  /** Wall-clock ms of sign-in and of the last request. */
  readonly issuedAt: number;
  readonly activeAt: number;
}

const isRole = (v: unknown): v is Role => (ROLES as readonly unknown[]).includes(v);

export class SessionKeys {
  private readonly key: Buffer;

  /** `secret`: the box's web secret (64 hex characters). */
  constructor(secret: string) {
    this.key = createHmac('sha256', Buffer.from(secret, 'hex')).update('tandem web sessions').digest();
  }

  issue(user: string, role: Role, mustChange: boolean, now: number): Session {
    return {
      user,
      role,
      mustChange,
      sid: randomBytes(12).toString('base64url'),
      issuedAt: now,
      activeAt: now,
    };
  }

  /** The cookie value for a session. */
  seal(s: Session): string {
    const body = Buffer.from(
      JSON.stringify([s.user, s.role, s.mustChange ? 1 : 0, s.sid, s.issuedAt, s.activeAt]),
    ).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  /** The session a cookie holds, or why it cannot be used. */
  open(
    value: string | undefined,
    now: number,
    idleMs: number,
  ): { ok: true; session: Session } | { ok: false; why: string } {
    if (value === undefined || value === '') return { ok: false, why: 'not signed in' };
    if (value.length > MAX_COOKIE_CHARS) return { ok: false, why: 'session cookie too long' };
    const dot = value.indexOf('.');
    if (dot < 0) return { ok: false, why: 'session cookie malformed' };
    const body = value.slice(0, dot);
    if (!equal(value.slice(dot + 1), this.mac(body))) return { ok: false, why: 'session cookie not ours' };
    let fields: unknown;
    try {
      fields = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, why: 'session cookie malformed' };
    }
    if (!Array.isArray(fields) || fields.length !== 6) return { ok: false, why: 'session cookie malformed' };
    const [user, role, mustChange, sid, issuedAt, activeAt] = fields as unknown[];
    if (
      typeof user !== 'string' ||
      !isRole(role) ||
      (mustChange !== 0 && mustChange !== 1) ||
      typeof sid !== 'string' ||
      typeof issuedAt !== 'number' ||
      typeof activeAt !== 'number'
    )
      return { ok: false, why: 'session cookie malformed' };
    if (now - issuedAt > MAX_AGE_MS) return { ok: false, why: 'session expired; sign in again' };
    if (now - activeAt > idleMs) return { ok: false, why: 'signed out after inactivity' };
    return { ok: true, session: { user, role, mustChange: mustChange === 1, sid, issuedAt, activeAt } };
  }

  csrfToken(s: Session): string {
    return this.mac(`csrf:${s.sid}`);
  }

  checkCsrf(s: Session, token: string | undefined): boolean {
    return token !== undefined && token.length < 100 && equal(token, this.csrfToken(s));
  }

  private mac(text: string): string {
    return createHmac('sha256', this.key).update(text).digest('base64url');
  }
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
