/**
 * The console's HTTP API (express): sessions and roles, the topology, live
 * status and alarms. Every parameter is validated (400 with what was wrong),
 * unknown routes are 404, and no answer ever carries a stack trace or a
 * credential. Mutations need a session, the operator role, and the
 * session's CSRF token; each is written to the audit log. Maintenance,
 * administration and reports are routes of their own (routes/), under the
 * same guards (apiGuards.ts).
 */
import { createServer, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { ALARM_KINDS, SEVERITIES, alarmState, type Alarm } from '../../shared/alarms/types.ts';
import { Refusal } from '../../shared/errors/refusal.ts';
import { weightedAvailabilityPct } from '../../shared/sla/weightedAvailability.ts';
import { guards, HttpError, parse, REFUSAL_STATUS, requestIp, type Authed } from './apiGuards.ts';
import { LoginLimiter } from './loginLimiter.ts';
import { OPENAPI } from './openApi.ts';
import { adminRoutes } from './routes/adminRoutes.ts';
import { maintenanceRoutes } from './routes/maintenanceRoutes.ts';
import { reportRoutes } from './routes/reportRoutes.ts';
import { circuitQualitySeriesPlan, circuitSeriesPlan, deviceSeriesPlan, type SeriesPlan } from './seriesQuery.ts';
import { cookieValue, SESSION_COOKIE, SessionStore } from './sessions.ts';
import type { Topology } from '../../shared/model/topology.ts';
import type { ApiDeps } from './apiDeps.ts';
import { chooseEncoding } from './webAssets.ts';
import { verifyLogin } from './users.ts';

/** How long one built snapshot of the live state is shared between clients. */
const SNAPSHOT_SHARE_MS = 1000;

const alarmQuery = z.strictObject({
  // "history" is what the console calls cleared alarms, and what a person types.
  state: z.preprocess((v) => (v === 'history' ? 'cleared' : v), z.enum(['active', 'cleared', 'all'])).default('active'),
  severity: z.enum(SEVERITIES).optional(),
  kind: z.enum(ALARM_KINDS).optional(),
  circuit: z.string().max(100).optional(),
  device: z.string().max(100).optional(),
  acked: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

export function createApiApp(d: ApiDeps): express.Express {
  const sessions = d.sessions ?? new SessionStore(undefined, d.now);
  const limiter = new LoginLimiter(undefined, d.now);
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '16kb' }));
  app.use((req: Authed, _res, next) => {
    req.session = sessions.get(cookieValue(req.headers.cookie, SESSION_COOKIE)) ?? undefined;
    next();
  });
  const g = guards();
  const { needSession, mutation } = g;
  let cached: { seq: number; builtAtMs: number; json: string; gzip: Buffer } | null = null;
  /**
   * The whole state, as of now. One built less than a second ago with no
   * status change since is shared by every client asking meanwhile (the
   * state is a few MB at province scale); anything older is rebuilt before
   * answering: a screen opened during an outage must show it, not the last
   * copy someone happened to load.
   */
  const snapshot = () => {
    const seq = d.feed?.seq ?? 0;
    const nowMs = Date.now();
    if (cached && cached.seq === seq && nowMs - cached.builtAtMs < SNAPSHOT_SHARE_MS) return cached;
    const json = JSON.stringify({ seq, asOfMs: nowMs, ...d.feed?.freshness(), circuits: [...d.live.circuits.values()], devices: [...d.live.devices.values()] });
    cached = { seq, builtAtMs: nowMs, json, gzip: gzipSync(json, { level: 1 }) };
    return cached;
  };

  if (d.web) {
    const web = d.web;
    // Only our own script and styles: an injected <script> could not run even if one got in.
    const csp = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";
    app.get('/', (_req, res) => {
      // Never kept: it names the script of this very build.
      res.set('content-security-policy', csp).set('x-content-type-options', 'nosniff').set('cache-control', 'no-cache').type('html').send(web.html);
    });
    app.get(web.script.path, (req, res) => {
      const encoding = chooseEncoding(req.get('accept-encoding'), ['br', 'gzip']);
      res.set('x-content-type-options', 'nosniff').set('content-type', web.script.type).set('vary', 'accept-encoding');
      // The name holds a hash of the content: the same name is the same bytes for ever.
      res.set('cache-control', 'public, max-age=31536000, immutable');
      if (encoding) res.set('content-encoding', encoding);
      res.send(encoding === 'br' ? web.script.brotli : encoding === 'gzip' ? web.script.gzip : web.script.raw);
    });
  }

  app.get('/api/openapi.json', (_req, res) => {
    res.json(OPENAPI);
  });

  app.post('/api/login', (req: Authed, res) => {
    const body = parse(z.strictObject({ username: z.string().min(1).max(100), password: z.string().min(1).max(200) }), req.body, 'body');
    const ip = requestIp(req);
    const wait = limiter.retryAfterS(ip, body.username);
    if (wait > 0) {
      res.set('retry-after', String(wait));
      throw new HttpError(429, `too many failed logins; try again in ${wait} s`);
    }
    const user = verifyLogin(d.users.all(), body.username, body.password);
    if (!user) {
      limiter.failed(ip, body.username);
      d.audit.record({ user: body.username, action: 'login-failed', target: null, ip });
      throw new HttpError(401, 'wrong username or password');
    }
    limiter.succeeded(ip, body.username);
    const s = sessions.create(user.username, user.role);
    res.cookie(SESSION_COOKIE, s.id, { httpOnly: true, sameSite: 'strict', secure: d.secureCookies ?? false, path: '/' });
    d.audit.record({ user: user.username, action: 'login', target: null, ip });
    res.json({ username: s.username, role: s.role, csrfToken: s.csrfToken });
  });

  app.get('/api/session', (req: Authed, res) => {
    const s = needSession(req);
    res.json({ username: s.username, role: s.role, csrfToken: s.csrfToken });
  });

  app.post('/api/logout', (req: Authed, res) => {
    const s = mutation(req, null);
    sessions.destroy(s.id);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.json({ ok: true });
  });

  app.get('/api/topology', (req: Authed, res) => {
    needSession(req);
    const t = d.topology;
    res.json({
      network: t.network,
      // Province → city → county → department, as ids; the sites themselves are in `sites`.
      tree: siteTree(t),
      sites: t.sites,
      // Devices without their SNMP profile: the console never needs credentials or their names.
      devices: t.devices.map(({ snmpProfile: _profile, ...rest }) => rest),
      circuits: t.circuits,
      slaTiers: [...t.slaTiers.values()],
    });
  });

  app.get('/api/live', (req: Authed, res) => {
    needSession(req);
    const q = parse(z.strictObject({ since: z.coerce.number().int().min(0).optional() }), req.query, 'query');
    const batches = q.since !== undefined && d.feed ? d.feed.since(q.since) : null;
    // Since a known batch: only what changed. Otherwise (first load, or too far behind): everything.
    if (batches) {
      res.json({ seq: d.feed!.seq, batches });
      return;
    }
    const snap = snapshot();
    res.set('content-type', 'application/json; charset=utf-8').set('vary', 'accept-encoding');
    if (chooseEncoding(req.get('accept-encoding'), ['gzip']) === 'gzip') res.set('content-encoding', 'gzip').send(snap.gzip);
    else res.send(snap.json);
  });

  app.get('/api/pollers', (req: Authed, res) => {
    needSession(req);
    res.json({ pollers: d.pollers?.() ?? [] });
  });

  app.get('/api/alarms', (req: Authed, res) => {
    needSession(req);
    const q = parse(alarmQuery, req.query, 'query');
    const all: Alarm[] =
      q.state === 'active'
        ? d.alarms.engine.active()
        : q.state === 'cleared'
          ? d.alarms.engine.history().reverse()
          : [...d.alarms.engine.active(), ...d.alarms.engine.history().reverse()];
    const list = all.filter(
      (a) =>
        (!q.severity || a.severity === q.severity) &&
        (!q.kind || a.kind === q.kind) &&
        (!q.circuit || a.subject.id === q.circuit || a.impactedCircuits.includes(q.circuit)) &&
        (!q.device || (a.subject.type === 'device' && a.subject.id === q.device)) &&
        (!q.acked || (a.ack !== null) === (q.acked === 'true')),
    );
    res.json({ total: list.length, alarms: list.slice(0, q.limit).map((a) => ({ ...a, state: alarmState(a), pushes: d.alarms.pushesOf(a.id) })) });
  });

  /** A time range from ISO strings or ms: from < to, at most five years, not in the future. */
  const range = (query: unknown) => {
    const time = z.union([z.coerce.number().int().positive(), z.iso.datetime({ offset: true }).transform((t) => Date.parse(t))]);
    const r = parse(z.strictObject({ from: time, to: time, points: z.coerce.number().int().min(10).max(2000).default(500) }), query, 'query');
    if (r.from >= r.to) throw new HttpError(400, 'query.to: must be after from');
    if (r.to - r.from > 5 * 366 * 86_400_000) throw new HttpError(400, 'query: a range of at most five years');
    return r;
  };
  const circuitParam = (req: Request) => {
    const id = parse(z.string().min(1).max(100), req.params.id, 'circuit id');
    if (!d.topology.circuitById.has(id)) throw new HttpError(404, `no circuit "${id}"`);
    return id;
  };

  const deviceParam = (req: Request) => {
    const id = parse(z.string().min(1).max(100), req.params.id, 'device id');
    if (!d.topology.deviceById.has(id)) throw new HttpError(404, `no device "${id}"`);
    return id;
  };
  const series = async (planFor: (database: string) => SeriesPlan) => {
    if (!d.influx) throw new HttpError(501, 'time series need InfluxQL (InfluxDB 1.x); this server writes through the v2 API only');
    const plan = planFor(d.influx.database);
    const rows = await d.influx.query(plan.query);
    return {
      retentionPolicy: plan.retentionPolicy,
      bucketS: plan.bucketS,
      rows: rows.map((row): Record<string, unknown> & { timeMs: number } => ({ ...row, timeMs: new Date(row.time as string).getTime() })),
    };
  };

  app.get('/api/circuits/:id/series', async (req: Authed, res) => {
    needSession(req);
    const id = circuitParam(req);
    const r = range(req.query);
    const { rows, ...plan } = await series((db) => circuitSeriesPlan(db, id, r.from, r.to, r.points));
    res.json({
      circuit: id,
      contractBps: d.topology.circuit(id).bandwidthBps,
      ...plan,
      points: rows.map((row) => ({
        timeMs: row.timeMs,
        inBps: row.in_bps,
        outBps: row.out_bps,
        inPeakBps: row.in_peak_bps,
        outPeakBps: row.out_peak_bps,
        inErrors: row.in_errors,
        outErrors: row.out_errors,
      })),
    });
  });

  app.get('/api/circuits/:id/quality', async (req: Authed, res) => {
    needSession(req);
    const id = circuitParam(req);
    const r = range(req.query);
    const c = d.topology.circuit(id);
    const { rows, ...plan } = await series((db) => circuitQualitySeriesPlan(db, id, r.from, r.to, r.points));
    const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
    res.json({
      circuit: id,
      probed: c.probe !== null,
      limits: d.topology.slaTiers.get(c.slaTier)?.quality ?? null,
      ...plan,
      points: rows.map((row) => {
        const sent = n(row.sent) ?? 0;
        return {
          timeMs: row.timeMs,
          rttMinMs: n(row.rtt_min_ms),
          rttMedianMs: n(row.rtt_median_ms),
          rttMaxMs: n(row.rtt_max_ms),
          lossPct: sent ? (100 * (sent - (n(row.received) ?? 0))) / sent : null,
          jitterMs: n(row.jitter_ms),
        };
      }),
    });
  });

  app.get('/api/devices/:id/series', async (req: Authed, res) => {
    needSession(req);
    const id = deviceParam(req);
    const r = range(req.query);
    const { rows, ...plan } = await series((db) => deviceSeriesPlan(db, id, r.from, r.to, r.points));
    res.json({
      device: id,
      ...plan,
      points: rows.map((row) => ({
        timeMs: row.timeMs,
        cpuPct: row.cpu_pct,
        cpuPeakPct: row.cpu_peak_pct,
        memPct: row.mem_pct,
        reachableMin: row.reachable_min,
      })),
    });
  });

  app.get('/api/devices/:id/interfaces', async (req: Authed, res) => {
    needSession(req);
    const id = deviceParam(req);
    if (!d.inventory) throw new HttpError(501, 'no collector on this server');
    try {
      res.json(await d.inventory(id));
    } catch (err) {
      // The device (or the way to it) failed, not this server: 502, with what was being read.
      throw new HttpError(502, (err as Error).message);
    }
  });

  app.get('/api/circuits/:id/sla', (req: Authed, res) => {
    needSession(req);
    const id = circuitParam(req);
    const r = range(req.query);
    if (!d.ledger) throw new HttpError(501, 'no SLA ledger on this server');
    const now = (d.now ?? Date.now)();
    res.json(d.ledger.availability(id, r.from, r.to, d.alarms.engine.active(), now));
  });

  app.get('/api/sla', (req: Authed, res) => {
    needSession(req);
    const r = range(req.query);
    if (!d.ledger) throw new HttpError(501, 'no SLA ledger on this server');
    const now = (d.now ?? Date.now)();
    const active = d.alarms.engine.active();
    const circuits = d.topology.circuits.map((c) => d.ledger!.availability(c.id, r.from, r.to, active, now));
    res.json({
      fromMs: r.from,
      toMs: r.to,
      availabilityPct: weightedAvailabilityPct(circuits),
      circuits: circuits.map(({ outages: _o, ...a }) => a),
    });
  });

  const alarmAction = (action: 'acknowledge' | 'shelve') => (req: Authed, res: Response) => {
    const s = mutation(req, 'act');
    const id = parse(z.string().min(1).max(200), req.params.id, 'alarm id');
    let event: ReturnType<ApiDeps['alarms']['acknowledge']>;
    if (action === 'acknowledge') {
      const body = parse(z.strictObject({ comment: z.string().max(500).default('') }), req.body ?? {}, 'body');
      event = d.alarms.acknowledge(id, s.username, body.comment);
    } else {
      const body = parse(
        z.strictObject({
          minutes: z
            .number()
            .int()
            .min(1)
            .max(7 * 24 * 60),
        }),
        req.body ?? {},
        'body',
      );
      event = d.alarms.shelve(id, (d.now ?? Date.now)() + body.minutes * 60_000);
    }
    d.audit.record({ user: s.username, action, target: id, ip: requestIp(req) });
    res.json(event.alarm);
  };
  app.post('/api/alarms/:id/ack', alarmAction('acknowledge'));
  app.post('/api/alarms/:id/shelve', alarmAction('shelve'));

  maintenanceRoutes(app, d, g);
  adminRoutes(app, d, g, sessions);
  reportRoutes(app, d, g);

  app.use('/api', (_req, _res, next) => next(new HttpError(404, 'no such API route')));
  app.use((_req, _res, next) => next(new HttpError(404, 'not found')));
  // Express's error handler prints stacks; ours answers with a plain message and logs server faults.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof HttpError) {
      res.status(err.status).json({ error: err.message });
      return;
    }
    if (err instanceof Refusal) {
      res.status(REFUSAL_STATUS[err.code]).json({ error: err.message });
      return;
    }
    const e = err as { type?: string; status?: number; message?: string };
    if (e.type === 'entity.parse.failed' || e.type === 'entity.too.large') {
      res.status(e.status ?? 400).json({ error: e.type === 'entity.too.large' ? 'request body too large' : 'body: not valid JSON' });
      return;
    }
    d.log.error(`${req.method} ${req.path}: ${e.message ?? String(err)}`);
    res.status(500).json({ error: 'internal error; see the server log' });
  });
  return app;
}

