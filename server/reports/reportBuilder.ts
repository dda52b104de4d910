/**
 * Builds a report: traffic and quality figures from InfluxDB (the 5-minute
 * rollup by default), availability and outages from the SLA ledger, for the circuits
 * of a scope over a period and the period before it; then the busiest
 * hours, capacity advice, top and bottom lists and the carrier scorecard.
 * Every figure states its basis in the report's method notes.
 */
import type { Alarm } from '../../shared/alarms/types.ts';
import type { Topology } from '../../shared/model/topology.ts';
import type { Circuit } from '../../shared/model/types.ts';
import {
  ADVICE_MIN_COVERAGE_PCT,
  DEFAULT_CAPACITY_THRESHOLDS,
  type CapacityThresholds,
  type CarrierScore,
  type CircuitFigures,
  type OutageCharge,
  type OutageRow,
  type Report,
} from '../../shared/reports/reportModel.ts';
import { previousPeriod, type ReportPeriod } from '../../shared/time/reportPeriod.ts';
import { weightedAvailabilityPct } from '../../shared/sla/weightedAvailability.ts';
import type { InfluxQuery } from '../influx/store.ts';
import { causeOf, isOwnOutage, type Availability, type OutageLedger } from '../alarms/outageLedger.ts';
import type { ResolvedScope } from './reportScope.ts';
import { DailyDigests } from './dailyDigests.ts';
import { qualityFigures } from './qualityFigures.ts';
import { digestTraffic, mean, p95, rawCircuitTraffic, rawScopeSeries, type CircuitTraffic, type ScopeInterval, type TrafficSource } from './trafficFigures.ts';

export interface ReportSources {
  topology: Topology;
  influx: InfluxQuery;
  /** Null where no ledger is kept: availability is then unknown, never assumed. */
  ledger: OutageLedger | null;
  activeAlarms: () => readonly Alarm[];
  now: () => number;
  /** Days of the 5-minute rollup kept under the data folder; without them every day is read from InfluxDB. */
  digests?: DailyDigests;
  thresholds?: CapacityThresholds;
}

const BUCKET_MS = 300_000;
const pct = (part: number | null, whole: number) => (part === null || whole <= 0 ? null : (100 * part) / whole);
const maxOf = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));

function outageRows(t: Topology, circuitId: string, a: Availability | null, fromMs: number, toMs: number): OutageRow[] {
  return (a?.outages ?? [])
    .filter((o) => !o.maintenance)
    .map((o) => {
      const cause = causeOf(o.cause);
      return {
        circuitId,
        startMs: o.startMs,
        endMs: o.endMs,
        durationS: (Math.min(o.endMs ?? toMs, toMs) - Math.max(o.startMs, fromMs)) / 1000,
        cause: o.cause,
        causeKind: cause.kind,
        own: isOwnOutage(o),
        chargedTo: chargeOf(t, cause.subjectId),
      };
    })
    .sort((x, y) => x.startMs - y.startMs);
}

/** The circuit, device or site an alarm subject id names; a circuit is charged to its carrier. */
function chargeOf(t: Topology, id: string): OutageCharge {
  const c = t.circuitById.get(id);
  if (c) return { type: 'circuit', id, carrier: c.carrier, carrierCircuitId: c.carrierCircuitId };
  return { type: t.deviceById.has(id) ? 'device' : 'site', id };
}

/** What a report is computed from: gathered from InfluxDB and the SLA ledger by gatherReportInputs. */
export interface ReportInputs {
  nowMs: number;
  traffic: ReadonlyMap<string, CircuitTraffic>;
  previousTraffic: ReadonlyMap<string, CircuitTraffic>;
  /** The scope's traffic, interval by interval, for its busiest hours. */
  series: readonly ScopeInterval[];
  quality: ReadonlyMap<string, CircuitFigures['quality']>;
  /** Null for a circuit where no ledger is kept. */
  availability: ReadonlyMap<string, Availability | null>;
  previousAvailability: ReadonlyMap<string, Availability | null>;
}

