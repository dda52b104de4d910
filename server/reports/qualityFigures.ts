/**
 * Quality figures for a report, from InfluxDB's circuit_quality: per circuit,
 * the median and 95th percentile of the 5-minute means of the rounds' median
 * round trips (and of jitter), loss as lost ÷ sent over the period and the
 * 95th percentile of 5-minute loss, and the degraded seconds the prober
 * judged. Read from the 5-minute rollup (what a month report uses) or from
 * raw rounds grouped the same way. The breaches' evidence (episodes: runs of
 * degraded rounds, with their figures) is always read from raw rounds, which
 * are few: only the degraded ones are fetched.
 */
import type { Topology } from '../../shared/model/topology.ts';
import type { Circuit } from '../../shared/model/types.ts';
import type { QualityMeasure } from '../../shared/quality/circuitQuality.ts';
import { hasQualityLimits, qualityBreaches } from '../../shared/quality/circuitQuality.ts';
import type { QualityEpisode, QualityFigures } from '../../shared/reports/reportModel.ts';
import type { InfluxQuery } from '../influx/store.ts';
import type { TrafficSource } from './trafficFigures.ts';

const quote = (s: string) => s.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
const regexQuote = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function where(fromMs: number, toMs: number, circuits: readonly string[]): string {
  const range = `time >= ${fromMs}ms AND time < ${toMs}ms`;
  return circuits.length === 1 ? `${range} AND "circuit" = '${quote(circuits[0]!)}'` : `${range} AND "circuit" =~ /^(${circuits.map(regexQuote).join('|')})$/`;
}

/** 5-minute buckets as the rollup holds them: from the rollup itself, or made on the spot from raw rounds. */
function buckets(db: string, source: TrafficSource, w: string): string {
  return source === 'rollup_5m'
    ? `SELECT sent, received, rtt_median_ms, jitter_ms, degraded_s, round_s FROM "${db}"."rollup_5m"."circuit_quality" WHERE ${w}`
    : `SELECT sum("sent") AS sent, sum("received") AS received, mean("rtt_median_ms") AS rtt_median_ms, mean("jitter_ms") AS jitter_ms, sum("degraded_s") AS degraded_s, sum("round_s") AS round_s FROM "${db}"."raw"."circuit_quality" WHERE ${w} GROUP BY time(5m), "circuit" fill(none)`;
}

interface Totals {
  sent: number;
  received: number;
  degradedS: number;
  probedS: number;
  rttMedianMs: number | null;
  rttP95Ms: number | null;
  jitterMedianMs: number | null;
  jitterP95Ms: number | null;
  lossP95Pct: number | null;
}

async function totals(influx: InfluxQuery, fromMs: number, toMs: number, ids: readonly string[], source: TrafficSource): Promise<Map<string, Totals>> {
  const b = buckets(influx.database, source, where(fromMs, toMs, ids));
  const [main, loss] = await Promise.all([
    influx.query(
      `SELECT sum("sent") AS sent, sum("received") AS received, sum("degraded_s") AS degraded_s, sum("round_s") AS round_s, ` +
        `median("rtt_median_ms") AS rtt_median, percentile("rtt_median_ms", 95) AS rtt_p95, median("jitter_ms") AS jitter_median, percentile("jitter_ms", 95) AS jitter_p95 ` +
        `FROM (${b}) GROUP BY "circuit"`,
    ),
    influx.query(`SELECT percentile("loss", 95) AS loss_p95 FROM (SELECT 100 * ("sent" - "received") / "sent" AS loss FROM (${b})) GROUP BY "circuit"`),
  ]);
  const lossOf = new Map(loss.filter((r) => typeof r.circuit === 'string').map((r) => [r.circuit as string, num(r.loss_p95)]));
  const out = new Map<string, Totals>();
  for (const r of main) {
    if (typeof r.circuit !== 'string') continue;
    out.set(r.circuit, {
      sent: num(r.sent) ?? 0,
      received: num(r.received) ?? 0,
      degradedS: num(r.degraded_s) ?? 0,
      probedS: num(r.round_s) ?? 0,
      rttMedianMs: num(r.rtt_median),
      rttP95Ms: num(r.rtt_p95),
      jitterMedianMs: num(r.jitter_median),
      jitterP95Ms: num(r.jitter_p95),
      lossP95Pct: lossOf.get(r.circuit) ?? null,
    });
  }
  return out;
}

interface DegradedRound {
  timeMs: number;
  roundS: number;
  sent: number;
  received: number;
  rttMedianMs: number | null;
  jitterMs: number | null;
  lossPct: number;
}

