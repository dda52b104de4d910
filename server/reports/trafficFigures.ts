/**
 * Traffic figures for a report: per circuit, the mean, the peak and the 95th
 * percentile of the 5-minute means in each direction, and how many 5-minute
 * intervals hold data; for the scope, the total traffic of each 5-minute
 * interval. From the day digests of the 5-minute rollup (what reports use),
 * or computed by InfluxDB from raw samples grouped the same way (to check
 * the rollup, and to show what it buys).
 */
import type { DirectionFigures } from '../../shared/reports/reportModel.ts';
import { localParts } from '../../shared/time/zonedTime.ts';
import type { InfluxQuery } from '../influx/store.ts';
import { higher, newReading, SLOTS_PER_DAY, type DailyDigests } from './dailyDigests.ts';

/** Circuits read from the day digests at once. */
const CIRCUITS_AT_A_TIME = 200;

export type TrafficSource = 'rollup_5m' | 'raw';

export interface CircuitTraffic {
  in: DirectionFigures;
  out: DirectionFigures;
  /** 5-minute intervals with data. */
  buckets: number;
}

const quote = (s: string) => s.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
const regexQuote = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function where(fromMs: number, toMs: number, circuits: readonly string[] | null): string {
  const range = `time >= ${fromMs}ms AND time < ${toMs}ms`;
  if (circuits === null) return range;
  if (circuits.length === 1) return `${range} AND "circuit" = '${quote(circuits[0]!)}'`;
  return `${range} AND "circuit" =~ /^(${circuits.map(regexQuote).join('|')})$/`;
}

/**
 * The InfluxQL for per-circuit figures from raw samples: the rollup's own
 * definition (5-minute means, their maxima), computed on the spot.
 * InfluxQL's percentile() is nearest rank (the value at rank ⌊0.95·n + 0.5⌋),
 * as carriers bill: sort the 5-minute means, discard the top 5%, take the
 * highest left.
 * @param circuits null for every circuit.
 */
function rawTrafficQuery(db: string, fromMs: number, toMs: number, circuits: readonly string[] | null): string {
  return (
    `SELECT mean("m_in") AS in_mean, max("x_in") AS in_peak, percentile("m_in", 95) AS in_p95, ` +
    `mean("m_out") AS out_mean, max("x_out") AS out_peak, percentile("m_out", 95) AS out_p95, count("m_in") AS buckets ` +
    `FROM (SELECT mean("in_bps") AS m_in, max("in_bps") AS x_in, mean("out_bps") AS m_out, max("out_bps") AS x_out FROM "${db}"."raw"."circuit_traffic" WHERE ${where(fromMs, toMs, circuits)} GROUP BY time(5m), "circuit" fill(none)) ` +
    `GROUP BY "circuit"`
  );
}

/** The total traffic of the circuits from raw samples, 5-minute interval by interval. */
function rawScopeSeriesQuery(db: string, fromMs: number, toMs: number, circuits: readonly string[] | null): string {
  return `SELECT sum("m_in") AS in_bps, sum("m_out") AS out_bps FROM (SELECT mean("in_bps") AS m_in, mean("out_bps") AS m_out FROM "${db}"."raw"."circuit_traffic" WHERE ${where(fromMs, toMs, circuits)} GROUP BY time(5m), "circuit" fill(none)) GROUP BY time(5m) fill(none)`;
}

export async function rawCircuitTraffic(
  influx: InfluxQuery,
  fromMs: number,
  toMs: number,
  circuits: readonly string[] | null,
): Promise<Map<string, CircuitTraffic>> {
  const rows = await influx.query(rawTrafficQuery(influx.database, fromMs, toMs, circuits));
  const out = new Map<string, CircuitTraffic>();
  for (const r of rows) {
    if (typeof r.circuit !== 'string') continue;
    out.set(r.circuit, {
      in: { meanBps: num(r.in_mean), peakBps: num(r.in_peak), p95Bps: num(r.in_p95) },
      out: { meanBps: num(r.out_mean), peakBps: num(r.out_peak), p95Bps: num(r.out_p95) },
      buckets: num(r.buckets) ?? 0,
    });
  }
  return out;
}

/** The scope's total traffic per 5-minute interval, with the interval's local hour of day. */
export interface ScopeInterval {
  timeMs: number;
  hour: number;
  inBps: number;
  outBps: number;
}

