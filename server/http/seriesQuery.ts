/**
 * The InfluxQL for a circuit's traffic over a time range, at a resolution
 * that keeps the answer small: raw samples for up to two days, the 5-minute
 * rollup up to two months, the hourly rollup beyond. A year of a circuit is
 * then ~9,000 hourly rows, never millions of raw ones, so it cannot time out.
 */
import type { RetentionPolicyName } from '../../shared/schema/measurements.ts';

export interface SeriesPlan {
  retentionPolicy: RetentionPolicyName;
  bucketS: number;
  query: string;
}

const DAY_MS = 86_400_000;

/** @param points how many buckets the chart wants, at most. */
export function circuitSeriesPlan(database: string, circuitId: string, fromMs: number, toMs: number, points: number): SeriesPlan {
  const span = toMs - fromMs;
  const [rp, floorS] = span <= 2 * DAY_MS ? (['raw', 60] as const) : span <= 62 * DAY_MS ? (['rollup_5m', 300] as const) : (['rollup_1h', 3600] as const);
  const bucketS = Math.max(floorS, Math.ceil(span / points / 1000 / floorS) * floorS);
  // Rollups keep the peak of each step in *_max; raw has only the samples.
  const peak = (dir: 'in' | 'out') => (rp === 'raw' ? `max("${dir}_bps")` : `max("${dir}_bps_max")`);
  const id = circuitId.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
  const query =
    `SELECT mean("in_bps") AS in_bps, mean("out_bps") AS out_bps, ${peak('in')} AS in_peak_bps, ${peak('out')} AS out_peak_bps, ` +
    `sum("in_errors") AS in_errors, sum("out_errors") AS out_errors ` +
    `FROM "${database}"."${rp}"."circuit_traffic" WHERE "circuit" = '${id}' AND time >= ${fromMs}ms AND time < ${toMs}ms ` +
    `GROUP BY time(${bucketS}s) fill(none)`;
  return { retentionPolicy: rp, bucketS, query };
}
