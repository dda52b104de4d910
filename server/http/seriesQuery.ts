/**
 * The InfluxQL for a circuit's or a device's series over a time range, at a
 * resolution that keeps the answer small: raw samples for up to two days,
 * the 5-minute rollup up to two months, the hourly rollup beyond. A year is
 * then ~9,000 hourly rows, never millions of raw ones, so it cannot time out.
 */
import type { RetentionPolicyName } from '../../shared/schema/measurements.ts';

export interface SeriesPlan {
  retentionPolicy: RetentionPolicyName;
  bucketS: number;
  query: string;
}

const DAY_MS = 86_400_000;
/** Raw buckets no finer than the default poll interval: the last hour in 10-second steps. */
const RAW_FLOOR_S = 10;

/** Columns as [raw select, rollup select, alias]: rollups keep peaks and minima in their own fields. */
type Column = readonly [raw: string, rollup: string, alias: string];

const CIRCUIT_COLUMNS: readonly Column[] = [
  ['mean("in_bps")', 'mean("in_bps")', 'in_bps'],
  ['mean("out_bps")', 'mean("out_bps")', 'out_bps'],
  ['max("in_bps")', 'max("in_bps_max")', 'in_peak_bps'],
  ['max("out_bps")', 'max("out_bps_max")', 'out_peak_bps'],
  ['sum("in_errors")', 'sum("in_errors")', 'in_errors'],
  ['sum("out_errors")', 'sum("out_errors")', 'out_errors'],
];

const DEVICE_COLUMNS: readonly Column[] = [
  ['mean("cpu_pct")', 'mean("cpu_pct")', 'cpu_pct'],
  ['max("cpu_pct")', 'max("cpu_pct_max")', 'cpu_peak_pct'],
  ['mean("mem_pct")', 'mean("mem_pct")', 'mem_pct'],
  ['min("reachable")', 'min("reachable_min")', 'reachable_min'],
  ['mean("reachable")', 'mean("reachable")', 'reachable_share'],
  ['mean("response_ms")', 'mean("response_ms")', 'response_ms'],
  ['max("response_ms")', 'max("response_ms_max")', 'response_peak_ms'],
];

// Smokeping's view of a line: the fastest and slowest echo around the median, and the loss.
const QUALITY_COLUMNS: readonly Column[] = [
  ['min("rtt_min_ms")', 'min("rtt_min_ms")', 'rtt_min_ms'],
  ['mean("rtt_median_ms")', 'mean("rtt_median_ms")', 'rtt_median_ms'],
  ['max("rtt_max_ms")', 'max("rtt_max_ms")', 'rtt_max_ms'],
  ['sum("sent")', 'sum("sent")', 'sent'],
  ['sum("received")', 'sum("received")', 'received'],
  ['mean("jitter_ms")', 'mean("jitter_ms")', 'jitter_ms'],
];

const quote = (s: string) => s.replace(/\\/g, '\\\\').replace(/'/g, "\\'");

/** @param points how many buckets the chart wants, at most. */
function plan(
  database: string,
  measurement: string,
  tag: string,
  id: string,
  columns: readonly Column[],
  fromMs: number,
  toMs: number,
  points: number,
): SeriesPlan {
  const span = toMs - fromMs;
  const [rp, floorS] =
    span <= 2 * DAY_MS ? (['raw', RAW_FLOOR_S] as const) : span <= 62 * DAY_MS ? (['rollup_5m', 300] as const) : (['rollup_1h', 3600] as const);
  const bucketS = Math.max(floorS, Math.ceil(span / points / 1000 / floorS) * floorS);
  const select = columns.map(([raw, rollup, alias]) => `${rp === 'raw' ? raw : rollup} AS ${alias}`).join(', ');
  const query =
    `SELECT ${select} FROM "${database}"."${rp}"."${measurement}" WHERE "${tag}" = '${quote(id)}' AND time >= ${fromMs}ms AND time < ${toMs}ms ` +
    `GROUP BY time(${bucketS}s) fill(none)`;
  return { retentionPolicy: rp, bucketS, query };
}

export const circuitSeriesPlan = (database: string, circuitId: string, fromMs: number, toMs: number, points: number): SeriesPlan =>
  plan(database, 'circuit_traffic', 'circuit', circuitId, CIRCUIT_COLUMNS, fromMs, toMs, points);

export const circuitQualitySeriesPlan = (database: string, circuitId: string, fromMs: number, toMs: number, points: number): SeriesPlan =>
  plan(database, 'circuit_quality', 'circuit', circuitId, QUALITY_COLUMNS, fromMs, toMs, points);

export const deviceSeriesPlan = (database: string, deviceId: string, fromMs: number, toMs: number, points: number): SeriesPlan =>
  plan(database, 'device_health', 'device', deviceId, DEVICE_COLUMNS, fromMs, toMs, points);
