/** Reports through the API: made on demand in any format, and those the schedules stored. */
import { readFile } from 'node:fs/promises';
import type { Express, Response } from 'express';
import { z } from 'zod';
import { parsePeriod, PeriodError } from '../../../shared/time/reportPeriod.ts';
import { buildReport } from '../../reports/reportBuilder.ts';
import { resolveScope, ScopeError } from '../../reports/reportScope.ts';
import { REPORT_FORMATS } from '../../../shared/reports/reportFormats.ts';
import { CONTENT_TYPES, renderReport, reportFileName } from '../../reports/render/renderReport.ts';
import type { ApiDeps } from '../apiDeps.ts';
import { HttpError, parse, type Authed, type Guards } from '../apiGuards.ts';

export function reportRoutes(app: Express, d: ApiDeps, g: Guards): void {
  const reports = () => {
    if (!d.reports) throw new HttpError(501, 'reports need InfluxQL (InfluxDB 1.x); this server writes through the v2 API only');
    return d.reports;
  };
  /** A file for download; its name in both the plain and the UTF-8 form, for Chinese names. */
  const download = (res: Response, name: string, type: string, body: Buffer, inline = false) => {
    res
      .set('content-type', type)
      .set(
        'content-disposition',
        `${inline ? 'inline' : 'attachment'}; filename="${name.replace(/[^\x20-\x7e]|"/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      );
    // A report page is shown framed in the console; it carries no script and may load nothing.
    if (type.startsWith('text/html'))
      res.set('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'");
    res.send(body);
  };
  app.get('/api/reports', async (req: Authed, res) => {
    g.needSession(req);
    const r = reports();
    const q = parse(
      z.strictObject({
        period: z.string().min(1).max(40),
        scope: z.string().min(1).max(120).default('network'),
        format: z.enum(REPORT_FORMATS).default('json'),
        lang: z.enum(['zh', 'en']).default('zh'),
      }),
      req.query,
      'query',
    );
    let period: ReturnType<typeof parsePeriod>;
    let scope: ReturnType<typeof resolveScope>;
    try {
      period = parsePeriod(q.period, d.topology.network.timezone);
      scope = resolveScope(d.topology, q.scope);
    } catch (err) {
      if (err instanceof PeriodError) throw new HttpError(400, `query.period: ${err.message}`);
      if (err instanceof ScopeError) throw new HttpError(400, `query.scope: ${err.message}`);
      throw err;
    }
    const report = await buildReport(r.sources, period, scope);
    if (q.format === 'json') {
      res.json(report);
      return;
    }
    download(res, reportFileName(report, q.format), CONTENT_TYPES[q.format], await renderReport(report, q.format, q.lang), q.format === 'html');
  });
  app.get('/api/reports/stored', (req: Authed, res) => {
    g.needSession(req);
    res.json({ reports: reports().scheduler?.stored() ?? [] });
  });
  app.get('/api/reports/stored/:schedule/:file', async (req: Authed, res) => {
    g.needSession(req);
    const schedule = parse(z.string().min(1).max(40), req.params.schedule, 'schedule');
    const file = parse(z.string().min(1).max(200), req.params.file, 'file');
    const path = reports().scheduler?.storedPath(schedule, file);
    if (!path) throw new HttpError(404, `no stored report ${schedule}/${file}`);
    const format = file.slice(file.lastIndexOf('.') + 1) as keyof typeof CONTENT_TYPES;
    download(res, file, CONTENT_TYPES[format] ?? 'application/octet-stream', await readFile(path), format === 'html');
  });
}
