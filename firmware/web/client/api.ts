// The page's calls to its controller: JSON over fetch on the same origin,
// each state change with the session's CSRF token, and the one generic
// route for commands of the registry.
import type { CommandResponse } from '../../core/envelope.ts';

export interface SessionView {
  readonly boxId: string;
  readonly controller: 'A' | 'B';
  readonly idleMs: number;
  readonly signedIn: boolean;
  readonly why?: string;
  readonly user?: string;
  readonly role?: 'viewer' | 'operator' | 'admin';
  readonly mustChange?: boolean;
  readonly csrf?: string | null;
  readonly expiresAt?: number;
  readonly commands?: readonly string[];
}

export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

let csrf: string | null = null;

export function rememberSession(s: SessionView): void {
  csrf = s.csrf ?? null;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrf !== null) headers['x-csrf-token'] = csrf;
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let data: unknown;
  try {
    data = text === '' ? null : JSON.parse(text);
  } catch {
    data = { error: text.slice(0, 200) };
  }
  if (!res.ok && !(res.status === 422 && path.startsWith('/api/commands/'))) {
    const err = (data as { error?: unknown } | null)?.error;
    throw new ApiError(res.status, typeof err === 'string' ? err : `HTTP ${res.status}`);
  }
  return data as T;
}

export const api = {
  session: () => call<SessionView>('GET', '/api/session'),
  login: (name: string, password: string) => call<SessionView>('POST', '/api/login', { name, password }),
  logout: () => call<SessionView>('POST', '/api/logout'),
  keepalive: () => call<SessionView>('POST', '/api/session/keepalive'),
  password: (old: string, next: string) => call<SessionView>('POST', '/api/password', { old, new: next }),
  schema: () => call<unknown>('GET', '/api/config/schema'),
  certificate: (cert: string, key: string) => call<unknown>('PUT', '/api/certificate', { cert, key }),
  /** A command of the registry; its envelope, ok or refused with the daemon's reason. */
  command: (name: string, args: Record<string, unknown> = {}) =>
    call<CommandResponse>('POST', `/api/commands/${encodeURIComponent(name)}`, { args }),
};

/** A command's data, or an Error with the daemon's reason. */
export async function run<T>(name: string, args: Record<string, unknown> = {}): Promise<T> {
  const r = await api.command(name, args);
  if (r.status !== 'ok') throw new ApiError(422, r.error);
  return r.data as T;
}
