/**
 * InfluxQL for the rollups declared in measurements.ts: continuous queries
 * that keep them current, and backfill statements for late data. Samples that
 * waited in the collector's spool through an InfluxDB outage arrive after the
 * continuous query has run for their interval; RESAMPLE ... FOR covers short
 * outages and rollupBackfill() covers long ones.
 */
import { MEASUREMENTS, type MeasurementSpec, type RetentionPolicyName } from './measurements.ts';

/** How far back each continuous query recomputes, to absorb late (spooled) points. */
export const RESAMPLE_FOR = { rollup_5m: '2h', rollup_1h: '6h' } as const;

export const ROLLUP_STEPS = [
  { from: 'raw', into: 'rollup_5m', interval: '5m' },
  { from: 'rollup_5m', into: 'rollup_1h', interval: '1h' },
] as const satisfies ReadonlyArray<{ from: RetentionPolicyName; into: RetentionPolicyName; interval: string }>;

type RollupStep = (typeof ROLLUP_STEPS)[number];

export interface ContinuousQuery {
  name: string;
  /** The full CREATE CONTINUOUS QUERY statement. */
  statement: string;
}

const q = (name: string) => `"${name.replace(/"/g, '\\"')}"`;

function selectInto(db: string, m: MeasurementSpec, step: RollupStep, where: string): string {
  const columns = m.rollup!.map((r) => {
    const source = step.from === 'raw' ? (r.source ?? r.field) : r.field;
    return `${r.fn}(${q(source)}) AS ${q(r.field)}`;
  });
  const into = `${q(db)}.${q(step.into)}.${q(m.name)}`;
  const from = `${q(db)}.${q(step.from)}.${q(m.name)}`;
  return `SELECT ${columns.join(', ')} INTO ${into} FROM ${from}${where} GROUP BY time(${step.interval}), *`;
}

const rolledUp = () => Object.values(MEASUREMENTS).filter((m): m is typeof m & { rollup: NonNullable<MeasurementSpec['rollup']> } => 'rollup' in m);

export function continuousQueries(db: string): ContinuousQuery[] {
  return rolledUp().flatMap((m) =>
    ROLLUP_STEPS.map((step) => {
      const name = `cq_${m.name}_${step.interval}`;
      const statement =
        `CREATE CONTINUOUS QUERY ${q(name)} ON ${q(db)} ` +
        `RESAMPLE EVERY ${step.interval} FOR ${RESAMPLE_FOR[step.into]} ` +
        `BEGIN ${selectInto(db, m, step, '')} END`;
      return { name, statement };
    }),
  );
}

/**
 * Statements that recompute every rollup for [from, to), widened to whole
 * hours so each 5-minute and hourly bucket is complete. Run them in order:
 * the hourly rollup reads the 5-minute one.
 */
export function rollupBackfill(db: string, from: Date, to: Date): string[] {
  const hour = 3_600_000;
  const start = new Date(Math.floor(from.getTime() / hour) * hour).toISOString();
  const end = new Date(Math.ceil(to.getTime() / hour) * hour).toISOString();
  const where = ` WHERE time >= '${start}' AND time < '${end}'`;
  return ROLLUP_STEPS.flatMap((step) => rolledUp().map((m) => selectInto(db, m, step, where)));
}