interface SiteNode {
  id: string;
  children: SiteNode[];
}

/** The sites as a tree of ids, from the roots (the province, or the city if it has no parent) down. */
function siteTree(t: Topology): SiteNode[] {
  const nodes = new Map(t.sites.map((s) => [s.id, { id: s.id, children: [] as SiteNode[] }]));
  const roots: SiteNode[] = [];
  for (const s of t.sites) {
    const parent = s.parentId ? nodes.get(s.parentId) : undefined;
    (parent ? parent.children : roots).push(nodes.get(s.id)!);
  }
  return roots;
}

/**
 * Whether a WebSocket's Origin is the console's own page. Browsers always
 * send Origin on an upgrade; a client without one (a script, a test) is not
 * a browser tricked by another site, and still needs the session.
 */
export function sameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** Listens on host:port (0 picks a free one) and hands WebSocket upgrades with a session to the hub. */
export async function startApiServer(d: ApiDeps, o: { port: number; host?: string }): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const sessions = d.sessions ?? new SessionStore(undefined, d.now);
  const app = createApiApp({ ...d, sessions });
  const server = createServer(app);
  server.on('upgrade', (req, socket, head) => {
    // The WebSocket carries the same session as the page; without one it is refused.
    const token = cookieValue(req.headers.cookie, SESSION_COOKIE);
    if (!d.hub || req.url !== '/ws' || !sessions.get(token)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    // The cookie goes with a WebSocket opened by any page the browser has open (no SameSite for
    // upgrades in every browser, no CORS): a page from elsewhere must not read the live feed.
    if (!sameOrigin(req.headers.origin, req.headers.host)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    d.hub.handleUpgrade(req, socket, head, token);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(`console: cannot listen on ${o.host ?? '127.0.0.1'}:${o.port}: ${err.code ?? err.message}`)),
    );
    server.listen(o.port, o.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as { port: number };
  return {
    url: `http://${o.host ?? '127.0.0.1'}:${address.port}`,
    server,
    close: async () => {
      // WebSockets first: an upgraded socket keeps server.close() waiting for as long as the browser stays.
      await d.hub?.close();
      const done = new Promise<void>((r) => server.close(() => r()));
      // Idle keep-alive connections would hold it too; a request still running gets a moment to finish.
      server.closeIdleConnections();
      const cut = setTimeout(() => server.closeAllConnections(), 1500);
      await done;
      clearTimeout(cut);
    },
  };
}
