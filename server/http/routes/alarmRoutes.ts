/** The alarm list, filtered, and the operator's acknowledgement and shelving, each in the audit log. */
import type { Express, Response } from 'express';
import { z } from 'zod';
import { ALARM_KINDS, SEVERITIES, alarmState, type Alarm } from '../../../shared/alarms/types.ts';
import type { ApiDeps } from '../apiDeps.ts';
import { parse, requestIp, type Authed, type Guards } from '../apiGuards.ts';

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

export function alarmRoutes(app: Express, d: ApiDeps, g: Guards): void {
  const { needSession, mutation } = g;
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
}
