/** Maintenance windows (维护窗口) through the API: anyone logged in lists them; operators enter and end them. */
import type { Express } from 'express';
import { z } from 'zod';
import type { ApiDeps } from '../apiDeps.ts';
import { HttpError, parse, requestIp, type Authed, type Guards } from '../apiGuards.ts';

export function maintenanceRoutes(app: Express, d: ApiDeps, g: Guards): void {
  const maintenanceBody = z.strictObject({
    subjects: z.array(z.string().min(1).max(100)).min(1).max(500),
    from: z.iso.datetime({ offset: true, error: 'must be a date and time with its zone, like 2026-11-28T22:00:00+08:00' }),
    to: z.iso.datetime({ offset: true, error: 'must be a date and time with its zone, like 2026-11-29T02:00:00+08:00' }),
    reason: z.string().trim().min(1).max(300),
  });
  const maintenance = () => {
    if (!d.maintenance) throw new HttpError(501, 'no maintenance windows on this server');
    return d.maintenance;
  };

  app.get('/api/maintenance', (req: Authed, res) => {
    g.needSession(req);
    res.json({ windows: maintenance().list() });
  });
  app.post('/api/maintenance', (req: Authed, res) => {
    const s = g.mutation(req, 'act');
    const body = parse(maintenanceBody, req.body ?? {}, 'body');
    const w = maintenance().add({ subjects: body.subjects, fromMs: Date.parse(body.from), toMs: Date.parse(body.to), reason: body.reason }, s.username);
    d.audit.record({ user: s.username, action: 'maintenance-add', target: w.id, ip: requestIp(req) });
    res.status(201).json(w);
  });
  app.delete('/api/maintenance/:id', (req: Authed, res) => {
    const s = g.mutation(req, 'act');
    const id = parse(z.string().min(1).max(100), req.params.id, 'window id');
    const w = maintenance().remove(id);
    d.audit.record({ user: s.username, action: 'maintenance-end', target: id, ip: requestIp(req) });
    res.json(w);
  });
}