export async function buildReport(src: ReportSources, period: ReportPeriod, scope: ResolvedScope, source: TrafficSource = 'rollup_5m'): Promise<Report> {
  const inputs = await gatherReportInputs(src, period, scope, source);
  return computeReport(src.topology, period, scope, source, inputs, src.thresholds ?? DEFAULT_CAPACITY_THRESHOLDS);
}

/** The figures of the scope's circuits over the period and the one before, as the stores have them. */
export async function gatherReportInputs(src: ReportSources, period: ReportPeriod, scope: ResolvedScope, source: TrafficSource): Promise<ReportInputs> {
  const now = src.now();
  const prev = previousPeriod(period);
  let traffic: Map<string, CircuitTraffic>;
  let previousTraffic: Map<string, CircuitTraffic>;
  let series: ScopeInterval[];
  if (source === 'rollup_5m') {
    const digests = src.digests ?? new DailyDigests(src.influx, null, src.now);
    const all = scope.circuits.map((c) => c.id);
    const current = await digestTraffic(digests, period.fromMs, period.toMs, all);
    [traffic, series] = [current.perCircuit, current.series];
    previousTraffic = (await digestTraffic(digests, prev.fromMs, prev.toMs, all)).perCircuit;
  } else {
    // InfluxQL needs no filter for the whole network.
    const ids = scope.scope.kind === 'network' ? null : scope.circuits.map((c) => c.id);
    [traffic, previousTraffic, series] = await Promise.all([
      rawCircuitTraffic(src.influx, period.fromMs, period.toMs, ids),
      rawCircuitTraffic(src.influx, prev.fromMs, prev.toMs, ids),
      rawScopeSeries(src.influx, period.fromMs, period.toMs, ids, period.timeZone),
    ]);
  }
  const quality = await qualityFigures(src.influx, src.topology, scope.circuits, period.fromMs, period.toMs, source, now);
  const active = src.activeAlarms();
  const availability = (p: { fromMs: number; toMs: number }) =>
    new Map(scope.circuits.map((c) => [c.id, src.ledger?.availability(c.id, p.fromMs, p.toMs, active, now) ?? null]));
  return { nowMs: now, traffic, previousTraffic, series, quality, availability: availability(period), previousAvailability: availability(prev) };
}

/** The report, from its inputs alone: no store is read. */
export function computeReport(
  t: Topology,
  period: ReportPeriod,
  scope: ResolvedScope,
  source: TrafficSource,
  inputs: ReportInputs,
  th: CapacityThresholds,
): Report {
  const now = inputs.nowMs;
  const prev = previousPeriod(period);
  const { series, previousTraffic, previousAvailability } = inputs;
  const elapsedEnd = Math.min(period.toMs, now);
  const circuits = scope.circuits.map((c) => circuitFigures(t, c, period, elapsedEnd, inputs, th));

  // Availability over many circuits: known time up over known time, so a circuit with no data cannot pass for up.
  // Each fault once: by the circuit it was charged to, not again for every department behind it.
  const allOutages = circuits.flatMap((c) => c.outages).filter((o) => o.own);
  const closedDurations = allOutages.filter((o) => o.endMs !== null).map((o) => (o.endMs! - o.startMs) / 1000);
  const sumOf = (f: (c: CircuitFigures) => number | null) => {
    const xs = circuits.map(f).filter((x): x is number => x !== null);
    return xs.length ? xs.reduce((n, x) => n + x, 0) : null;
  };

  const hourProfile = hourProfileOf(series);
  const busiestHours = hourProfile
    .filter((h) => h.bps !== null)
    .sort((a, b) => b.bps! - a.bps!)
    .slice(0, 3)
    .map((h) => h.hour);

  const withData = circuits.filter((c) => c.utilization.p95Pct !== null);
  const carriers = carrierScores(circuits);

  const knownS = circuits.reduce((n, c) => n + c.availability.knownS, 0);
  const spanS = circuits.reduce((n, c) => n + Math.max(0, (elapsedEnd - period.fromMs) / 1000 - c.availability.maintenanceS), 0);
  return {
    format: 'nms-report/1',
    generatedAtMs: now,
    network: { id: t.network.id, name: t.network.name },
    period: { kind: period.kind, label: period.label, fromMs: period.fromMs, toMs: period.toMs, timeZone: period.timeZone },
    previousPeriod: { label: prev.label, fromMs: prev.fromMs, toMs: prev.toMs },
    scope: scope.scope,
    scopeName: scope.name,
    source,
    thresholds: th,
    totals: {
      circuits: circuits.length,
      contractBps: circuits.reduce((n, c) => n + c.contractBps, 0),
      in: { meanBps: mean(series.map((s) => s.inBps)), p95Bps: p95(series.map((s) => s.inBps)) },
      out: { meanBps: mean(series.map((s) => s.outBps)), p95Bps: p95(series.map((s) => s.outBps)) },
      trafficCoveragePct: circuits.length ? circuits.reduce((n, c) => n + c.coveragePct, 0) / circuits.length : 0,
      availabilityPct: weightedAvailabilityPct(circuits.map((c) => c.availability)),
      availabilityCoveragePct: spanS > 0 ? (100 * knownS) / spanS : 0,
      outageCount: circuits.reduce((n, c) => n + c.availability.outageCount, 0),
      mttrS: mean(closedDurations),
      previous: {
        inMeanBps: sumOf((c) => previousTraffic.get(c.circuitId)?.in.meanBps ?? null),
        outMeanBps: sumOf((c) => previousTraffic.get(c.circuitId)?.out.meanBps ?? null),
        availabilityPct: weightedAvailabilityPct([...previousAvailability.values()].map((a) => a ?? { knownS: 0, downS: 0 })),
      },
    },
    hourProfile,
    busiestHours,
    circuits,
    topBusiest: [...withData]
      .sort((a, b) => b.utilization.p95Pct! - a.utilization.p95Pct!)
      .slice(0, th.topN)
      .map((c) => c.circuitId),
    leastUsed: [...withData]
      .sort((a, b) => a.utilization.peakPct! - b.utilization.peakPct!)
      .slice(0, th.topN)
      .map((c) => c.circuitId),
    carriers,
  };
}

