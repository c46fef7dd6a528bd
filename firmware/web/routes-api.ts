// The page, its files, and the API behind it. Everything an operator does
// is a command of the registry, sent to the daemon on the signed-in user's
// behalf: the daemon runs it with that user's role at most and writes it to
// the event log with their name and address. The page hides what a role may
// not do; this refuses it before the daemon refuses it again.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { roleAllows } from '../commands/define.ts';
import { COMMAND_ROLES } from '../commands/roles.generated.ts';
import { CONFIG_SCHEMA_JSON } from '../config/schema-json.generated.ts';
import { isCommandName } from '../core/envelope.ts';
import type { StatusReport } from '../status/snapshot.ts';
import { onBehalf, requireSession, setSessionCookie, type WebDeps } from './request-session.ts';
import { eventsCsv } from './csv.ts';
import { prometheusText, type TakeoverSample } from './metrics.ts';
import { SESSION_COOKIE } from './session.ts';

/** Commands the page may not send through the generic route: each has its own (or none). */
const OWN_ROUTE = new Set(['login', 'password-change', 'initial-password']);

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function apiRoutes(app: FastifyInstance, deps: WebDeps): void {
  app.get('/', async (_req, reply) => sendAsset(reply, 'index.html'));
  app.get<{ Params: { name: string } }>('/assets/:name', async (req, reply) => {
    const a = deps.assets.get(req.params.name);
    if (a === undefined) return reply.code(404).send({ error: 'no such file' });
    if (req.headers['if-none-match'] === a.etag) return reply.code(304).send();
    return reply
      .header('content-type', a.type)
      .header('etag', a.etag)
      .header('cache-control', 'no-cache')
      .send(a.body);
  });
  function sendAsset(reply: FastifyReply, name: string) {
    const a = deps.assets.get(name);
    if (a === undefined) return reply.code(500).send({ error: `${name} missing from the firmware` });
    return reply.header('content-type', a.type).header('cache-control', 'no-cache').send(a.body);
  }

  app.get('/api/status', async (req, reply) => {
    if (requireSession(req, reply, deps, { csrf: false }) === null) return reply;
    return deps.live.current();
  });

  app.get('/api/live', (req, reply) => {
    const s = requireSession(req, reply, deps, { csrf: false });
    if (s === null) return reply;
    reply.hijack();
    const raw = reply.raw;
    for (const [k, v] of Object.entries(reply.getHeaders())) if (v !== undefined) raw.setHeader(k, v);
    const cookie = req.cookies[SESSION_COOKIE];
    const stillValid = (): boolean => deps.keys()?.open(cookie, deps.now(), deps.idleMs()).ok === true;
    if (!deps.live.open(raw, stillValid)) {
      raw.writeHead(503, { 'content-type': 'application/json', 'retry-after': '5' });
      raw.end(JSON.stringify({ error: 'too many live pages open on this controller' }));
    }
    return reply;
  });

  app.get('/api/config/schema', async (req, reply) => {
    if (requireSession(req, reply, deps, { csrf: false }) === null) return reply;
    // The text Fastify made of ConfigSchema before, generated ahead of time (tools/gen-config-checks.ts).
    return reply.type('application/json; charset=utf-8').send(CONFIG_SCHEMA_JSON);
  });

  app.post<{ Params: { name: string } }>('/api/commands/:name', async (req, reply) => {
    const s = requireSession(req, reply, deps, { csrf: true });
    if (s === null) return reply;
    const name = req.params.name;
    if (!isCommandName(name) || OWN_ROUTE.has(name))
      return reply.code(404).send({ error: `no command ${JSON.stringify(name.slice(0, 40))}` });
    const role = COMMAND_ROLES[name];
    if (!roleAllows(s.role, role))
      return reply.code(403).send({ error: `${name} needs the ${role} role; you are ${s.role}` });
    const body = req.body ?? {};
    const args =
      isObj(body) && isObj(body['args'])
        ? body['args']
        : isObj(body) && body['args'] === undefined
          ? {}
          : null;
    if (args === null) return reply.code(400).send({ error: 'send {"args": {…}}' });
    const moved = { ...s, activeAt: deps.now() };
    setSessionCookie(reply, deps, moved);
    try {
      const r = await deps.daemon(name, args, onBehalf(req, s));
      return reply.code(r.status === 'ok' ? 200 : 422).send(r);
    } catch (err) {
      return reply.code(503).send({
        status: 'error',
        data: null,
        error: `the firmware is not answering: ${(err as Error).message}`,
        transaction: '',
      });
    }
  });

  app.get<{ Querystring: Record<string, string> }>('/api/events.csv', async (req, reply) => {
    const s = requireSession(req, reply, deps, { csrf: false });
    if (s === null) return reply;
    const args: Record<string, unknown> = { limit: 10_000 };
    const q = req.query;
    // The page's filters, as the log command takes them; the daemon checks each (a NaN is refused there).
    if (q['since'] !== undefined) args['since'] = Number(q['since']);
    if (q['until'] !== undefined) args['until'] = Number(q['until']);
    if (q['severity'] !== undefined) args['severity'] = q['severity'];
    if (q['source'] !== undefined) args['source'] = q['source'];
    if (q['text'] !== undefined) args['text'] = q['text'];
    const r = await deps.daemon('log', args, onBehalf(req, s));
    if (r.status !== 'ok') return reply.code(422).send({ error: r.error });
    const events = (r.data as { events: unknown[] }).events;
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${deps.boxId}-${deps.controller}-events.csv"`)
      .send(eventsCsv(events));
  });

  app.put('/api/certificate', async (req, reply) => {
    const s = requireSession(req, reply, deps, { csrf: true });
    if (s === null) return reply;
    if (s.role !== 'admin')
      return reply.code(403).send({ error: 'installing a certificate needs the admin role' });
    const body = req.body;
    if (!isObj(body) || typeof body['cert'] !== 'string' || typeof body['key'] !== 'string')
      return reply.code(400).send({ error: 'send {"cert": PEM, "key": PEM}' });
    const refused = deps.installCertificate({ cert: body['cert'], key: body['key'] });
    if (refused !== null) return reply.code(400).send({ error: refused });
    return { installed: true };
  });

  app.get('/metrics', async (req, reply) => {
    const token = deps.metricsToken();
    if (token === undefined) return reply.code(404).send({ error: 'metrics are off: set web.metricsToken' });
    const auth = req.headers.authorization ?? '';
    const want = Buffer.from(`Bearer ${token}`);
    const got = Buffer.from(auth.slice(0, 300));
    if (got.length !== want.length || !timingSafeEqual(got, want))
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ error: 'scrape token missing or wrong' });
    const live = deps.live.current();
    let takeovers: TakeoverSample[] = [];
    try {
      const r = await deps.daemon(
        'takeovers',
        { limit: 50 },
        { user: 'metrics', role: 'viewer', address: req.ip },
      );
      const list = r.status === 'ok' ? (r.data as { takeovers?: unknown } | null)?.takeovers : undefined;
      // metrics.ts checks each record itself.
      if (Array.isArray(list)) takeovers = list as TakeoverSample[];
    } catch {
      // The daemon down: the metrics say so (tandem_daemon_up 0) without the history.
    }
    // metrics.ts checks every field it reads itself; the report's shape was checked on arrival.
    const report = live.daemon === 'offline' ? null : (live.report as StatusReport | null);
    return reply
      .header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
      .send(prometheusText({ report, takeovers }));
  });
}
