/**
 * The console's HTTP API (express): the app, the browser's page and script,
 * and the one error handler; the routes are in routes/, one module per
 * part (sessions, live state, alarms, series, maintenance, administration,
 * reports), all under the same guards (apiGuards.ts). Every parameter is
 * validated (400 with what was wrong), unknown routes are 404, and no answer
 * ever carries a stack trace or a credential. Mutations need a session, the
 * role that may make them, and the session's CSRF token; each is written to
 * the audit log.
 */
import { createServer, type Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { Refusal } from '../../shared/errors/refusal.ts';
import type { ApiDeps } from './apiDeps.ts';
import { guards, HttpError, REFUSAL_STATUS, type Authed } from './apiGuards.ts';
import { OPENAPI } from './openApi.ts';
import { adminRoutes } from './routes/adminRoutes.ts';
import { alarmRoutes } from './routes/alarmRoutes.ts';
import { liveRoutes } from './routes/liveRoutes.ts';
import { maintenanceRoutes } from './routes/maintenanceRoutes.ts';
import { reportRoutes } from './routes/reportRoutes.ts';
import { seriesRoutes } from './routes/seriesRoutes.ts';
import { sessionRoutes } from './routes/sessionRoutes.ts';
import { cookieValue, SESSION_COOKIE, SessionStore } from './sessions.ts';
import { chooseEncoding } from './webAssets.ts';

/** The sessions the deps name, or a store in memory (tests) that holds each session to its user's standing. */
const sessionsOf = (d: ApiDeps) => d.sessions ?? new SessionStore({ now: d.now, standing: (u) => d.users.standing(u) });

export function createApiApp(d: ApiDeps): express.Express {
  const sessions = sessionsOf(d);
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '16kb' }));
  app.use((req: Authed, _res, next) => {
    req.session = sessions.get(cookieValue(req.headers.cookie, SESSION_COOKIE)) ?? undefined;
    next();
  });
  const g = guards();
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

  sessionRoutes(app, d, g, sessions);
  liveRoutes(app, d, g);
  alarmRoutes(app, d, g);
  seriesRoutes(app, d, g);
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
  const sessions = sessionsOf(d);
  // The same object, not a copy: `nms reload` replaces the model in it, and the routes read it per request.
  d.sessions = sessions;
  const app = createApiApp(d);
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