function circuitFigures(t: Topology, c: Circuit, period: ReportPeriod, elapsedEnd: number, inputs: ReportInputs, th: CapacityThresholds): CircuitFigures {
  const expectedBuckets = Math.max(0, Math.ceil((elapsedEnd - period.fromMs) / BUCKET_MS));
  const tr = inputs.traffic.get(c.id);
  const a = inputs.availability.get(c.id) ?? null;
  const tier = t.slaTiers.get(c.slaTier)!;
  const util = (f: 'meanBps' | 'peakBps' | 'p95Bps') => pct(maxOf(tr?.in[f] ?? null, tr?.out[f] ?? null), c.bandwidthBps);
  const utilization = { meanPct: util('meanBps'), peakPct: util('peakBps'), p95Pct: util('p95Bps') };
  const coveragePct = expectedBuckets ? Math.min(100, (100 * (tr?.buckets ?? 0)) / expectedBuckets) : 0;
  const advice =
    tr === undefined || coveragePct < ADVICE_MIN_COVERAGE_PCT
      ? 'too-little-data'
      : utilization.p95Pct !== null && utilization.p95Pct > th.upgradeP95Pct
        ? 'upgrade'
        : utilization.peakPct !== null && utilization.peakPct < th.downgradePeakPct
          ? 'downgrade'
          : null;
  const plannedS = a?.maintenanceS ?? 0;
  const spanS = Math.max(0, (elapsedEnd - period.fromMs) / 1000 - plannedS);
  const prevT = inputs.previousTraffic.get(c.id);
  return {
    circuitId: c.id,
    name: c.name,
    carrier: c.carrier,
    carrierCircuitId: c.carrierCircuitId,
    contractBps: c.bandwidthBps,
    ownerSiteId: c.ownerSiteId,
    countyId: t.siteById.get(c.ownerSiteId)?.countyId ?? null,
    slaTier: c.slaTier,
    in: tr?.in ?? { meanBps: null, peakBps: null, p95Bps: null },
    out: tr?.out ?? { meanBps: null, peakBps: null, p95Bps: null },
    utilization,
    coveragePct,
    availability: {
      pct: a?.availabilityPct ?? null,
      targetPct: tier.availabilityPct,
      met: a?.availabilityPct == null ? null : a.availabilityPct >= tier.availabilityPct,
      downS: a?.downS ?? 0,
      knownS: a?.knownS ?? 0,
      unknownS: a?.unknownS ?? spanS,
      maintenanceS: plannedS,
      upstreamDownS: a?.upstreamDownS ?? 0,
      coveragePct: spanS > 0 ? (100 * ((a?.knownS ?? 0) + (a?.upstreamDownS ?? 0))) / spanS : 0,
      outageCount: a?.outageCount ?? 0,
      upstreamOutageCount: a?.upstreamOutageCount ?? 0,
      mttrS: a?.mttrS ?? null,
      servicePct: a?.serviceAvailabilityPct ?? null,
    },
    outages: outageRows(t, c.id, a, period.fromMs, period.toMs),
    quality: inputs.quality.get(c.id) ?? null,
    advice,
    previous: {
      meanBps: prevT ? maxOf(prevT.in.meanBps, prevT.out.meanBps) : null,
      p95Bps: prevT ? maxOf(prevT.in.p95Bps, prevT.out.p95Bps) : null,
      availabilityPct: inputs.previousAvailability.get(c.id)?.availabilityPct ?? null,
    },
  };
}