/** Runs of degraded rounds, per circuit; a gap of more than half a round ends a run. */
async function episodes(
  influx: InfluxQuery,
  t: Topology,
  fromMs: number,
  toMs: number,
  ids: readonly string[],
): Promise<Map<string, Omit<QualityEpisode, 'own' | 'chargedTo'>[]>> {
  const rows = await influx.query(
    `SELECT sent, received, rtt_median_ms, jitter_ms, loss_pct, round_s FROM "${influx.database}"."raw"."circuit_quality" WHERE ${where(fromMs, toMs, ids)} AND degraded_s > 0 GROUP BY "circuit"`,
  );
  const byCircuit = new Map<string, DegradedRound[]>();
  for (const r of rows) {
    const timeMs = new Date(r.time as string).getTime();
    if (typeof r.circuit !== 'string' || Number.isNaN(timeMs)) continue;
    const list = byCircuit.get(r.circuit) ?? [];
    list.push({
      timeMs,
      roundS: num(r.round_s) ?? 0,
      sent: num(r.sent) ?? 0,
      received: num(r.received) ?? 0,
      rttMedianMs: num(r.rtt_median_ms),
      jitterMs: num(r.jitter_ms),
      lossPct: num(r.loss_pct) ?? 0,
    });
    byCircuit.set(r.circuit, list);
  }
  const out = new Map<string, Omit<QualityEpisode, 'own' | 'chargedTo'>[]>();
  for (const [id, list] of byCircuit) {
    list.sort((a, b) => a.timeMs - b.timeMs);
    const limits = t.slaTiers.get(t.circuit(id).slaTier)!.quality;
    const runs: DegradedRound[][] = [];
    for (const r of list) {
      const last = runs.at(-1)?.at(-1);
      if (last && r.timeMs - (last.timeMs + last.roundS * 1000) <= (r.roundS * 1000) / 2) runs.at(-1)!.push(r);
      else runs.push([r]);
    }
    out.set(
      id,
      runs.map((run) => {
        const sent = run.reduce((s, r) => s + r.sent, 0);
        const lossPct = sent ? (100 * (sent - run.reduce((s, r) => s + r.received, 0))) / sent : 0;
        const rtts = run.map((r) => r.rttMedianMs).filter((v): v is number => v !== null);
        const jitters = run.map((r) => r.jitterMs).filter((v): v is number => v !== null);
        const measures = new Set<QualityMeasure>();
        for (const r of run) for (const b of qualityBreaches(r, limits)) measures.add(b.measure);
        const last = run.at(-1)!;
        return {
          circuitId: id,
          startMs: run[0]!.timeMs,
          endMs: last.timeMs + last.roundS * 1000,
          degradedS: run.reduce((s, r) => s + r.roundS, 0),
          measures: [...measures],
          worstRttMs: rtts.length ? Math.max(...rtts) : null,
          lossPct,
          worstJitterMs: jitters.length ? Math.max(...jitters) : null,
        };
      }),
    );
  }
  return out;
}

/**
 * Every probed circuit of the scope with data in the period. An episode is
 * charged upstream when a circuit on the path above was degraded at the same
 * time (its departments' echoes cross it), as an outage would be.
 */
export async function qualityFigures(
  influx: InfluxQuery,
  t: Topology,
  scope: readonly Circuit[],
  fromMs: number,
  toMs: number,
  source: TrafficSource,
  nowMs: number,
): Promise<Map<string, QualityFigures>> {
  const probed = scope.filter((c) => c.probe);
  if (probed.length === 0) return new Map();
  // Upstream circuits are read too, to tell whose an episode is.
  const ids = new Set(probed.map((c) => c.id));
  const upstreamOf = (c: Circuit): Circuit[] => c.upstreamIds.flatMap((id) => [t.circuit(id), ...upstreamOf(t.circuit(id))]);
  for (const c of probed) for (const u of upstreamOf(c)) ids.add(u.id);
  const [sums, runs] = await Promise.all([
    totals(
      influx,
      fromMs,
      toMs,
      probed.map((c) => c.id),
      source,
    ),
    episodes(influx, t, fromMs, toMs, [...ids]),
  ]);
  const spanS = Math.max(0, (Math.min(toMs, nowMs) - fromMs) / 1000);
  const out = new Map<string, QualityFigures>();
  for (const c of probed) {
    const s = sums.get(c.id);
    if (!s || s.sent === 0) continue;
    const limits = t.slaTiers.get(c.slaTier)!.quality;
    const lossPct = (100 * (s.sent - s.received)) / s.sent;
    const episodes: QualityEpisode[] = (runs.get(c.id) ?? []).map((e) => {
      const root = upstreamOf(c).find((u) => (runs.get(u.id) ?? []).some((ue) => ue.startMs < e.endMs && e.startMs < ue.endMs));
      const by = root ?? c;
      return { ...e, own: root === undefined, chargedTo: { id: by.id, carrier: by.carrier, carrierCircuitId: by.carrierCircuitId } };
    });
    const judged = qualityBreaches({ lossPct, rttMedianMs: s.rttMedianMs, jitterMs: s.jitterMedianMs }, limits);
    out.set(c.id, {
      limits,
      probedS: s.probedS,
      coveragePct: spanS > 0 ? Math.min(100, (100 * s.probedS) / spanS) : 0,
      rttMedianMs: s.rttMedianMs,
      rttP95Ms: s.rttP95Ms,
      lossPct,
      lossP95Pct: s.lossP95Pct,
      jitterMedianMs: s.jitterMedianMs,
      jitterP95Ms: s.jitterP95Ms,
      met: hasQualityLimits(limits) ? judged.length === 0 : null,
      degradedS: s.degradedS,
      ownDegradedS: episodes.filter((e) => e.own).reduce((n, e) => n + e.degradedS, 0),
      episodes,
    });
  }
  return out;
}
