/** Logging in and out: a session cookie, its CSRF token, and a limit on failed logins per address and name. */
import type { Express } from 'express';
import { z } from 'zod';
import type { ApiDeps } from '../apiDeps.ts';
import { HttpError, parse, requestIp, type Authed, type Guards } from '../apiGuards.ts';
import { LoginLimiter } from '../loginLimiter.ts';
import { SESSION_COOKIE, type SessionStore } from '../sessions.ts';
import { verifyLogin } from '../users.ts';

export function sessionRoutes(app: Express, d: ApiDeps, g: Guards, sessions: SessionStore): void {
  const { needSession, mutation } = g;
  const limiter = new LoginLimiter(undefined, d.now);

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
    res.cookie(SESSION_COOKIE, sessions.cookieOf(s), { httpOnly: true, sameSite: 'strict', secure: d.secureCookies ?? false, path: '/' });
    d.audit.record({ user: user.username, action: 'login', target: null, ip });
    res.json({ username: s.username, role: s.role, csrfToken: s.csrfToken });
  });

  app.get('/api/session', (req: Authed, res) => {
    const s = needSession(req);
    res.json({ username: s.username, role: s.role, csrfToken: s.csrfToken });
  });

  app.post('/api/logout', (req: Authed, res) => {
    const s = mutation(req, null);
    sessions.destroy(s);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.json({ ok: true });
  });
}