/** Mean traffic by hour of the day (the period's time zone), over the scope's intervals. */
function hourProfileOf(series: readonly ScopeInterval[]): Report['hourProfile'] {
  const hours = new Map<number, number[]>();
  for (const s of series) {
    const list = hours.get(s.hour);
    if (list) list.push(s.inBps + s.outBps);
    else hours.set(s.hour, [s.inBps + s.outBps]);
  }
  return Array.from({ length: 24 }, (_, hour) => ({ hour, bps: mean(hours.get(hour) ?? []) }));
}

/** Each carrier's scorecard: availability, outages and their knock-on, quality breaches. */
function carrierScores(circuits: readonly CircuitFigures[]): CarrierScore[] {
  return [...new Set(circuits.map((c) => c.carrier))].map((carrier) => {
    const mine = circuits.filter((c) => c.carrier === carrier);
    const outs = mine.flatMap((c) => c.outages).filter((o) => o.own && o.endMs !== null);
    // Another circuit's outage charged to one of this carrier's: the departments its uplink took down.
    const knockOn = new Map<string, CarrierScore['knockOn'][number]>();
    for (const c of circuits) {
      for (const o of c.outages) {
        if (o.own || o.chargedTo.type !== 'circuit' || o.chargedTo.carrier !== carrier) continue;
        const key = `${o.chargedTo.id}@${o.startMs}`;
        const entry = knockOn.get(key) ?? {
          rootCircuitId: o.chargedTo.id,
          carrierCircuitId: o.chargedTo.carrierCircuitId,
          startMs: o.startMs,
          endMs: o.endMs,
          durationS: o.durationS,
          impacted: [],
        };
        entry.impacted.push({ circuitId: c.circuitId, carrier: c.carrier, ownerSiteId: c.ownerSiteId });
        knockOn.set(key, entry);
      }
    }
    return {
      carrier,
      circuits: mine.length,
      availabilityPct: weightedAvailabilityPct(mine.map((c) => c.availability)),
      outageCount: mine.reduce((n, c) => n + c.availability.outageCount, 0),
      mttrS: outs.length ? outs.reduce((n, o) => n + (o.endMs! - o.startMs) / 1000, 0) / outs.length : null,
      qualityBreaches: mine.flatMap((c) => c.quality?.episodes.filter((e) => e.own) ?? []).sort((a, b) => a.startMs - b.startMs),
      degradedS: mine.reduce((n, c) => n + (c.quality?.ownDegradedS ?? 0), 0),
      breaches: mine
        .filter((c) => c.availability.met === false)
        .map((c) => ({
          circuitId: c.circuitId,
          carrierCircuitId: c.carrierCircuitId,
          availabilityPct: c.availability.pct!,
          targetPct: c.availability.targetPct,
          outages: c.outages.filter((o) => o.own),
        })),
      knockOn: [...knockOn.values()].sort((a, b) => a.startMs - b.startMs),
    };
  });
}
