/**
 * History from InfluxDB and the SLA ledger: a circuit's traffic and quality,
 * a device's health and interfaces, availability over a range.
 */
import type { Express, Request } from 'express';
import { z } from 'zod';
import { weightedAvailabilityPct } from '../../../shared/sla/weightedAvailability.ts';
import type { ApiDeps } from '../apiDeps.ts';
import { HttpError, parse, type Authed, type Guards } from '../apiGuards.ts';
import { circuitQualitySeriesPlan, circuitSeriesPlan, deviceSeriesPlan, type SeriesPlan } from '../seriesQuery.ts';

export function seriesRoutes(app: Express, d: ApiDeps, g: Guards): void {
  const { needSession } = g;
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
  /** A figure InfluxDB gave, or null for a bucket without it. */
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
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
      points: rows.map((row) => {
        const answered = n(row.reachable_share);
        return {
          timeMs: row.timeMs,
          cpuPct: row.cpu_pct,
          cpuPeakPct: row.cpu_peak_pct,
          memPct: row.mem_pct,
          reachableMin: row.reachable_min,
          reachablePct: answered === null ? null : answered * 100,
          responseMs: row.response_ms,
          responsePeakMs: row.response_peak_ms,
        };
      }),
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
}
