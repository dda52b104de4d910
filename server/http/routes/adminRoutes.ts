/** Administration through the API: console users (admins only) and the running configuration, without secrets. */
import type { Express } from 'express';
import { z } from 'zod';
import { ROLES } from '../../../shared/auth/roles.ts';
import type { ApiDeps } from '../apiDeps.ts';
import { HttpError, parse, requestIp, type Authed, type Guards } from '../apiGuards.ts';
import type { SessionStore } from '../sessions.ts';

export function adminRoutes(app: Express, d: ApiDeps, g: Guards, sessions: SessionStore): void {
  app.get('/api/admin/users', (req: Authed, res) => {
    g.adminRead(req);
    res.json({ users: d.users.list() });
  });
  app.put('/api/admin/users/:username', (req: Authed, res) => {
    const s = g.mutation(req, 'administer');
    const username = parse(z.string().min(1).max(32), req.params.username, 'username');
    const body = parse(z.strictObject({ role: z.enum(ROLES), password: z.string().max(200).optional() }), req.body ?? {}, 'body');
    const entry = d.users.put(username, body.role, body.password ?? null);
    // A changed role or password takes effect now: the user's open sessions end.
    sessions.destroyUser(username);
    d.audit.record({ user: s.username, action: 'user-put', target: username, ip: requestIp(req) });
    res.json(entry);
  });
  app.delete('/api/admin/users/:username', (req: Authed, res) => {
    const s = g.mutation(req, 'administer');
    const username = parse(z.string().min(1).max(32), req.params.username, 'username');
    if (username === s.username) throw new HttpError(400, 'username: an admin cannot remove themselves');
    d.users.remove(username);
    sessions.destroyUser(username);
    d.audit.record({ user: s.username, action: 'user-remove', target: username, ip: requestIp(req) });
    res.json({ ok: true });
  });
  app.get('/api/admin/config', (req: Authed, res) => {
    g.adminRead(req);
    res.json(d.configSummary ?? {});
  });
}