export async function rawScopeSeries(
  influx: InfluxQuery,
  fromMs: number,
  toMs: number,
  circuits: readonly string[] | null,
  timeZone: string,
): Promise<ScopeInterval[]> {
  const rows = await influx.query(rawScopeSeriesQuery(influx.database, fromMs, toMs, circuits));
  return rows.map((r) => {
    const timeMs = new Date(r.time as string).getTime();
    return { timeMs, hour: localParts(timeMs, timeZone).hour, inBps: num(r.in_bps) ?? 0, outBps: num(r.out_bps) ?? 0 };
  });
}

export const mean = (xs: readonly number[]): number | null => (xs.length ? xs.reduce((n, x) => n + x, 0) / xs.length : null);

/** The 95th percentile by nearest rank, as InfluxQL computes it: rank ⌊0.95·n + 0.5⌋ of the sorted values. */
export function p95(values: ArrayLike<number>): number | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.floor(values.length * 0.95 + 0.5);
  return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))]!;
}

/**
 * The same figures from daily digests of the 5-minute rollup: per circuit
 * the mean, peak and 95th percentile of its 5-minute means; for the scope,
 * the total of every 5-minute interval with data.
 */
export async function digestTraffic(
  digests: DailyDigests,
  fromMs: number,
  toMs: number,
  ids: readonly string[],
): Promise<{ perCircuit: Map<string, CircuitTraffic>; series: ScopeInterval[] }> {
  const reading = newReading();
  const dayCount = Math.round((toMs - fromMs) / 86_400_000);
  const perCircuit = new Map<string, CircuitTraffic>();
  const totalIn = new Float64Array(dayCount * SLOTS_PER_DAY).fill(NaN);
  const totalOut = new Float64Array(dayCount * SLOTS_PER_DAY).fill(NaN);
  const dayStarts: number[] = [];
  // A few hundred circuits at a time: a year of a province is 900 MB of samples, a chunk of it 80 MB.
  for (let c = 0; c < ids.length; c += CIRCUITS_AT_A_TIME) {
    const days = await digests.days(fromMs, toMs, ids.slice(c, c + CIRCUITS_AT_A_TIME), reading);
    if (dayStarts.length === 0) dayStarts.push(...days.map((d) => d.dayStartMs));
    for (const id of ids.slice(c, c + CIRCUITS_AT_A_TIME)) {
      const ins: number[] = [];
      const outs: number[] = [];
      let inPeak = NaN;
      let outPeak = NaN;
      days.forEach((d, k) => {
        const day = d.circuits.get(id);
        if (!day) return;
        for (let s = 0; s < SLOTS_PER_DAY; s++) {
          const i = day.in[s]!;
          const o = day.out[s]!;
          if (Number.isNaN(i) || Number.isNaN(o)) continue;
          ins.push(i);
          outs.push(o);
          const at = k * SLOTS_PER_DAY + s;
          totalIn[at] = (Number.isNaN(totalIn[at]!) ? 0 : totalIn[at]!) + i;
          totalOut[at] = (Number.isNaN(totalOut[at]!) ? 0 : totalOut[at]!) + o;
        }
        inPeak = higher(inPeak, day.inPeak);
        outPeak = higher(outPeak, day.outPeak);
      });
      if (ins.length === 0) continue;
      perCircuit.set(id, {
        in: { meanBps: mean(ins)!, peakBps: Number.isNaN(inPeak) ? null : inPeak, p95Bps: p95(ins) },
        out: { meanBps: mean(outs)!, peakBps: Number.isNaN(outPeak) ? null : outPeak, p95Bps: p95(outs) },
        buckets: ins.length,
      });
    }
  }
  const series: ScopeInterval[] = [];
  dayStarts.forEach((dayStartMs, k) => {
    for (let s = 0; s < SLOTS_PER_DAY; s++) {
      const at = k * SLOTS_PER_DAY + s;
      // Digest days begin at local midnight: twelve 5-minute intervals to the hour.
      if (!Number.isNaN(totalIn[at]!)) series.push({ timeMs: dayStartMs + s * 300_000, hour: Math.floor(s / 12), inBps: totalIn[at]!, outBps: totalOut[at]! });
    }
  });
  return { perCircuit, series };
}
